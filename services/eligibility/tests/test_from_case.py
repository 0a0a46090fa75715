"""Reading a CaseSubmitted the way gogen reads a DOJ record (§1.3, §1.4)."""

from __future__ import annotations

import datetime

import pytest

from clearway.v1 import case_pb2, envelope_pb2
from clearway_eligibility.domain import sections
from clearway_eligibility.domain.from_case import date_from_source, subject_from_case


def sdate(raw: str, valid: bool = True) -> envelope_pb2.SourceDate:
    if not valid:
        return envelope_pb2.SourceDate(raw=raw, valid=False)
    return envelope_pb2.SourceDate(
        year=int(raw[:4]), month=int(raw[4:6]), day=int(raw[6:]), raw=raw, valid=True
    )


def count(
    count_order: str,
    disposition: str = "CONVICTED-PROBATION",
    offense: str = "11358 HS-CULTIVATE CANNABIS",
    case_number: str = "",
    comment: str = "",
    status: str = "FELONY",
    toc: str = "F",
    row: int = 0,
) -> case_pb2.Count:
    return case_pb2.Count(
        count_order=count_order,
        case_number=case_number,
        offense=case_pb2.Offense(description=offense, type_of_charge=toc),
        disposition=case_pb2.Disposition(description=disposition, conviction_status=status),
        comment=comment,
        source_row_index=row,
    )


def step(
    type_description: str,
    *counts: case_pb2.Count,
    event_date: envelope_pb2.SourceDate | None = None,
    county: str = "SACRAMENTO",
    step_order: str = "001",
) -> case_pb2.Step:
    return case_pb2.Step(
        step_order=step_order,
        event_date=event_date or sdate("20100101"),
        type_description=type_description,
        agency=case_pb2.Agency(county_name=county),
        counts=counts,
    )


def case(*steps: case_pb2.Step, dob: envelope_pb2.SourceDate | None = None) -> case_pb2.CaseSubmitted:
    return case_pb2.CaseSubmitted(
        person=case_pb2.Person(person_id="person-1", date_of_birth=dob or sdate("19800101")),
        record=case_pb2.CriminalRecord(cycles=[case_pb2.Cycle(cycle_order="101", steps=steps)]),
    )


# ------------------------------------------------------- code section (§1.4)


@pytest.mark.parametrize(
    ("offense", "comment", "expected"),
    [
        ("11357(C)HS-POSSESS MARIJUANA", "", "11357(C)HS"),
        ("220 PC- COMMIT MAYHEM", "", "220 PC"),
        ("503 VC-TAKE CAR W/OUT OWNERS CONSENT", "11358 HS-X", "503 VC"),
        ("11358 HS", "", "11358 HS"),  # no hyphen: the whole text
        ("SEE COMMENT FOR CHARGE", "11358 HS-CULTIVATE CANNABIS", "11358 HS"),
        ("", "11359 HS-OTHER", "11359 HS"),
        ("   ", "11359 HS-OTHER", "11359 HS"),  # blank after trimming
        ("", "", ""),
        # gogen trims before both the blank and the "SEE COMMENT" test
        # (IsCodeSectionInComment), so a padded "SEE COMMENT" switches too.
        ("SEE COMMENT FOR CHARGE ", "11358 HS-X", "11358 HS"),
        (" SEE COMMENT FOR CHARGE", "11359 HS-X", "11359 HS"),
        ("see comment for charge", "11358 HS-X", "see comment for charge"),  # case-sensitive
        # gogen quirk: a hyphenated attempt loses its Prop 64 section.
        ("664-11357 HS-ATTEMPT", "", "664"),
        (" 148 PC - RESISTING", "", " 148 PC "),  # untrimmed
    ],
)
def test_extract_code_section(offense: str, comment: str, expected: str) -> None:
    """gogen's reading (§1.4): what a structured case's charges become under gogen's version."""
    assert sections.extract_code_section(offense, comment) == expected


# -------------------------------------------------------------- dates (§1.6)


def test_source_dates() -> None:
    assert date_from_source(sdate("19810411")) == datetime.date(1981, 4, 11)
    assert date_from_source(sdate("19790000", valid=False)) is None
    # Marked valid but impossible: treated like any unparseable date.
    impossible = envelope_pb2.SourceDate(year=1979, month=2, day=30, raw="19790230", valid=True)
    assert date_from_source(impossible) is None


def test_invalid_dates_become_none_and_keep_the_raw_text() -> None:
    subject = subject_from_case(
        case(
            step("COURT ACTION", count("101001001000"), event_date=sdate("1981041 ", valid=False)),
            dob=sdate("19790000", valid=False),
        )
    )
    assert subject.dob is None and subject.dob_raw == "19790000"
    (conviction,) = subject.convictions
    assert conviction.date is None and conviction.date_raw == "1981041 "


# ------------------------------------------------------ convictions (§1.3)


def test_builds_a_conviction_from_the_first_convicted_count() -> None:
    subject = subject_from_case(
        case(
            step(
                "COURT ACTION",
                count(
                    "101001006000",
                    offense="SEE COMMENT FOR CHARGE",
                    comment="11358 HS-CULTIVATE CANNABIS",
                    case_number="140193",
                    status="",
                    toc="F",
                    row=5,
                ),
                event_date=sdate("19810411"),
                county="YOLO",
                step_order="002",
            )
        )
    )
    (conviction,) = subject.convictions
    assert conviction.conviction_id == "101001006000"  # the count order, as from DOJ rows
    assert conviction.code_section == "11358 HS"
    assert conviction.offense_text == "SEE COMMENT FOR CHARGE"
    assert conviction.comment_text == "11358 HS-CULTIVATE CANNABIS"
    assert (conviction.conviction_status, conviction.type_of_charge) == ("", "F")
    assert conviction.date == datetime.date(1981, 4, 11)
    assert conviction.date_raw == "19810411"
    assert conviction.county == "YOLO"
    assert conviction.case_numbers == ("140193",)
    assert conviction.source_row_index == 5
    assert subject.person_id == "person-1"
    assert subject.dob == datetime.date(1980, 1, 1)


def test_one_conviction_per_count_order_and_only_convicted_counts() -> None:
    subject = subject_from_case(
        case(
            step("ARREST/DETAINED/CITED", count("101001001000", disposition="", row=0)),
            step(
                "COURT ACTION",
                count("101001001000", disposition="DISMISSED/CHARGE DROPPED", row=1),
                # First CONVICTED row of the count, after a non-conviction row.
                count("101001001000", disposition="CONVICTED-JAIL", offense="11359 HS-A", row=2),
                # Sentence part: same count order, not counted again.
                count("101001001000", disposition="CONVICTED-PROBATION", offense="11360 HS-B", row=3),
                count("101001002000", disposition="CONVICTED", offense="503 VC-C", row=4),
                count("101001003000", disposition=" CONVICTED", row=5),  # must start with it
                count("101001004000", disposition="convicted", row=6),  # case-sensitive
            ),
        )
    )
    assert [(c.code_section, c.source_row_index) for c in subject.convictions] == [
        ("11359 HS", 2),
        ("503 VC", 4),
    ]


def test_any_step_type_can_carry_a_conviction() -> None:
    # As in the gogen fixture: a DECEASED step row with CONVICTED-PROBATION.
    subject = subject_from_case(
        case(step("DECEASED", count("101001033000", offense="555 PC-UH OH")))
    )
    assert [c.code_section for c in subject.convictions] == ["555 PC"]
    assert subject.deceased


def test_convictions_keep_proto_order_across_cycles_and_steps() -> None:
    c = case_pb2.CaseSubmitted(
        person=case_pb2.Person(person_id="p"),
        record=case_pb2.CriminalRecord(
            cycles=[
                case_pb2.Cycle(cycle_order="102", steps=[step("COURT ACTION", count("102001001000"))]),
                case_pb2.Cycle(
                    cycle_order="101",
                    steps=[
                        step("COURT ACTION", count("101002001000"), step_order="002"),
                        step("COURT ACTION", count("101001001000"), step_order="001"),
                    ],
                ),
            ]
        ),
    )
    subject = subject_from_case(c)
    assert [x.conviction_id for x in subject.convictions] == [
        "102001001000",
        "101002001000",
        "101001001000",
    ]
    assert subject.dob is None and subject.dob_raw == ""


# ------------------------------------------------ person-level flags (§1.3)


def test_deceased_needs_a_deceased_step_even_without_counts() -> None:
    assert subject_from_case(case(step("DECEASED"))).deceased
    assert not subject_from_case(case(step("COURT ACTION", count("101001001000")))).deceased
    assert not subject_from_case(case(step("Deceased", count("101001001000")))).deceased


@pytest.mark.parametrize(
    ("step_type", "offense", "expected"),
    [
        ("REGISTRATION", "290 PC-REGISTRATION OF SEX OFFENDER", True),
        ("REGISTRATION", "290(A) PC", True),
        ("REGISTRATION", "457.1 PC-ARSON REGISTRATION", False),
        ("REGISTRATION", " 290 PC", False),  # raw text must start with 290
        ("COURT ACTION", "290 PC-FAIL TO REGISTER", False),
    ],
)
def test_pc290_registration(step_type: str, offense: str, expected: bool) -> None:
    registration = count("101001009000", disposition="", offense=offense)
    subject = subject_from_case(case(step(step_type, registration)))
    assert subject.pc290_registration is expected


# ---------------------------------------------------- case numbers (§1.3)


def test_case_numbers_are_collected_per_cycle_and_step_prefix() -> None:
    subject = subject_from_case(
        case(
            # Not a court action: ignored even with an OFN.
            step("ARREST/DETAINED/CITED", count("101001001000", disposition="", case_number="111")),
            step(
                "COURT ACTION",
                count("101001002000", disposition="DISMISSED", case_number="NULL  "),
                count("101001003000", case_number="222"),
                count("101001004000", disposition="DISMISSED", case_number=""),  # empty: skipped
                count("101001005000", disposition="DISMISSED", case_number="222"),  # duplicate
                count("102001006000", case_number="333"),  # another prefix
            ),
            # A later court action of the same prefix still counts.
            step("COURT ACTION", count("101001007000", disposition="DISMISSED", case_number=" ")),
        )
    )
    by_id = {c.conviction_id: c.case_numbers for c in subject.convictions}
    assert by_id == {
        "101001003000": ("NULL  ", "222", " "),
        "102001006000": ("333",),
    }


def test_short_count_orders_do_not_crash() -> None:
    # gogen panics here; we use the shorter prefix.
    subject = subject_from_case(case(step("COURT ACTION", count("10", case_number="9"))))
    assert subject.convictions[0].case_numbers == ("9",)


# --------------------------------------------- gogen fixture, field by field


def test_fixture_subjects_match_gogen_person_and_case_columns(
    gogen_fixtures, load_doj_cases, load_gogen_results
) -> None:
    """Case numbers, conviction counts, dates and flags equal gogen's output."""
    cases = load_doj_cases(gogen_fixtures / "configurable_flow" / "input.csv")
    results = load_gogen_results(gogen_fixtures / "configurable_flow" / "expected" / "All_Results.csv")
    assert len(cases) == 13

    checked = 0
    for case_event in cases.values():
        subject = subject_from_case(case_event)
        for conviction in subject.convictions:
            row = results[case_event.record.source_rows[conviction.source_row_index].index]
            if row["# of convictions on record"] == "":
                continue  # gogen fills these columns on judged rows only
            checked += 1
            expected_numbers = tuple(row["Case Number"].split("; ")) if row["Case Number"] else ()
            assert conviction.case_numbers == expected_numbers
            assert len(subject.convictions) == int(row["# of convictions on record"])
            assert conviction.date is not None
            assert conviction.date.strftime("%m/%d/%Y") == row["Date of Conviction"]
            assert subject.deceased is (row["Deceased"] == "Deceased")
            assert subject.pc290_registration is (row["PC290 Registration"] == "Yes")
            assert conviction.county == row["STP_ORI_CNTY_NAME"]
            assert conviction.offense_text == row["OFFENSE_DESCR"]
    assert checked == 18


def test_structured_cases_read_charges_as_the_rule_version_does() -> None:
    """An attempt written 664-11357 is Prop 64 under the corrected version only (clause 664-attempts)."""
    c = case(step("COURT ACTION", count("101001001000", offense="664-11357(A) HS-ATTEMPT POSSESS")))
    assert [x.code_section for x in subject_from_case(c).convictions] == ["664"]
    assert [x.code_section for x in subject_from_case(c, corrected=True).convictions] == ["664-11357(A) HS"]


def test_a_step_without_counts_still_sets_person_flags() -> None:
    subject = subject_from_case(case(step("DECEASED"), step("COURT ACTION", count("101001001000"))))
    assert subject.deceased and len(subject.convictions) == 1


def test_a_case_without_record_keeps_the_date_of_birth() -> None:
    subject = subject_from_case(case_pb2.CaseSubmitted(person=case_pb2.Person(
        person_id="p", date_of_birth=sdate("19800101"))))
    assert subject.convictions == () and subject.dob == datetime.date(1980, 1, 1)


def test_dates_without_raw_text_are_read_from_their_own_fields() -> None:
    """gRPC clients may send parsed dates only; each still means its own date."""
    c = case(step("COURT ACTION", count("101001001000"),
                  event_date=envelope_pb2.SourceDate(year=2001, month=2, day=3, valid=True)),
             dob=envelope_pb2.SourceDate(year=1980, month=1, day=1, valid=True))
    subject = subject_from_case(c)
    assert subject.dob == datetime.date(1980, 1, 1)
    assert [x.date for x in subject.convictions] == [datetime.date(2001, 2, 3)]


def test_a_structured_case_with_two_cii_numbers_is_two_peoples_record() -> None:
    submitted = case(step("COURT ACTION", count("101001001000")))
    cii = [case_pb2.Identifier(scheme="ca-cii", value=value) for value in ("A123456781", " A123456781 ")]
    submitted.person.identifiers.extend(cii)
    assert subject_from_case(submitted).identity_conflicts == ()
    submitted.person.identifiers.add(scheme="ca-cii", value="B987654321")
    submitted.person.identifiers.add(scheme="ca-doj-subject-id", value="B987654321-not-a-cii")
    assert [(c.field, c.distinct_values) for c in subject_from_case(submitted).identity_conflicts] == [
        ("CII_NUMBER", 2)]
    del submitted.record.cycles[:]  # no record at all: still two people's identifiers
    assert subject_from_case(submitted).identity_conflicts != ()
