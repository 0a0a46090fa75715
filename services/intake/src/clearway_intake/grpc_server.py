"""The IntakeService gRPC servicer: single cases and batch streams in, CaseSubmitted out."""

from __future__ import annotations

import logging
import uuid

import grpc
from opentelemetry import trace

from clearway import events, tracing
from clearway.health import SERVING, add_health_and_reflection
from clearway.v1 import intake_service_pb2, intake_service_pb2_grpc
from grpc_health.v1 import health

from clearway_intake.domain.validation import validate_case
from clearway_intake.publisher import CasePublisher
from clearway_intake.status import StatusBoard

log = logging.getLogger(__name__)


class IntakeServicer(intake_service_pb2_grpc.IntakeServiceServicer):
    def __init__(self, publisher: CasePublisher, board: StatusBoard):
        self.publisher = publisher
        self.board = board

    def SubmitCase(self, request, context):
        problems = validate_case(request.tenant, request.jurisdiction, request.case)
        if problems:
            # Field paths only: gRPC details reach the client's span status.
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "; ".join(map(str, problems)))
        message = self.publisher.publish_case(
            tenant=request.tenant, jurisdiction=request.jurisdiction, case=request.case,
            on_submitted=lambda m: self.board.submitted(m.envelope.case_id))
        self.publisher.flush(timeout_s=30)
        return intake_service_pb2.SubmitCaseResponse(
            case_id=message.envelope.case_id, person_id=message.person.person_id,
            event_id=message.envelope.event_id)

    def SubmitBatch(self, request_iterator, context):
        batch_id = str(uuid.uuid4())
        response = intake_service_pb2.SubmitBatchResponse(batch_id=batch_id)
        span = trace.get_current_span()
        for index, request in enumerate(request_iterator):
            problems = validate_case(request.tenant, request.jurisdiction, request.case)
            if problems:
                response.rejected += 1
                self.publisher.publish_rejection(events.dead_letter(
                    source="intake", reason=f"batch item {index}: " + "; ".join(map(str, problems)),
                    original=request.SerializeToString(), tenant=request.tenant,
                    jurisdiction=request.jurisdiction, batch_id=batch_id, line=index,
                    field=problems[0].field))
                continue
            message = self.publisher.publish_case(
                tenant=request.tenant, jurisdiction=request.jurisdiction, case=request.case,
                batch_id=batch_id, on_submitted=lambda m: self.board.submitted(m.envelope.case_id))
            response.accepted += 1
            response.case_ids.append(message.envelope.case_id)
        self.publisher.flush()
        if span.is_recording():
            tracing.set_attributes(span, {"clearway.batch_id": batch_id,
                                          "clearway.cases": response.accepted,
                                          "clearway.rejected": response.rejected})
        return response

    def GetCaseStatus(self, request, context):
        status = self.board.get(request.case_id)
        if status is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "no case with that id")
        return intake_service_pb2.GetCaseStatusResponse(
            case_id=request.case_id, stage=status.stage,
            convictions_determined=status.convictions_determined,
            convictions_eligible=status.convictions_eligible,
            documents=status.documents, notifications=status.notifications,
            notification_status=status.notification_status)


def build_server(servicer: IntakeServicer, address: str, executor) -> tuple[grpc.Server, int, health.HealthServicer]:
    server = grpc.server(executor)
    intake_service_pb2_grpc.add_IntakeServiceServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer()
    add_health_and_reflection(
        server, [intake_service_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name],
        health_servicer)
    port = server.add_insecure_port(address)
    health_servicer.set("", SERVING)
    health_servicer.set("clearway.v1.IntakeService", SERVING)
    return server, port, health_servicer
