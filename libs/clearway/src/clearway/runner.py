"""Run a kafka-python service until SIGTERM/SIGINT, with health and tracing set up.

Why: petitions and notifications (and any kafka-python service) need the same
start and stop discipline: JSON logs and tracing first, health NOT_SERVING until
the loop is consuming (and whenever a loop holding work stops moving: see
clearway.health.StallWatch), topics ensured (waiting for the broker if it is not
up yet), and on a signal finish the batch in hand, commit, flush spans and exit 0,
or exit anyway once CLEARWAY_SHUTDOWN_GRACE_S has passed (clearway.shutdown).
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from kafka.errors import KafkaError

from clearway import shutdown, topics
from clearway.bus import backoff_delays
from clearway.health import HealthServer, StallWatch
from clearway.logs import setup_logging
from clearway.private_files import restrict_new_files
from clearway.settings import BusSettings, FaultSettings
from clearway.tracing import setup_tracing, shutdown_tracing

log = logging.getLogger(__name__)

Work = Callable[[threading.Event, threading.Event], None]


def run_service(service: str, bus: BusSettings, health_port: int, work: Work) -> None:
    """``work(stop, ready)`` runs until ``stop`` is set and sets ``ready`` once consuming.

    Until ``ready``, a Kafka error from ``work`` (the broker not up yet, say) means
    "try again": ``work`` is called again after a pause, until it gets going or
    the service is told to stop.
    """
    restrict_new_files()  # documents, bundles, emails, letters: personal data
    setup_logging(service)
    setup_tracing(service)
    faults = FaultSettings.from_env()
    stop = threading.Event()

    def on_signal(signum, _frame):
        log.info("stopping", extra={"signal": signal.Signals(signum).name,
                                    "grace_s": faults.shutdown_grace_s})
        shutdown.exit_within(faults.shutdown_grace_s)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    health = HealthServer(service, health_port).start()
    ready = threading.Event()
    stalls = StallWatch(health.set, faults.stall_s, ready).start()
    log.info("starting", extra={"bootstrap": bus.bootstrap_servers, "port": health.port})
    try:
        until_started(stop, ready, faults, "creating the topics", lambda _stop, _ready: (
            topics.ensure_topics(bus.bootstrap_servers, timeout_s=faults.kafka_timeout_s)))
        until_started(stop, ready, faults, "starting", work)
    finally:
        stalls.stop()
        health.stop()
        shutdown_tracing()


def until_started(stop: threading.Event, ready: threading.Event, faults: FaultSettings,
                  step: str, work: Callable):
    """``work(stop, ready)``, again after a pause while it fails on Kafka before ``ready``.

    Returns what ``work`` returns, or None if ``stop`` came first.
    """
    for attempt, delay in enumerate(backoff_delays(faults.retry_backoff_s), start=1):
        if stop.is_set():
            return
        try:
            return work(stop, ready)
        except (KafkaError, TimeoutError, OSError) as exc:
            if ready.is_set():
                raise
            log.warning("Kafka unreachable; trying again", extra={
                "step": step, "reason": type(exc).__name__, "attempt": attempt, "delay_s": delay})
            stop.wait(delay)
