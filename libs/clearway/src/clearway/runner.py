"""Run a kafka-python service until SIGTERM/SIGINT, with health and tracing set up.

Why: intake, petitions and notifications all need the same start and stop
discipline: JSON logs and tracing first, topics ensured, health NOT_SERVING until
the loop is consuming, and on a signal finish the batch in hand, commit, flush
spans and exit 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from clearway import topics
from clearway.health import SERVING, HealthServer
from clearway.logs import setup_logging
from clearway.settings import BusSettings
from clearway.tracing import setup_tracing, shutdown_tracing

log = logging.getLogger(__name__)

Work = Callable[[threading.Event, threading.Event], None]


def run_service(service: str, bus: BusSettings, health_port: int, work: Work) -> None:
    """``work(stop, ready)`` runs until ``stop`` is set and sets ``ready`` once consuming."""
    setup_logging(service)
    setup_tracing(service)
    stop = threading.Event()

    def on_signal(signum, _frame):
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    topics.ensure_topics(bus.bootstrap_servers)
    health = HealthServer(service, health_port).start()
    ready = threading.Event()

    def report_serving_once_ready() -> None:
        ready.wait()
        health.set(SERVING)

    threading.Thread(target=report_serving_once_ready, daemon=True).start()
    log.info("starting", extra={"bootstrap": bus.bootstrap_servers, "port": health.port})
    try:
        work(stop, ready)
    finally:
        health.stop()
        shutdown_tracing()
