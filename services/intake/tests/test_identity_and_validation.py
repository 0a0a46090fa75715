"""Opaque person ids, and the checks a case must pass before it enters the pipeline."""

from __future__ import annotations

import pytest

from clearway.v1 import case_pb2, envelope_pb2, intake_service_pb2
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


@pytest.mark.parametrize("jurisdiction", ["ny/kings", "ca/", "ca", "", "sacramento", "CA/sacramento",
                                          "ca/atlantis", "ca/../../etc", "ca/sacramento/", "ca/los angeles"])
def test_a_bad_jurisdiction_is_flagged(jurisdiction):
    assert _fields(validate_case("t", jurisdiction, _valid_case())) == ["jurisdiction"]


def test_a_bad_jurisdiction_is_explained_with_a_known_one():
    (problem,) = validate_case("t", "ca/atlantis", _valid_case())
    assert "county" in problem.reason and "ca/" in problem.reason


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


# --- what a structured case must hold ------------------------------------------------


def _date(**fields) -> envelope_pb2.SourceDate:
    return envelope_pb2.SourceDate(**fields)


@pytest.mark.parametrize("name", [case_pb2.Name(), case_pb2.Name(recorded="   ")])
def test_a_case_without_a_name_is_refused(name):
    case = _valid_case()
    case.person.name.CopyFrom(name)
    assert _fields(validate_case("t", "ca/yolo", case)) == ["case.person.name"]


def test_a_case_without_a_person_is_refused():
    case = _valid_case()
    case.ClearField("person")
    assert "case.person.name" in _fields(validate_case("t", "ca/yolo", case))


def test_family_and_given_names_without_the_recorded_one_are_a_name():
    case = _valid_case()
    case.person.name.CopyFrom(case_pb2.Name(family_name="QUILLFEATHER", given_names="MARISOL"))
    assert validate_case("t", "ca/yolo", case) == []


@pytest.mark.parametrize("date", [
    _date(year=1990, month=13, day=4, raw="19901304", valid=True),  # month 13
    _date(year=0, month=0, day=0, raw="00000000", valid=True),
    _date(year=2001, month=2, day=29, valid=True),  # not a leap year
    _date(year=1990, month=4, day=13, raw="19900414", valid=True),  # raw disagrees
    _date(year=1990, month=4, day=13, raw="13/04/1990", valid=True),
    _date(raw="99991399"),  # a raw date that is not one
    _date(raw="19900413"),  # a date, but not said to be valid
    _date(year=1990, month=4, day=13),
])
def test_a_date_of_birth_that_is_not_a_real_date_is_refused_by_path(date):
    case = _valid_case()
    case.person.date_of_birth.CopyFrom(date)
    (problem,) = validate_case("t", "ca/yolo", case)
    assert problem.field == "case.person.date_of_birth"
    assert date.raw == "" or date.raw not in problem.reason


@pytest.mark.parametrize("date", [
    _date(year=1990, month=4, day=13, raw="19900413", valid=True),
    _date(year=1990, month=4, day=13, raw="1990-04-13", valid=True),
    _date(year=1990, month=4, day=13, valid=True),
    _date(),  # present but empty: absent
])
def test_a_real_date_or_none_passes(date):
    case = _valid_case()
    case.person.date_of_birth.CopyFrom(date)
    assert validate_case("t", "ca/yolo", case) == []


def test_every_date_of_the_record_is_checked_by_its_path():
    case = _valid_case()
    cycle = case.record.cycles[0]
    cycle.date.CopyFrom(_date(raw="99991399"))
    cycle.steps[0].event_date.CopyFrom(_date(year=2001, month=4, day=31, valid=True))
    cycle.steps[0].counts[0].disposition.date.CopyFrom(_date(raw="x"))
    assert _fields(validate_case("t", "ca/yolo", case)) == [
        "case.record.cycles[0].date", "case.record.cycles[0].steps[0].event_date",
        "case.record.cycles[0].steps[0].counts[0].disposition.date"]


@pytest.mark.parametrize("email", ["x@", "@example.org", "a@b@example.org",
                                   "zephyra@example.org\r\nBcc: all@example.org",
                                   "zephyra@example.org\nBcc: all@example.org"])
def test_an_email_address_that_is_not_one_is_refused_without_quoting_it(email):
    case = _valid_case()
    case.person.contact.email = email
    (problem,) = validate_case("t", "ca/yolo", case)
    assert problem.field == "case.person.contact.email"
    assert "example.org" not in problem.reason and "Bcc" not in problem.reason


def test_a_phone_number_must_be_e164():
    case = _valid_case()
    case.person.contact.phone = "555-0100"
    assert _fields(validate_case("t", "ca/yolo", case)) == ["case.person.contact.phone"]
    case.person.contact.phone = "+15555550100"
    assert validate_case("t", "ca/yolo", case) == []


def test_a_language_must_be_a_language_tag():
    case = _valid_case()
    case.person.preferred_language = "español!"
    assert _fields(validate_case("t", "ca/yolo", case)) == ["case.person.preferred_language"]
    case.person.preferred_language = "es-MX"
    assert validate_case("t", "ca/yolo", case) == []


def test_sms_or_mail_consent_without_a_number_or_address_is_flagged():
    case = _valid_case()
    case.person.consent.sms = True
    case.person.consent.postal_mail = True
    assert _fields(validate_case("t", "ca/yolo", case)) == [
        "case.person.consent.sms", "case.person.consent.postal_mail"]


def test_source_rows_are_held_to_what_a_doj_file_is():
    case = _valid_case()
    case.record.source_rows.add(file="a.csv", line=2, fields=["x"] * 90)
    (problem,) = validate_case("t", "ca/yolo", case)
    assert problem.field == "case.record.source_rows[0].fields"
    assert "95 fields" in problem.reason


@pytest.mark.parametrize("tenant", ["t" * 65, " padded", "tab\there"])
def test_a_tenant_must_be_a_short_printable_name(tenant):
    assert _fields(validate_case(tenant, "ca/yolo", _valid_case())) == ["tenant"]
