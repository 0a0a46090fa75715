"""Opaque person ids, and the checks a case must pass before it enters the pipeline."""

from __future__ import annotations

import pytest

from clearway.v1 import case_pb2, intake_service_pb2
from clearway_intake.domain.identity import PersonIds
from clearway_intake.domain.validation import Problem, validate_case

KEY = b"0123456789abcdef-test-key"
SOURCE_KEY = "18675309"
SCHEME = "ca-doj-subject-id"


# --- person ids --------------------------------------------------------------------


def test_person_id_is_stable_for_the_same_tenant_scheme_and_source_key():
    assert PersonIds(KEY).person_id("t1", SCHEME, SOURCE_KEY) == PersonIds(KEY).person_id(
        "t1", SCHEME, SOURCE_KEY)


def test_person_id_differs_by_tenant():
    ids = PersonIds(KEY)
    assert ids.person_id("t1", SCHEME, SOURCE_KEY) != ids.person_id("t2", SCHEME, SOURCE_KEY)


def test_person_id_differs_by_scheme():
    ids = PersonIds(KEY)
    assert ids.person_id("t1", SCHEME, SOURCE_KEY) != ids.person_id("t1", "ca-cii", SOURCE_KEY)


def test_person_id_differs_by_source_key():
    ids = PersonIds(KEY)
    assert ids.person_id("t1", SCHEME, SOURCE_KEY) != ids.person_id("t1", SCHEME, "18675310")


def test_person_id_differs_by_key():
    other = PersonIds(b"fedcba9876543210-other-key")
    assert PersonIds(KEY).person_id("t1", SCHEME, SOURCE_KEY) != other.person_id("t1", SCHEME, SOURCE_KEY)


def test_person_id_does_not_contain_the_source_key():
    person_id = PersonIds(KEY).person_id("t1", SCHEME, SOURCE_KEY)
    assert SOURCE_KEY not in person_id
    assert SCHEME not in person_id and "t1" not in person_id.removeprefix("p_")


def test_person_id_is_an_opaque_lower_case_token():
    person_id = PersonIds(KEY).person_id("t1", SCHEME, SOURCE_KEY)
    assert person_id.startswith("p_")
    body = person_id[2:]
    assert len(body) == 32  # 20 bytes of HMAC in base32
    assert body == body.lower() and body.isalnum()


def test_field_separator_keeps_tenant_and_scheme_apart():
    ids = PersonIds(KEY)
    assert ids.person_id("ab", "c", "d") != ids.person_id("a", "bc", "d")


def test_a_short_key_is_rejected():
    with pytest.raises(ValueError, match="16 bytes"):
        PersonIds(b"too-short")


def test_a_sixteen_byte_key_is_accepted():
    assert PersonIds(b"x" * 16).person_id("t", SCHEME, SOURCE_KEY).startswith("p_")


# --- validation --------------------------------------------------------------------


def _valid_case() -> intake_service_pb2.CaseInput:
    return intake_service_pb2.CaseInput(
        source_person_key=SOURCE_KEY,
        person=case_pb2.Person(
            name=case_pb2.Name(recorded="QUILLFEATHER,MARISOL T"),
            contact=case_pb2.Contact(email="marisol@example.org"),
            consent=case_pb2.Consent(email=True),
        ),
        record=case_pb2.CriminalRecord(cycles=[
            case_pb2.Cycle(cycle_order="1", steps=[
                case_pb2.Step(step_order="1", counts=[case_pb2.Count(count_order="001")]),
            ]),
        ]),
    )


def _fields(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


def test_a_valid_case_has_no_problems():
    assert validate_case("demo-coalition", "ca/sacramento", _valid_case()) == []


def test_missing_tenant_is_flagged():
    assert _fields(validate_case("", "ca/sacramento", _valid_case())) == ["tenant"]


@pytest.mark.parametrize("jurisdiction", ["ny/kings", "ca/", "ca", "", "sacramento", "CA/sacramento"])
def test_a_bad_jurisdiction_is_flagged(jurisdiction):
    assert _fields(validate_case("t", jurisdiction, _valid_case())) == ["jurisdiction"]


def test_missing_source_person_key_is_flagged():
    case = _valid_case()
    case.source_person_key = ""
    assert _fields(validate_case("t", "ca/yolo", case)) == ["case.source_person_key"]


def test_a_record_without_cycles_is_flagged():
    case = _valid_case()
    del case.record.cycles[:]
    assert _fields(validate_case("t", "ca/yolo", case)) == ["case.record.cycles"]


def test_a_count_without_count_order_is_flagged_by_its_path():
    case = _valid_case()
    case.record.cycles[0].steps.add(step_order="2", counts=[case_pb2.Count(), case_pb2.Count(count_order="x")])
    assert _fields(validate_case("t", "ca/yolo", case)) == [
        "case.record.cycles[0].steps[1].counts[0].count_order"]


def test_an_email_without_at_sign_is_flagged():
    case = _valid_case()
    case.person.contact.email = "marisol.example.org"
    assert _fields(validate_case("t", "ca/yolo", case)) == ["case.person.contact.email"]


def test_email_consent_without_an_email_address_is_flagged():
    case = _valid_case()
    case.person.contact.email = ""
    assert _fields(validate_case("t", "ca/yolo", case)) == ["case.person.consent.email"]


def test_no_email_and_no_email_consent_is_fine():
    case = _valid_case()
    case.person.contact.email = ""
    case.person.consent.email = False
    assert validate_case("t", "ca/yolo", case) == []


def test_every_problem_is_reported_at_once():
    case = _valid_case()
    case.source_person_key = ""
    case.person.contact.email = "nope"
    del case.record.cycles[:]
    assert _fields(validate_case("", "tx/travis", case)) == [
        "tenant", "jurisdiction", "case.source_person_key", "case.record.cycles",
        "case.person.contact.email",
    ]


def test_problems_never_quote_the_value():
    case = _valid_case()
    case.person.contact.email = "secret-address.example.org"
    (problem,) = validate_case("t", "ca/yolo", case)
    assert "secret-address" not in str(problem)
    assert str(problem).startswith("case.person.contact.email: ")
