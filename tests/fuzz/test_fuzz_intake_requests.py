"""gRPC request validation: any request is answered, or refused with INVALID_ARGUMENT naming a field.

The servicer is driven as grpc drives it (raw request bytes, our own error
wrapper), with a stand-in producer, so each generated request costs
microseconds; tests/integration/test_intake_grpc.py runs the same calls over a
real socket against the whole pipeline.
"""

from __future__ import annotations

import grpc
import pytest
from hypothesis import given
from hypothesis import strategies as st
from intake_testing import StandInProducer

from clearway import topics
from clearway.v1 import intake_service_pb2
from clearway_intake.answers import RequestAnswers
from clearway_intake.domain.identity import PersonIds
from clearway_intake.domain.requests import RequestIds
from clearway_intake.domain.validation import validate_case
from clearway_intake.grpc_server import IntakeServicer, _answered
from clearway_intake.publisher import CasePublisher
from clearway_intake.status import StatusBoard

from protobuf_strategies import SAMPLE_WORDS, TEXT, messages

pytestmark = pytest.mark.fuzz

KEY = b"0123456789abcdef-fuzz-key"
# What a caller may be told. INTERNAL would be a bug: its details say nothing useful.
EXPLAINED = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.ALREADY_EXISTS,
             grpc.StatusCode.NOT_FOUND}


class Aborted(Exception):
    def __init__(self, code, details):
        super().__init__(details)
        self.code, self.details = code, details


class Context:
    """The part of grpc.ServicerContext the servicer uses."""

    def abort(self, code, details):
        raise Aborted(code, details)

    def is_active(self):
        return True


def _servicer() -> tuple[IntakeServicer, StandInProducer]:
    producer = StandInProducer()
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
    return IntakeServicer(publisher, StatusBoard(), RequestAnswers(), RequestIds(KEY)), producer


def _answer(method, request):
    try:
        return method(request, Context()), None
    except Aborted as aborted:
        assert aborted.code in EXPLAINED, f"{aborted.code}: {aborted.details}"
        assert aborted.details and "Traceback" not in aborted.details
        return None, aborted


JURISDICTIONS = st.one_of(st.sampled_from(["ca/sacramento", "ca/yolo", "ca/atlantis", ""]), TEXT)
TENANTS = st.one_of(st.just("demo-coalition"), TEXT)


@given(tenant=TENANTS, jurisdiction=JURISDICTIONS, case=messages(intake_service_pb2.CaseInput))
def test_validation_of_any_case_is_a_list_of_problems_naming_fields_not_values(tenant, jurisdiction, case):
    problems = validate_case(tenant, jurisdiction, case)
    assert isinstance(problems, list)
    private = {v for v in (case.person.name.recorded, case.person.contact.email,
                           case.source_person_key, *(i.value for i in case.person.identifiers))
               if len(v.strip()) >= 6 and v not in SAMPLE_WORDS}
    for problem in problems:
        assert problem.field.startswith(("tenant", "jurisdiction", "case")), problem.field
        assert problem.reason
        assert not any(value in str(problem) for value in private), problem.field


@given(request=st.builds(intake_service_pb2.SubmitCaseRequest, tenant=TENANTS,
                         jurisdiction=JURISDICTIONS, case=messages(intake_service_pb2.CaseInput),
                         request_id=st.one_of(st.just(""), st.just("r-1"), TEXT)))
def test_any_submit_case_is_published_once_or_refused_naming_a_field(request):
    servicer, producer = _servicer()
    reply, refused = _answer(_answered(servicer.SubmitCase), request.SerializeToString())
    cases = producer.of(topics.CASES)
    if refused is not None:
        assert cases == [], "a refused case was published"
        assert ":" in refused.details  # "<field path>: <reason>"
    else:
        assert [c.envelope.case_id for c in cases] == [reply.case_id]


@given(data=st.binary(max_size=512))
def test_bytes_that_are_no_request_are_invalid_argument(data):
    servicer, _producer = _servicer()
    for method in (servicer.SubmitCase, servicer.GetCaseStatus):
        _answer(_answered(method), data)  # asserts the status is an explained one


@given(requests=st.lists(st.builds(intake_service_pb2.SubmitBatchRequest, tenant=TENANTS,
                                   jurisdiction=JURISDICTIONS,
                                   case=messages(intake_service_pb2.CaseInput, max_depth=4),
                                   request_id=st.sampled_from(["", "batch-1"])), max_size=4))
def test_any_batch_stream_is_answered_or_refused_and_each_item_accounted_for(requests):
    servicer, producer = _servicer()
    reply, refused = _answer(_answered(servicer.SubmitBatch),
                             iter([r.SerializeToString() for r in requests]))
    if refused is None:
        assert reply.accepted + reply.rejected == len(requests)
        assert len(producer.of(topics.CASES)) == reply.accepted
        assert len(producer.of(topics.INTAKE_REJECTED)) == reply.rejected
