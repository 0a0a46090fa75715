"""Run the eligibility worker: ``python -m clearway_eligibility``.

Configuration is by environment (see config.py). SIGTERM and SIGINT stop the
worker gracefully: faust finishes the event in hand, commits and leaves the group;
if that takes longer than CLEARWAY_SHUTDOWN_GRACE_S (a broker that is down, say)
the process exits anyway.

The process supervises its faust worker: faust rides out a broker restart by
itself, but a record it could not deliver in time (CLEARWAY_KAFKA_DELIVERY_TIMEOUT_S)
crashes the worker, by design (its case stays uncommitted). Then a new worker is
started in this process, with a log line saying so, and the case is read again.
Health is NOT_SERVING until the worker runs, and while cases handed to the
producer wait longer than CLEARWAY_STALL_S for their acknowledgement.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

import faust

from clearway import shutdown, topics
from clearway.bus import backoff_delays
from clearway.health import HealthServer, Progress, StallWatch
from clearway.logs import setup_logging
from clearway.private_files import restrict_new_files
from clearway.runner import until_started
from clearway.settings import FaultSettings, env_str
from clearway.tracing import setup_tracing, shutdown_tracing

from clearway_eligibility.config import EligibilitySettings
from clearway_eligibility.worker import create_app

log = logging.getLogger("clearway_eligibility")


class StoppableWorker(faust.Worker):
    """faust's worker, whose stop signals also start the shutdown countdown."""

    def __init__(self, *args, on_stop_signal, **kwargs):
        super().__init__(*args, **kwargs)
        self._on_stop_signal = on_stop_signal

    def _on_sigterm(self) -> None:
        self._on_stop_signal("SIGTERM")
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._on_stop_signal("SIGINT")
        super()._on_sigint()


def main() -> None:
    settings = EligibilitySettings.from_env()
    faults = FaultSettings.from_env()
    restrict_new_files()
    setup_logging("eligibility")
    setup_tracing("eligibility")
    health = HealthServer("eligibility", settings.health_port).start()
    ready = threading.Event()
    progress = Progress("eligibility")
    stalls = StallWatch(health.set, faults.stall_s, ready, loops=lambda: [progress]).start()
    stopping = threading.Event()

    def stop_requested(name: str) -> None:
        if not stopping.is_set():
            log.info("stopping", extra={"signal": name, "grace_s": faults.shutdown_grace_s})
        shutdown.exit_within(faults.shutdown_grace_s)
        stopping.set()

    def handle_signals_here() -> None:
        # Until faust installs its own handlers, and again once its worker is gone.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda n, _f: stop_requested(signal.Signals(n).name))

    handle_signals_here()
    try:
        until_started(stopping, ready, faults, "creating the topics", lambda _s, _r: (
            topics.ensure_topics(settings.bus.bootstrap_servers,
                                 topics.all_topics(settings.court_feeds),
                                 timeout_s=faults.kafka_timeout_s)))
        supervise(settings, faults, progress, ready, stopping, stop_requested, handle_signals_here)
    finally:
        stalls.stop()
        health.stop()
        shutdown_tracing()


def supervise(settings: EligibilitySettings, faults: FaultSettings, progress: Progress,
              ready: threading.Event, stopping: threading.Event, stop_requested,
              handle_signals_here) -> None:
    """Run faust workers one after another until one ends because it was told to stop."""
    delays = backoff_delays(faults.retry_backoff_s)
    attempt = 0
    while not stopping.is_set():
        attempt += 1
        ready.clear()
        progress.advanced(pending=False)
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = create_app(settings, on_ready=ready.set, progress=progress, faults=faults)
        worker = StoppableWorker(app, loglevel=env_str("CLEARWAY_LOG_LEVEL", "WARNING"),
                                 quiet=True, on_stop_signal=stop_requested)
        worker.spinner = None  # its terminal escape codes would break the JSON log lines
        try:
            worker.execute_from_commandline()
            status = 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        handle_signals_here()
        if stopping.is_set() or status == 0:
            return
        delay = next(delays)
        log.error("the faust worker stopped on an error; starting a new one in this process",
                  extra={"status": status, "attempt": attempt, "delay_s": delay})
        stopping.wait(delay)


if __name__ == "__main__":
    main()
