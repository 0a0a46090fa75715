"""Run the eligibility worker: ``python -m clearway_eligibility``.

Configuration is by environment (see config.py). SIGTERM and SIGINT stop the
worker gracefully: faust finishes the event in hand, commits and leaves the group.
"""

from __future__ import annotations

import faust

from clearway import topics
from clearway.health import SERVING, HealthServer
from clearway.settings import env_str
from clearway.logs import setup_logging
from clearway.tracing import setup_tracing, shutdown_tracing

from clearway_eligibility.config import EligibilitySettings
from clearway_eligibility.worker import create_app


def main() -> None:
    settings = EligibilitySettings.from_env()
    setup_logging("eligibility")
    setup_tracing("eligibility")
    topics.ensure_topics(settings.bus.bootstrap_servers, topics.all_topics(settings.court_feeds))
    health = HealthServer("eligibility", settings.health_port).start()
    app = create_app(settings, on_ready=lambda: health.set(SERVING))
    try:
        worker = faust.Worker(app, loglevel=env_str("CLEARWAY_LOG_LEVEL", "WARNING"), quiet=True)
        worker.spinner = None  # its terminal escape codes would break the JSON log lines
        worker.execute_from_commandline()
    finally:
        health.stop()
        shutdown_tracing()


if __name__ == "__main__":
    main()
