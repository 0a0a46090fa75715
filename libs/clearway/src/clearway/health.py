"""Standard gRPC health checking and reflection, for every Clearway process.

Why: Kubernetes probes speak the gRPC health protocol natively, so every service,
gRPC-facing or not, answers it on its own port; operators can ask any of them
with grpcurl, which reflection makes self-describing.
"""

from __future__ import annotations

import os
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


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
