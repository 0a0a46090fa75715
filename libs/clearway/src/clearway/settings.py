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
