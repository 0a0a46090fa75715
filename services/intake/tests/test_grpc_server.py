"""IntakeService over a real gRPC socket, with a stand-in producer: refusals, errors, retries.

The broker-backed tests (tests/integration/test_intake_grpc.py) run the same
calls against the whole pipeline; these check, fast, what each call publishes.
"""

from __future__ import annotations

import logging
from concurrent import futures

import grpc
import pytest
from intake_testing import StandInProducer
from kafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

from clearway import topics
from clearway.v1 import case_pb2, envelope_pb2, intake_service_pb2, intake_service_pb2_grpc
from clearway_intake.answers import RequestAnswers
from clearway_intake.domain.identity import PersonIds
from clearway_intake.domain.requests import RequestIds
from clearway_intake.grpc_server import IntakeServicer, build_server
from clearway_intake.publisher import CasePublisher
from clearway_intake.status import StatusBoard

KEY = b"0123456789abcdef-test-key"


class Intake:
    """A running intake gRPC server on a free local port, and a stub for it."""

    def __init__(self, producer: StandInProducer, answers: RequestAnswers):
        self.producer = producer
        self.answers = answers
        publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
        servicer = IntakeServicer(publisher, StatusBoard(), answers, RequestIds(KEY))
        self.server, port, _ = build_server(servicer, "127.0.0.1:0",
                                            futures.ThreadPoolExecutor(max_workers=4))
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[
            ("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)])
        self.stub = intake_service_pb2_grpc.IntakeServiceStub(self.channel)

    def raw(self, method: str, data: bytes, response_type):
        call = self.channel.unary_unary(f"/clearway.v1.IntakeService/{method}",
                                        request_serializer=lambda b: b,
                                        response_deserializer=response_type.FromString)
        return call(data, timeout=10)

    def close(self) -> None:
        self.channel.close()
        self.server.stop(grace=None).wait()


@pytest.fixture()
def producer() -> StandInProducer:
    return StandInProducer()


@pytest.fixture()
def intake(producer):
    running = Intake(producer, RequestAnswers())
    try:
        yield running
    finally:
        running.close()


def a_case(source_key: str = "S-1") -> intake_service_pb2.CaseInput:
    record = case_pb2.CriminalRecord(source_format="ca-doj-research-file")
    step = record.cycles.add(cycle_order="101").steps.add(step_order="002",
                                                          type_description="COURT ACTION")
    step.event_date.CopyFrom(envelope_pb2.SourceDate(year=2001, month=4, day=11, raw="20010411",
                                                     valid=True))
    step.counts.add(count_order="101002001000",
                    offense=case_pb2.Offense(description="11357(A) HS-POSSESS MARIJUANA"))
    person = case_pb2.Person(name=case_pb2.Name(recorded="QUILLFEATHER,ZEPHYRA"),
                             contact=case_pb2.Contact(email="zephyra@example.org"),
                             consent=case_pb2.Consent(email=True))
    return intake_service_pb2.CaseInput(person=person, record=record, source_person_key=source_key)


def a_request(request_id: str = "", **fields) -> intake_service_pb2.SubmitCaseRequest:
    return intake_service_pb2.SubmitCaseRequest(
        tenant="coalition-a", jurisdiction=fields.pop("jurisdiction", "ca/sacramento"),
        case=fields.pop("case", None) or a_case(), request_id=request_id)


def refusal(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        call()
    return refused.value


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("jurisdiction", ["ca/atlantis", "ca/../../etc", "ca/", "ny/kings"])
def test_an_unknown_jurisdiction_is_refused_and_nothing_is_published(intake, jurisdiction):
    error = refusal(lambda: intake.stub.SubmitCase(a_request(jurisdiction=jurisdiction)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("jurisdiction: ")
    assert intake.producer.sent == []


def test_a_case_breaking_its_limits_is_refused_with_the_fields_path(intake):
    case = a_case()
    case.person.name.recorded = "QUILLFEATHER" * 95_000  # 1.1 MB
    error = refusal(lambda: intake.stub.SubmitCase(a_request(case=case)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == "case.person.name.recorded: longer than 200 characters"
    case = a_case()
    for _ in range(10_000):
        case.record.cycles.add(cycle_order="102")
    error = refusal(lambda: intake.stub.SubmitCase(a_request(case=case)))
    assert error.details() == "case.record.cycles: more than 10,000 entries"
    assert intake.producer.sent == []


def test_many_problems_are_summed_up_after_the_first_ten(intake):
    case = a_case()
    for _ in range(30):
        case.record.cycles.add(cycle_order="C" * 201)
    details = refusal(lambda: intake.stub.SubmitCase(a_request(case=case))).details()
    assert details.count("longer than 200 characters") == 10
    assert details.endswith("; and 10 more")


@pytest.mark.parametrize("garbage", [b"\xff\xff\xff\xff", b"\x0a\x05ab", b"\x1a\xff\x01"])
def test_undecodable_requests_are_invalid_argument(intake, garbage):
    for method, reply in (("SubmitCase", intake_service_pb2.SubmitCaseResponse),
                          ("GetCaseStatus", intake_service_pb2.GetCaseStatusResponse)):
        error = refusal(lambda: intake.raw(method, garbage, reply))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, method
        assert "is not a valid clearway.v1." in error.details()


def test_an_empty_case_id_is_invalid_argument_and_an_unknown_one_not_found(intake):
    error = refusal(lambda: intake.stub.GetCaseStatus(intake_service_pb2.GetCaseStatusRequest()))
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "case_id: is required")
    error = refusal(lambda: intake.stub.GetCaseStatus(
        intake_service_pb2.GetCaseStatusRequest(case_id="no-such-case")))
    assert error.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("raised", [MessageSizeTooLargeError, RuntimeError, KeyError])
def test_an_unexpected_error_is_internal_with_a_reference_and_no_internals(intake, caplog, raised):
    intake.producer.trouble = lambda topic: raised
    with caplog.at_level(logging.ERROR):
        error = refusal(lambda: intake.stub.SubmitCase(a_request()))
    assert error.code() == grpc.StatusCode.INTERNAL
    reference = error.details().removeprefix("internal error (reference ").removesuffix(")")
    assert len(reference) == 36 and error.details() == f"internal error (reference {reference})"
    (logged,) = [r for r in caplog.records if getattr(r, "error", None) == reference]
    assert logged.reason == raised.__name__
    assert "DOE" not in logged.getMessage() and logged.exc_info is None


def test_a_send_kafka_does_not_acknowledge_is_unavailable_and_the_next_call_goes_through(intake):
    intake.producer.trouble = lambda topic: KafkaTimeoutError("Batch for clearway.cases.v1 expired")
    error = refusal(lambda: intake.stub.SubmitCase(a_request()))
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "Kafka" not in error.details() and "expired" not in error.details()
    intake.producer.trouble = None
    assert intake.stub.SubmitCase(a_request()).case_id
    assert len(intake.producer.of(topics.CASES)) == 1


def test_a_batch_whose_first_message_is_undecodable_is_refused_whole(intake):
    call = intake.channel.stream_unary("/clearway.v1.IntakeService/SubmitBatch",
                                       request_serializer=lambda b: b,
                                       response_deserializer=intake_service_pb2.SubmitBatchResponse.FromString)
    good = intake_service_pb2.SubmitBatchRequest(tenant="t", jurisdiction="ca/yolo",
                                                 case=a_case()).SerializeToString()
    error = refusal(lambda: call(iter([b"\xff\xff", good]), timeout=10))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert intake.producer.sent == []
    reply = call(iter([good, b"\xff\xff", good]), timeout=10)
    assert (reply.accepted, reply.rejected) == (2, 1)
    (letter,) = intake.producer.of(topics.INTAKE_REJECTED)
    assert letter.line == 1 and "not a valid clearway.v1.SubmitBatchRequest" in letter.reason


def test_a_batch_item_over_the_limits_is_dead_lettered_and_the_rest_flow(intake):
    big = a_case()
    big.person.name.recorded = "N" * 300
    items = [intake_service_pb2.SubmitBatchRequest(tenant="t", jurisdiction=j, case=c)
             for j, c in (("ca/yolo", a_case()), ("ca/yolo", big), ("ca/atlantis", a_case()))]
    reply = intake.stub.SubmitBatch(iter(items), timeout=10)
    assert (reply.accepted, reply.rejected) == (1, 2)
    reasons = [letter.reason for letter in intake.producer.of(topics.INTAKE_REJECTED)]
    assert reasons[0].startswith("batch item 1: case.person.name.recorded: longer than 200")
    assert reasons[1].startswith("batch item 2: jurisdiction: ")


def test_a_dead_letter_always_fits_its_topic(intake):
    huge = a_case()
    huge.record.source_rows.add(file="a.csv", fields=["F" * 1_000] * 15_000)
    items = [intake_service_pb2.SubmitBatchRequest(tenant="t", jurisdiction="ca/yolo", case=huge)]
    reply = intake.stub.SubmitBatch(iter(items), timeout=30)
    assert reply.rejected == 1
    (letter,) = intake.producer.of(topics.INTAKE_REJECTED)
    assert letter.original_truncated and letter.original_size == items[0].ByteSize()
    assert letter.ByteSize() <= topics.MAX_MESSAGE_BYTES


# --- idempotent submission ---------------------------------------------------------------


def test_the_same_request_id_is_answered_again_and_published_once(intake):
    first = intake.stub.SubmitCase(a_request("retry-1"))
    again = intake.stub.SubmitCase(a_request("retry-1"))
    assert again == first
    (case,) = intake.producer.of(topics.CASES)
    assert (case.envelope.case_id, case.envelope.event_id) == (first.case_id, first.event_id)
    (answer,) = intake.producer.of(topics.INTAKE_REQUESTS)
    assert answer.case_answer == first
    assert "retry-1" not in answer.request_key and "retry-1" not in answer.SerializeToString().decode(
        "latin-1")


def test_requests_without_an_id_are_two_submissions(intake):
    first, second = intake.stub.SubmitCase(a_request()), intake.stub.SubmitCase(a_request())
    assert first.case_id != second.case_id and first.person_id == second.person_id
    assert len(intake.producer.of(topics.CASES)) == 2 and intake.producer.of(topics.INTAKE_REQUESTS) == []


def test_a_request_id_reused_for_another_request_is_refused(intake):
    intake.stub.SubmitCase(a_request("retry-2"))
    other = a_case()
    other.person.name.recorded = "QUILLFEATHER,MARISOL"
    error = refusal(lambda: intake.stub.SubmitCase(a_request("retry-2", case=other)))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error.details().startswith("request_id: ")
    assert len(intake.producer.of(topics.CASES)) == 1


def test_each_tenant_has_its_own_request_ids(intake):
    first = intake.stub.SubmitCase(a_request("shared-id"))
    other = a_request("shared-id")
    other.tenant = "coalition-b"
    assert intake.stub.SubmitCase(other).case_id != first.case_id


@pytest.mark.parametrize("request_id", ["has space", "x" * 129, "semi;colon", "ünï"])
def test_a_malformed_request_id_is_refused(intake, request_id):
    error = refusal(lambda: intake.stub.SubmitCase(a_request(request_id)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("request_id: ")
    assert intake.producer.sent == []


def test_a_restarted_intake_answers_from_the_recorded_answers(producer):
    first_intake = Intake(producer, RequestAnswers())
    try:
        first = first_intake.stub.SubmitCase(a_request("retry-3"))
    finally:
        first_intake.close()
    recorded = RequestAnswers()
    for answer in producer.of(topics.INTAKE_REQUESTS):
        recorded.remember(answer)
    restarted = Intake(producer, recorded)
    try:
        assert restarted.stub.SubmitCase(a_request("retry-3")) == first
    finally:
        restarted.close()
    assert len(producer.of(topics.CASES)) == 1


def test_a_crash_before_the_answer_is_recorded_republishes_the_same_event(producer):
    """Intake published the case but not its answer (here: the answer's send fails)."""
    producer.trouble = lambda topic: KafkaTimeoutError() if topic == topics.INTAKE_REQUESTS else None
    crashed = Intake(producer, RequestAnswers())
    try:
        first = crashed.stub.SubmitCase(a_request("retry-4"))
    finally:
        crashed.close()
    producer.trouble = None
    restarted = Intake(producer, RequestAnswers())  # nothing was recorded
    try:
        assert restarted.stub.SubmitCase(a_request("retry-4")) == first
    finally:
        restarted.close()
    events = [(c.envelope.case_id, c.envelope.event_id) for c in producer.of(topics.CASES)]
    assert events == [(first.case_id, first.event_id)] * 2  # downstream drops the second


def test_a_retried_batch_is_answered_again_and_a_different_one_refused(intake):
    def stream(request_id, names):
        for n, name in enumerate(names):
            case = a_case(f"S-{n}")
            case.person.name.recorded = name
            yield intake_service_pb2.SubmitBatchRequest(
                tenant="t", jurisdiction="ca/yolo", case=case, request_id=request_id if n == 0 else "")

    first = intake.stub.SubmitBatch(stream("batch-1", ["A,B", "C,D", ""]), timeout=10)
    assert (first.accepted, first.rejected) == (2, 1)
    again = intake.stub.SubmitBatch(stream("batch-1", ["A,B", "C,D", ""]), timeout=10)
    assert again == first
    assert len(intake.producer.of(topics.CASES)) == 2
    assert len(intake.producer.of(topics.INTAKE_REJECTED)) == 1
    error = refusal(lambda: intake.stub.SubmitBatch(stream("batch-1", ["A,B", "E,F"]), timeout=10))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS


def test_a_batch_item_with_another_request_id_is_dead_lettered(intake):
    items = [intake_service_pb2.SubmitBatchRequest(tenant="t", jurisdiction="ca/yolo", case=a_case(),
                                                   request_id=request_id)
             for request_id in ("batch-2", "batch-2", "batch-3")]
    reply = intake.stub.SubmitBatch(iter(items), timeout=10)
    assert (reply.accepted, reply.rejected) == (2, 1)
    (letter,) = intake.producer.of(topics.INTAKE_REJECTED)
    assert "request_id: differs" in letter.reason


def test_sends_kafka_has_not_answered_are_pending_work_for_health_and_each_answer_is_progress():
    from kafka.future import Future

    class Unanswered(StandInProducer):
        def __init__(self):
            super().__init__()
            self.futures = []

        def send(self, topic, key, value, headers):
            self.futures.append(Future())
            return self.futures[-1]

    clock = [100.0]
    producer = Unanswered()
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
    publisher.progress._clock = lambda: clock[0]
    publisher.progress.advanced()
    receipts = []
    publisher.publish_case(tenant="t", jurisdiction="ca/yolo", case=a_case(), receipts=receipts)
    publisher.publish_case(tenant="t", jurisdiction="ca/yolo", case=a_case("S-2"))
    clock[0] += 90
    assert publisher.progress.stalled_for() == 90  # two records, no answer: stuck
    producer.futures[0].success(None)
    assert publisher.progress.stalled_for() == 0
    clock[0] += 30
    assert publisher.progress.stalled_for() == 30  # one still unanswered
    producer.futures[1].failure(KafkaTimeoutError())
    assert publisher.progress.stalled_for() == 0  # answered, even if refused: nothing in hand
