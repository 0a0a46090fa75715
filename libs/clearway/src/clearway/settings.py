"""Environment-variable settings shared by every service.

Each setting has a default that works against the local broker started by
``deploy/local/kafka.py``, so a newcomer needs no configuration; production sets
the same variables (see docker-compose.yml and deploy/k8s).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class SettingError(ValueError):
    """A setting is present but unusable; the message names the variable."""


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingError(f"{name} must be a number, got {raw!r}") from None


def env_seconds(name: str, default: float) -> float:
    """A positive duration in seconds."""
    value = env_float(name, default)
    if not value > 0:
        raise SettingError(f"{name} must be a positive number of seconds, got {value}")
    return value


def env_path(name: str, default: Path) -> Path:
    return Path(env_str(name, str(default))).expanduser().resolve()


def local_state_dir() -> Path:
    """Where local runs keep data (documents, outbox, traces, broker): ``CLEARWAY_HOME``."""
    return env_path("CLEARWAY_HOME", Path.cwd() / ".local")


@dataclass(frozen=True)
class BusSettings:
    bootstrap_servers: str
    tenant: str

    @classmethod
    def from_env(cls) -> "BusSettings":
        return cls(
            bootstrap_servers=env_str("CLEARWAY_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
            tenant=env_str("CLEARWAY_TENANT", "demo-coalition"),
        )


@dataclass(frozen=True)
class FaultSettings:
    """How long a service waits on Kafka, how it notices it is stuck, how long it may take to stop.

    - ``kafka_timeout_s`` (CLEARWAY_KAFKA_TIMEOUT_S, 30): the most any one blocking
      Kafka call may take (a transaction step, a flush, a metadata or offset
      request, joining the broker at start); after it the call fails and the
      service recovers (aborts, reconnects, retries) instead of waiting forever.
    - ``delivery_timeout_s`` (CLEARWAY_KAFKA_DELIVERY_TIMEOUT_S, 120): how long a
      producer keeps trying to deliver a record before it fails (kafka-python's
      delivery timeout, faust's producer request timeout). Long enough to ride out
      a broker restart in process; the eligibility worker restarts itself after
      a failed delivery (its cases are read again).
    - ``retry_backoff_s`` (CLEARWAY_RETRY_BACKOFF_S, 5): the longest pause between
      two attempts while Kafka is unreachable (the pause doubles from 0.5 s).
    - ``stall_s`` (CLEARWAY_STALL_S, 60): health says NOT_SERVING when work is
      pending and nothing has been committed (or acked) for this long. Twice the
      Kafka timeout: a batch that waits out one timeout and then commits is slow,
      not stuck.
    - ``shutdown_grace_s`` (CLEARWAY_SHUTDOWN_GRACE_S, 20): after SIGTERM the
      process exits within this, even if a call is stuck; below Kubernetes'
      terminationGracePeriodSeconds (30 in deploy/k8s), so the kubelet never
      has to SIGKILL.
    """

    kafka_timeout_s: float
    delivery_timeout_s: float
    retry_backoff_s: float
    stall_s: float
    shutdown_grace_s: float

    @classmethod
    def from_env(cls) -> "FaultSettings":
        return cls(kafka_timeout_s=env_seconds("CLEARWAY_KAFKA_TIMEOUT_S", 30.0),
                   delivery_timeout_s=env_seconds("CLEARWAY_KAFKA_DELIVERY_TIMEOUT_S", 120.0),
                   retry_backoff_s=env_seconds("CLEARWAY_RETRY_BACKOFF_S", 5.0),
                   stall_s=env_seconds("CLEARWAY_STALL_S", 60.0),
                   shutdown_grace_s=env_seconds("CLEARWAY_SHUTDOWN_GRACE_S", 20.0))
