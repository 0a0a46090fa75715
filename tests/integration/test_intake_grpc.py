"""IntakeService over a real gRPC socket: submit, status, health, reflection, validation."""

from __future__ import annotations

import email
import json
import time

import grpc
import pytest
from grpc_cases import a_case
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from clearway import topics, tracetree
from clearway.bus import read_topic
from clearway.v1 import (
    case_pb2,
    determination_pb2,
    intake_service_pb2,
    intake_service_pb2_grpc,
    notification_pb2,
    petition_pb2,
)

pytestmark = pytest.mark.broker


@pytest.fixture()
def intake(stack):
    with grpc.insecure_channel(stack.intake_address) as channel:
        yield channel


def test_submit_case_flows_to_notified_and_status_reports_it(intake):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    reply = stub.SubmitCase(intake_service_pb2.SubmitCaseRequest(
        tenant="coalition-a", jurisdiction="ca/sacramento", case=a_case("S-1")), timeout=30)
    assert reply.case_id and reply.person_id.startswith("p_") and "S-1" not in reply.person_id

    deadline = time.monotonic() + 60
    while True:
        status = stub.GetCaseStatus(intake_service_pb2.GetCaseStatusRequest(case_id=reply.case_id))
        if status.stage == intake_service_pb2.CASE_STAGE_NOTIFIED or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status.stage == intake_service_pb2.CASE_STAGE_NOTIFIED
    assert status.convictions_determined == 1 and status.convictions_eligible == 1
    assert status.documents == 2 and status.notifications == 1


def test_same_source_person_gets_the_same_opaque_id(intake):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    request = intake_service_pb2.SubmitCaseRequest(tenant="coalition-a", jurisdiction="ca/sacramento",
                                                   case=a_case("S-2"))
    first, second = stub.SubmitCase(request, timeout=30), stub.SubmitCase(request, timeout=30)
    assert first.person_id == second.person_id and first.case_id != second.case_id


def test_invalid_case_is_refused_naming_the_field_not_the_value(intake):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    case = a_case("S-3")
    case.person.contact.email = "QUILLFEATHER-no-at-sign"
    with pytest.raises(grpc.RpcError) as refused:
        stub.SubmitCase(intake_service_pb2.SubmitCaseRequest(
            tenant="coalition-a", jurisdiction="ny/kings", case=case), timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "jurisdiction" in refused.value.details()
    assert "case.person.contact.email" in refused.value.details()
    assert "QUILLFEATHER" not in refused.value.details()


def test_submit_batch_accepts_valid_cases_and_dead_letters_the_rest(intake):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    good = intake_service_pb2.SubmitBatchRequest(tenant="coalition-a", jurisdiction="ca/sacramento",
                                                 case=a_case("S-4"))
    bad = intake_service_pb2.SubmitBatchRequest(tenant="coalition-a", jurisdiction="ca/sacramento",
                                                case=intake_service_pb2.CaseInput())
    reply = stub.SubmitBatch(iter([good, bad, good]), timeout=30)
    assert (reply.accepted, reply.rejected, len(reply.case_ids)) == (2, 1, 2)


def test_unknown_case_status_is_not_found_and_an_empty_case_id_invalid(intake):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    with pytest.raises(grpc.RpcError) as missing:
        stub.GetCaseStatus(intake_service_pb2.GetCaseStatusRequest(case_id="no-such-case"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as empty:
        stub.GetCaseStatus(intake_service_pb2.GetCaseStatusRequest(case_id=""))
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert empty.value.details() == "case_id: is required"


@pytest.mark.parametrize("jurisdiction", ["ca/atlantis", "ca/../../etc"])
def test_an_unknown_county_is_refused_naming_the_field(intake, jurisdiction):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    with pytest.raises(grpc.RpcError) as refused:
        stub.SubmitCase(intake_service_pb2.SubmitCaseRequest(
            tenant="coalition-a", jurisdiction=jurisdiction, case=a_case("S-5")), timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details().startswith("jurisdiction: ")


def test_oversized_and_undecodable_requests_are_invalid_argument_without_internals(intake):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    huge_name = a_case("S-6")
    huge_name.person.name.recorded = "QUILLFEATHER" * 95_000  # 1.1 MB
    many_cycles = a_case("S-7")
    for _ in range(10_000):
        many_cycles.record.cycles.add(cycle_order="102")
    expected = {id(huge_name): "case.person.name.recorded: longer than 200 characters",
                id(many_cycles): "case.record.cycles: more than 10,000 entries"}
    for case in (huge_name, many_cycles):
        with pytest.raises(grpc.RpcError) as refused:
            stub.SubmitCase(intake_service_pb2.SubmitCaseRequest(
                tenant="coalition-a", jurisdiction="ca/sacramento", case=case), timeout=30)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert refused.value.details() == expected[id(case)]
    garbage = intake.unary_unary("/clearway.v1.IntakeService/SubmitCase",
                                 request_serializer=lambda b: b,
                                 response_deserializer=intake_service_pb2.SubmitCaseResponse.FromString)
    with pytest.raises(grpc.RpcError) as refused:
        garbage(b"\xff\xfe garbage \x00", timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "Error" not in refused.value.details()


def count_of(stack, topic, message_type, case_id) -> int:
    return sum(m.envelope.case_id == case_id for m in read_topic(stack.broker.bootstrap, topic, message_type))


def test_the_same_request_id_twice_and_after_a_restart_is_one_case_petition_and_email(stack, intake):
    request = intake_service_pb2.SubmitCaseRequest(
        tenant="coalition-a", jurisdiction="ca/sacramento", case=a_case("S-8"),
        request_id="client-retry-0001")
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    first = stub.SubmitCase(request, timeout=30)
    assert stub.SubmitCase(request, timeout=30) == first
    stack.services["intake"].stop()
    stack.restart_service("intake")
    with grpc.insecure_channel(stack.intake_address) as channel:
        restarted = intake_service_pb2_grpc.IntakeServiceStub(channel)
        assert restarted.SubmitCase(request, timeout=30) == first
        other = intake_service_pb2.SubmitCaseRequest()
        other.CopyFrom(request)
        other.case.person.name.recorded = "QUILLFEATHER,MARISOL"
        with pytest.raises(grpc.RpcError) as refused:
            restarted.SubmitCase(other, timeout=30)
        assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS

    deadline = time.monotonic() + 90
    while count_of(stack, topics.NOTIFICATIONS, notification_pb2.NotificationSent, first.case_id) < 1:
        assert time.monotonic() < deadline, "the case was never notified"
        time.sleep(0.5)
    time.sleep(3)  # anything late, e.g. a duplicate, is counted too
    counts = {topic: count_of(stack, topic, message_type, first.case_id)
              for topic, message_type in ((topics.CASES, case_pb2.CaseSubmitted),
                                          (topics.DETERMINATIONS, determination_pb2.DeterminationMade),
                                          (topics.PETITIONS, petition_pb2.PetitionGenerated),
                                          (topics.NOTIFICATIONS, notification_pb2.NotificationSent))}
    assert counts == {topics.CASES: 1, topics.DETERMINATIONS: 1, topics.PETITIONS: 1,
                      topics.NOTIFICATIONS: 1}
    (notice,) = [n for n in read_topic(stack.broker.bootstrap, topics.NOTIFICATIONS,
                                       notification_pb2.NotificationSent)
                 if n.envelope.case_id == first.case_id]
    emails = [path for path in stack.email_dir.glob("*.eml")
              if email.message_from_bytes(path.read_bytes())["Message-ID"] == notice.message_id]
    assert len(emails) == 1


def test_a_grpc_case_is_one_trace_through_all_four_services_linked_to_the_call(stack, intake):
    stub = intake_service_pb2_grpc.IntakeServiceStub(intake)
    reply = stub.SubmitCase(intake_service_pb2.SubmitCaseRequest(
        tenant="coalition-a", jurisdiction="ca/sacramento", case=a_case("S-9")), timeout=30)
    deadline = time.monotonic() + 90
    while count_of(stack, topics.NOTIFICATIONS, notification_pb2.NotificationSent, reply.case_id) < 1:
        assert time.monotonic() < deadline, "the case was never notified"
        time.sleep(0.5)
    time.sleep(1.5)  # span processors flush every 500 ms
    spans = tracetree.load_spans(stack.trace_dir)
    (trace_id,) = tracetree.traces_for(spans, reply.case_id)
    assert tracetree.services_in(spans, trace_id) == {"intake", "eligibility", "petitions", "notifications"}
    raw = [json.loads(line) for line in (stack.trace_dir / "intake.jsonl").read_text().splitlines() if line]
    (root,) = [s for s in raw if s["name"] == "intake case"
               and s["attributes"].get("clearway.case_id") == reply.case_id]
    (link,) = root["links"]
    (call,) = [s for s in raw if s["span_id"] == link["span_id"]]
    assert (call["name"], call["kind"]) == ("/clearway.v1.IntakeService/SubmitCase", "SERVER")


def test_every_service_answers_grpc_health_and_intake_reflects_its_api(stack, intake):
    for name, proc in stack.services.items():
        with grpc.insecure_channel(proc.health_address) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, name
    stub = reflection_pb2_grpc.ServerReflectionStub(intake)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {s.name for r in responses for s in r.list_services_response.service}
    assert {"clearway.v1.IntakeService", "grpc.health.v1.Health"} <= names
