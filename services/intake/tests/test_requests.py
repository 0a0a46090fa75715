"""Client request ids: their shape, the ids derived from them, and the bounded memory of answers."""

from __future__ import annotations

import pytest

from clearway.v1 import intake_request_pb2, intake_service_pb2
from clearway_intake.answers import RequestAnswers
from clearway_intake.domain.requests import RequestIds, request_id_problem

KEY = b"0123456789abcdef-test-key"


@pytest.mark.parametrize("request_id", ["", "a", "x" * 128, "2026-11-20T10:00:00.123Z_retry-1"])
def test_a_request_id_of_the_documented_shape_passes(request_id):
    assert request_id_problem(request_id) is None


@pytest.mark.parametrize("request_id", ["x" * 129, "a b", "a/b", "ünï", "a\nb", "a;b"])
def test_any_other_request_id_is_refused_without_quoting_it(request_id):
    problem = request_id_problem(request_id)
    assert problem.field == "request_id" and request_id not in problem.reason


def test_a_request_key_is_stable_opaque_and_per_tenant_and_secret():
    ids = RequestIds(KEY)
    key = ids.request_key("coalition-a", "client-7")
    assert key == RequestIds(KEY).request_key("coalition-a", "client-7")
    assert key.startswith("r_") and "client-7" not in key and "coalition" not in key
    assert key != ids.request_key("coalition-b", "client-7")
    assert key != ids.request_key("coalition-a", "client-8")
    assert key != RequestIds(b"fedcba9876543210-other-key").request_key("coalition-a", "client-7")
    # The separator keeps tenant and request id apart.
    assert ids.request_key("ab", "c") != ids.request_key("a", "bc")


def test_derived_ids_are_the_same_for_the_same_item_and_differ_otherwise():
    ids = RequestIds(KEY)
    key = ids.request_key("t", "client-7")
    case_id, event_id = RequestIds.case_ids(key, 0, "d1")
    assert (case_id, event_id) == RequestIds.case_ids(key, 0, "d1")
    assert case_id != event_id
    others = {RequestIds.case_ids(key, 1, "d1"), RequestIds.case_ids(key, 0, "d2"),
              RequestIds.case_ids(ids.request_key("t", "client-8"), 0, "d1")}
    assert (case_id, event_id) not in others and len(others) == 3
    assert RequestIds.batch_id(key) == RequestIds.batch_id(key) != RequestIds.batch_id(
        ids.request_key("t", "client-8"))


def test_the_body_digest_is_keyed():
    def digest(key: bytes) -> str:
        hashed = RequestIds(key).body_digest()
        hashed.update(b"the same request")
        return hashed.hexdigest()

    assert digest(KEY) == digest(KEY) != digest(b"fedcba9876543210-other-key")


def answered(key: str, digest: str = "d", cases: int = 1) -> intake_request_pb2.IntakeRequestAnswered:
    return intake_request_pb2.IntakeRequestAnswered(
        request_key=key, request_digest=digest,
        batch_answer=intake_service_pb2.SubmitBatchResponse(
            batch_id="b", case_ids=[f"case-{n:032d}" for n in range(cases)]))


def test_the_latest_answer_for_a_key_wins():
    answers = RequestAnswers()
    answers.remember(answered("r_1", "first"))
    answers.remember(answered("r_1", "second"))
    assert answers.get("r_1").request_digest == "second" and len(answers) == 1
    assert answers.get("r_2") is None


def test_answers_are_bounded_in_memory_and_the_oldest_go_first():
    size = answered("r_00", cases=100).ByteSize()
    answers = RequestAnswers(max_bytes=10 * size)
    for n in range(25):
        answers.remember(answered(f"r_{n:02d}", cases=100))
    assert len(answers) == 10
    assert answers.get("r_14") is None and answers.get("r_15") is not None
