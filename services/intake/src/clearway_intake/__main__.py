"""Run the intake gRPC server: ``python -m clearway_intake``.

Serves clearway.v1.IntakeService with gRPC health and reflection on
CLEARWAY_INTAKE_GRPC_ADDRESS (default 127.0.0.1:50051), once the answers to
client request ids are read back (so a retry after a restart is answered, not
published again). Waits for the broker if it is not up yet. SIGTERM: stop taking
calls, let calls in flight finish (10 s grace), flush the producer, exit; or exit
anyway after CLEARWAY_SHUTDOWN_GRACE_S.
"""

from __future__ import annotations

import logging
import signal
import threading
from concurrent import futures

from opentelemetry.instrumentation.grpc import GrpcInstrumentorServer

from clearway import shutdown, topics
from clearway.health import StallWatch, watch
from clearway.logs import setup_logging
from clearway.private_files import restrict_new_files
from clearway.runner import until_started
from clearway.settings import FaultSettings
from clearway.tracing import setup_tracing, shutdown_tracing

from clearway_intake.answers import RequestAnswers
from clearway_intake.config import IntakeSettings
from clearway_intake.domain.identity import PersonIds
from clearway_intake.domain.requests import RequestIds
from clearway_intake.grpc_server import SERVICE as INTAKE_SERVICE, IntakeServicer, build_server
from clearway_intake.publisher import CasePublisher
from clearway_intake.status import StatusBoard

log = logging.getLogger("clearway_intake")


def main() -> None:
    settings = IntakeSettings.from_env()
    restrict_new_files()
    setup_logging("intake")
    setup_tracing("intake")
    GrpcInstrumentorServer().instrument()
    faults = FaultSettings.from_env()
    stop = threading.Event()

    def on_signal(*_) -> None:
        shutdown.exit_within(faults.shutdown_grace_s)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def connect(_stop, _ready) -> CasePublisher:
        topics.ensure_topics(settings.bus.bootstrap_servers, timeout_s=faults.kafka_timeout_s)
        return CasePublisher(settings.bus.bootstrap_servers, PersonIds(settings.person_id_key))

    publisher = until_started(stop, threading.Event(), faults, "starting", connect)
    if publisher is None:  # told to stop before the broker answered
        shutdown_tracing()
        return
    board = StatusBoard()
    answers = RequestAnswers.from_topic(settings.bus.bootstrap_servers)
    log.info("read the answers to request ids", extra={"count": len(answers)})
    threading.Thread(target=board.follow, args=(settings.bus.bootstrap_servers, stop),
                     daemon=True, name="status-board").start()
    servicer = IntakeServicer(publisher, board, answers, RequestIds(settings.person_id_key))
    server, port, health = build_server(servicer, settings.grpc_address,
                                        futures.ThreadPoolExecutor(max_workers=8))
    server.start()

    def set_health(status) -> None:
        for name in ("", INTAKE_SERVICE):
            health.set(name, status)

    # NOT_SERVING while records Kafka has not answered sit longer than CLEARWAY_STALL_S.
    watch(publisher.progress)
    serving = threading.Event()
    serving.set()
    stalls = StallWatch(set_health, faults.stall_s, serving).start()
    log.info("serving", extra={"address": settings.grpc_address, "port": port})
    stop.wait()
    log.info("stopping")
    stalls.stop()
    health.enter_graceful_shutdown()
    server.stop(grace=10).wait()
    publisher.close()
    shutdown_tracing()


if __name__ == "__main__":
    main()
