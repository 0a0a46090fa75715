"""Standard gRPC health checking and reflection, for every Clearway process.

Why: Kubernetes probes speak the gRPC health protocol natively, so every service,
gRPC-facing or not, answers it on its own port; operators can ask any of them
with grpcurl, which reflection makes self-describing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent import futures
from typing import Callable

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING

log = logging.getLogger(__name__)


def add_health_and_reflection(server, service_names: list[str],
                              servicer: health.HealthServicer) -> None:
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    names = [*service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
             reflection.SERVICE_NAME]
    reflection.enable_server_reflection(names, server)


class HealthServer:
    """A small threaded gRPC server with only health and reflection on it.

    ``host`` defaults to ``CLEARWAY_HEALTH_HOST`` (else 127.0.0.1), read when the
    server is built: containers set 0.0.0.0 so the kubelet and compose can probe it.
    """

    def __init__(self, service: str, port: int, host: str | None = None):
        if host is None:
            host = os.environ.get("CLEARWAY_HEALTH_HOST", "").strip() or "127.0.0.1"
        self.service = service
        self.servicer = health.HealthServicer()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        add_health_and_reflection(self.server, [], self.servicer)
        self.port = self.server.add_insecure_port(f"{host}:{port}")
        self.set(NOT_SERVING)

    def set(self, status) -> None:
        self.servicer.set("", status)
        self.servicer.set(self.service, status)

    def start(self) -> "HealthServer":
        self.server.start()
        return self

    def stop(self) -> None:
        self.servicer.enter_graceful_shutdown()
        self.server.stop(grace=1)


class Progress:
    """A work loop's report for health: whether work is pending, and when it last moved.

    Why: a loop stuck on an unreachable broker is alive but useless. Health must say
    NOT_SERVING when the loop holds work and has not moved for a while, and SERVING
    again once it moves; an idle loop is healthy however long it waits.
    """

    def __init__(self, name: str = "", clock: Callable[[], float] = time.monotonic):
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._pending = False
        self._last = clock()

    def working(self) -> None:
        """Work is in hand or known to be waiting; nothing has moved yet."""
        with self._lock:
            self._pending = True

    def advanced(self, pending: bool = False) -> None:
        """The loop moved (committed, acked, handled a record or found nothing to do)."""
        with self._lock:
            self._last = self._clock()
            self._pending = pending

    def stalled_for(self) -> float:
        """Seconds since the loop last moved while work is pending; 0 when none is."""
        with self._lock:
            return self._clock() - self._last if self._pending else 0.0


_watched: list[Progress] = []
_watched_lock = threading.Lock()


def watch(progress: Progress) -> None:
    """Have this process's StallWatch consider ``progress`` (a loop registers itself)."""
    with _watched_lock:
        if progress not in _watched:
            _watched.append(progress)


def watched() -> list[Progress]:
    with _watched_lock:
        return list(_watched)


class StallWatch:
    """Sets a service's health from its loops' progress, once a second.

    NOT_SERVING while ``ready`` is not set, or while any loop has pending work and
    has not moved for ``stall_s``; SERVING otherwise. Each change is logged once.
    """

    def __init__(self, set_status: Callable[[int], None], stall_s: float,
                 ready: threading.Event, loops: Callable[[], list[Progress]] = watched,
                 interval_s: float = 1.0):
        self._set_status = set_status
        self.stall_s = stall_s
        self.ready = ready
        self._loops = loops
        self.interval_s = interval_s
        self._status: int | None = None
        self._stop = threading.Event()

    def check(self) -> int:
        stalled = {loop.name: round(loop.stalled_for(), 1) for loop in self._loops()
                   if loop.stalled_for() > self.stall_s}
        status = SERVING if self.ready.is_set() and not stalled else NOT_SERVING
        if status != self._status:
            if stalled:
                log.warning("stalled: work is pending and nothing has moved; health NOT_SERVING",
                            extra={"loops": ",".join(stalled), "stall_s": max(stalled.values())})
            elif self._status == NOT_SERVING and self.ready.is_set():
                log.info("moving again; health SERVING")
            self._set_status(status)
            self._status = status
        return status

    def start(self) -> "StallWatch":
        def loop() -> None:
            while not self._stop.wait(self.interval_s):
                self.check()

        self.check()
        threading.Thread(target=loop, daemon=True, name="stall-watch").start()
        return self

    def stop(self) -> None:
        self._stop.set()
