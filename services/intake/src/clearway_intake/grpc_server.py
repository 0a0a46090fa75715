"""The IntakeService gRPC servicer: single cases and batch streams in, CaseSubmitted out.

Why it takes raw bytes: with grpcio's generated handlers a request that does
not parse fails inside grpcio, before any of our code, and the client sees
INTERNAL. Here each method gets the request's bytes and parses them itself, so
an undecodable request is INVALID_ARGUMENT. Each method is wrapped
(``_answered``) so that no status ever carries an exception's text: a refusal
is the reason we wrote, an unexpected error is INTERNAL with a fixed message
and an opaque reference that the log line (exception type only) also carries.

Idempotent submission: a call with a request_id is answered from
RequestAnswers when it was answered before (and refused when the id was used
for another request); otherwise its ids are derived from the request
(domain/requests.py), its case is published, then its answer.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Iterable, Iterator

import grpc
from google.protobuf.message import DecodeError, Message
from opentelemetry import trace

from clearway import events, topics, tracing
from clearway.health import SERVING, add_health_and_reflection
from clearway.v1 import intake_request_pb2, intake_service_pb2
from grpc_health.v1 import health

from clearway_intake.answers import RequestAnswers
from clearway_intake.domain.problem import Problem
from clearway_intake.domain.requests import RequestIds, request_id_problem
from clearway_intake.domain.validation import validate_case
from clearway_intake.publisher import CasePublisher, CaseTooLarge, DeliveryError
from clearway_intake.status import StatusBoard

log = logging.getLogger(__name__)

SERVICE = intake_service_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name
# What a status shows of a request's problems; the rest is summed up.
SHOWN_PROBLEMS = 10
# Longest case id GetCaseStatus looks up (intake's are 36-character UUIDs).
MAX_CASE_ID_CHARACTERS = 128
# Kafka may still take a record it did not acknowledge in time: so not "nothing was accepted".
UNCONFIRMED = ("intake could not confirm that the case reached the pipeline; send it again "
               "with the same request_id, which is safe whether or not it did")


class Refused(Exception):
    """A call answered with a status of ours; ``details`` names fields, never values."""

    def __init__(self, code: grpc.StatusCode, details: str):
        super().__init__(details)
        self.code = code
        self.details = details


class IntakeServicer:
    def __init__(self, publisher: CasePublisher, board: StatusBoard, answers: RequestAnswers,
                 request_ids: RequestIds):
        self.publisher = publisher
        self.board = board
        self.answers = answers
        self.request_ids = request_ids

    def SubmitCase(self, data: bytes, context) -> intake_service_pb2.SubmitCaseResponse:
        request = _parse(intake_service_pb2.SubmitCaseRequest, data, "request")
        problems = validate_case(request.tenant, request.jurisdiction, request.case)
        if (problem := request_id_problem(request.request_id)) is not None:
            problems.append(problem)
        if problems:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, _details(problems))
        if not request.request_id:
            return self._submit_case(request, events.new_id(), events.new_id())
        key = self.request_ids.request_key(request.tenant, request.request_id)
        digest = self.request_ids.body_digest()
        digest.update(request.SerializeToString(deterministic=True))
        request_digest = digest.hexdigest()
        with self.answers.held(key):
            known = self.answers.get(key)
            if known is not None:
                _same_request(known, request_digest, "case_answer")
                self.board.submitted(known.case_answer.case_id)
                return known.case_answer
            response = self._submit_case(request, *RequestIds.case_ids(key, 0, request_digest))
            self._remember(key, request_digest, request.tenant, request.jurisdiction,
                           case_answer=response)
        return response

    def _submit_case(self, request, case_id: str, event_id: str) -> intake_service_pb2.SubmitCaseResponse:
        receipts: list = []
        message = self.publisher.publish_case(
            tenant=request.tenant, jurisdiction=request.jurisdiction, case=request.case,
            case_id=case_id, event_id=event_id, receipts=receipts,
            on_submitted=lambda m: self.board.submitted(m.envelope.case_id))
        self.publisher.confirm(receipts)
        return intake_service_pb2.SubmitCaseResponse(
            case_id=message.envelope.case_id, person_id=message.person.person_id,
            event_id=message.envelope.event_id)

    def SubmitBatch(self, stream: Iterable[bytes], context) -> intake_service_pb2.SubmitBatchResponse:
        items = iter(stream)
        first = next(items, None)
        if first is None:
            return intake_service_pb2.SubmitBatchResponse(batch_id=str(uuid.uuid4()))
        request = _parse(intake_service_pb2.SubmitBatchRequest, first, "message 0 of the stream")
        if (problem := request_id_problem(request.request_id)) is not None:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, str(problem))
        rest = _chain(first, items)
        if not request.request_id:
            return self._submit_batch(rest, str(uuid.uuid4()))[0]
        key = self.request_ids.request_key(request.tenant, request.request_id)
        with self.answers.held(key):
            known = self.answers.get(key)
            if known is not None:
                digest = self.request_ids.body_digest()
                for index, data in enumerate(rest):
                    _digest_item(digest, index, data)
                _same_request(known, digest.hexdigest(), "batch_answer")
                return known.batch_answer
            response, request_digest = self._submit_batch(
                rest, RequestIds.batch_id(key), key, request.request_id)
            self._remember(key, request_digest, request.tenant, request.jurisdiction,
                           batch_answer=response)
        return response

    def _submit_batch(self, stream: Iterable[bytes], batch_id: str, key: str = "",
                      request_id: str = "") -> tuple[intake_service_pb2.SubmitBatchResponse, str]:
        """Publish a stream's valid items and dead-letter the rest: (response, the
        stream's digest). With a request ``key`` the items' ids derive from it."""
        response = intake_service_pb2.SubmitBatchResponse(batch_id=batch_id)
        digest = self.request_ids.body_digest()
        receipts: list = []
        for index, data in enumerate(stream):
            item_digest = _digest_item(digest, index, data) if key else ""
            try:
                request = intake_service_pb2.SubmitBatchRequest.FromString(data)
            except DecodeError:
                response.rejected += 1
                self._reject_item(index, [Problem("message", "is not a valid "
                                                  "clearway.v1.SubmitBatchRequest")],
                                  data, batch_id, "", "", receipts)
                continue
            problems = validate_case(request.tenant, request.jurisdiction, request.case)
            if request.request_id not in ("", request_id):
                problems.append(Problem("request_id", "differs from the stream's first message"))
            if problems:
                response.rejected += 1
                self._reject_item(index, problems, data, batch_id, request.tenant,
                                  request.jurisdiction, receipts)
                continue
            case_id, event_id = (RequestIds.case_ids(key, index, item_digest) if key
                                 else (events.new_id(), events.new_id()))
            message = self.publisher.publish_case(
                tenant=request.tenant, jurisdiction=request.jurisdiction, case=request.case,
                batch_id=batch_id, case_id=case_id, event_id=event_id, receipts=receipts,
                on_submitted=lambda m: self.board.submitted(m.envelope.case_id))
            response.accepted += 1
            response.case_ids.append(message.envelope.case_id)
        self.publisher.confirm(receipts)
        span = trace.get_current_span()
        if span.is_recording():
            tracing.set_attributes(span, {"clearway.batch_id": batch_id,
                                          "clearway.cases": response.accepted,
                                          "clearway.rejected": response.rejected})
        return response, digest.hexdigest()

    def _reject_item(self, index: int, problems: list[Problem], data: bytes, batch_id: str,
                     tenant: str, jurisdiction: str, receipts: list) -> None:
        self.publisher.publish_rejection(events.dead_letter(
            source="intake", reason=f"batch item {index}: {_details(problems)}", original=data,
            tenant=tenant, jurisdiction=jurisdiction, batch_id=batch_id, line=index,
            field=problems[0].field), receipts)

    def _remember(self, key: str, request_digest: str, tenant: str, jurisdiction: str,
                  **answer) -> None:
        """Publish the answer to a request id, then keep it; the call succeeds either way,
        since its case is published (a retry then republishes the same event ids)."""
        reply = next(iter(answer.values()))
        message = intake_request_pb2.IntakeRequestAnswered(
            envelope=events.new_envelope(
                tenant=tenant, jurisdiction=jurisdiction, case_id=getattr(reply, "case_id", ""),
                batch_id=getattr(reply, "batch_id", ""),
                event_id=RequestIds.answer_event_id(key, request_digest)),
            request_key=key, request_digest=request_digest, **answer)
        receipts: list = []
        try:
            self.publisher.publish_answer(message, receipts)
            self.publisher.confirm(receipts)
        except DeliveryError:
            log.warning("an answer to a request id was not recorded; a retry republishes its case",
                        extra={"event_id": message.envelope.event_id})
        self.answers.remember(message)

    def GetCaseStatus(self, data: bytes, context) -> intake_service_pb2.GetCaseStatusResponse:
        request = _parse(intake_service_pb2.GetCaseStatusRequest, data, "request")
        if not request.case_id:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "case_id: is required")
        if len(request.case_id) > MAX_CASE_ID_CHARACTERS:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT,
                          f"case_id: longer than {MAX_CASE_ID_CHARACTERS} characters")
        status = self.board.get(request.case_id)
        if status is None:
            raise Refused(grpc.StatusCode.NOT_FOUND, "no case with that id")
        return intake_service_pb2.GetCaseStatusResponse(
            case_id=request.case_id, stage=status.stage,
            convictions_determined=status.convictions_determined,
            convictions_eligible=status.convictions_eligible,
            documents=status.documents, notifications=status.notifications,
            notification_status=status.notification_status)


def _parse(message_type: type[Message], data: bytes, what: str) -> Message:
    try:
        return message_type.FromString(data)
    except DecodeError:
        raise Refused(grpc.StatusCode.INVALID_ARGUMENT,
                      f"{what} is not a valid {message_type.DESCRIPTOR.full_name}") from None


def _details(problems: list[Problem]) -> str:
    shown = "; ".join(map(str, problems[:SHOWN_PROBLEMS]))
    more = len(problems) - SHOWN_PROBLEMS
    return shown + (f"; and {more} more" if more > 0 else "")


def _same_request(known: intake_request_pb2.IntakeRequestAnswered, request_digest: str,
                  kind: str) -> None:
    if known.request_digest != request_digest or known.WhichOneof("answer") != kind:
        raise Refused(grpc.StatusCode.ALREADY_EXISTS,
                      "request_id: already used for a different request; a new request "
                      "needs a new request_id")


def _digest_item(digest, index: int, data: bytes) -> str:
    """Feed one stream message into the stream's digest; returns the item's own digest.

    The message is parsed and re-serialized without its request_id (which the
    stream's later messages may leave empty), so equal requests hash equally.
    """
    try:
        item = intake_service_pb2.SubmitBatchRequest.FromString(data)
        item.request_id = ""
        canonical = item.SerializeToString(deterministic=True)
    except DecodeError:
        canonical = data
    item_digest = digest.copy()
    item_digest.update(canonical)
    digest.update(f"{index}:{len(canonical)}:".encode() + canonical)
    return item_digest.hexdigest()


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _answered(method):
    """Run a servicer method, answering every exception with a status of our own."""

    @functools.wraps(method)
    def answered(request, context):
        try:
            return method(request, context)
        except grpc.RpcError:
            raise  # the client went away mid-stream; there is nobody to answer
        except Refused as refusal:
            code, details = refusal.code, refusal.details
        except CaseTooLarge as too_large:
            code, details = grpc.StatusCode.INVALID_ARGUMENT, f"case: {too_large}"
        except DeliveryError:
            code, details = grpc.StatusCode.UNAVAILABLE, UNCONFIRMED
        except Exception as error:  # a bug: its text may hold request data, so only its type is logged
            reference = str(uuid.uuid4())
            log.error(f"unexpected error in {method.__name__}",
                      extra={"reason": type(error).__name__, "error": reference})
            code, details = grpc.StatusCode.INTERNAL, f"internal error (reference {reference})"
        context.abort(code, details)

    return answered


def handlers(servicer: IntakeServicer) -> grpc.GenericRpcHandler:
    """IntakeService's methods, taking raw request bytes (see the module docstring)."""
    return grpc.method_handlers_generic_handler(SERVICE, {
        "SubmitCase": grpc.unary_unary_rpc_method_handler(
            _answered(servicer.SubmitCase),
            response_serializer=intake_service_pb2.SubmitCaseResponse.SerializeToString),
        "SubmitBatch": grpc.stream_unary_rpc_method_handler(
            _answered(servicer.SubmitBatch),
            response_serializer=intake_service_pb2.SubmitBatchResponse.SerializeToString),
        "GetCaseStatus": grpc.unary_unary_rpc_method_handler(
            _answered(servicer.GetCaseStatus),
            response_serializer=intake_service_pb2.GetCaseStatusResponse.SerializeToString),
    })


def build_server(servicer: IntakeServicer, address: str, executor) -> tuple[grpc.Server, int, health.HealthServicer]:
    # A request may carry a case up to the topics' record size; gRPC refuses a larger one itself.
    server = grpc.server(executor, options=[
        ("grpc.max_receive_message_length", topics.MAX_MESSAGE_BYTES)])
    server.add_generic_rpc_handlers((handlers(servicer),))
    health_servicer = health.HealthServicer()
    add_health_and_reflection(server, [SERVICE], health_servicer)
    port = server.add_insecure_port(address)
    health_servicer.set("", SERVING)
    health_servicer.set(SERVICE, SERVING)
    return server, port, health_servicer
