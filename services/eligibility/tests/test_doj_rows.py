"""From DOJ rows to the rules' Subject (doj_rows): gogen's entity rules (§1.3).

The service (cases carrying source rows) and offline evaluation both build a
person this way; the structured path (from_case) must agree with it.
"""

from __future__ import annotations

import csv
import datetime

import pytest

from clearway.ca_doj import columns as col
from clearway_eligibility.domain import doj_rows
from clearway_eligibility.domain.from_case import subject_from_case


def person(rows: list[list[str]], *, corrected: bool = False, reset_each_row: bool = False):
    facts = [doj_rows.facts_of(index, fields) for index, fields in enumerate(rows)]
    return doj_rows.subject_from_facts("p", facts, corrected=corrected, reset_each_row=reset_each_row)


def test_facts_of_reads_the_fields_the_rules_need(make_doj_row) -> None:
    fact = doj_rows.facts_of(7, make_doj_row(COMMENT_TEXT="c", STP_EVENT_DATE="20100102"))
    assert fact[doj_rows.F_REF] == 7
    assert fact[doj_rows.F_CNT_ORDER] == "101002001000"
    assert fact[doj_rows.F_CONVICTED] is True
    assert (fact[doj_rows.F_OFFENSE], fact[doj_rows.F_COMMENT]) == ("11358 HS-CULTIVATE CANNABIS", "c")
    assert (fact[doj_rows.F_COUNTY], fact[doj_rows.F_DATE]) == ("SACRAMENTO", "20100102")


@pytest.mark.parametrize(
    ("values", "matters"),
    [
        ({}, True),  # a conviction
        ({"DISP_DESCR": "DISMISSED", "OFN": "1"}, True),  # court row with a case number
        ({"DISP_DESCR": "DISMISSED", "OFN": ""}, False),
        ({"DISP_DESCR": "", "STP_TYPE_DESCR": "ARREST/DETAINED/CITED"}, False),
        ({"DISP_DESCR": "", "STP_TYPE_DESCR": "DECEASED"}, True),
        ({"DISP_DESCR": "", "STP_TYPE_DESCR": "REGISTRATION"}, True),
        ({"DISP_DESCR": " CONVICTED", "OFN": ""}, False),  # must start with it
    ],
)
def test_matters(make_doj_row, values: dict[str, str], matters: bool) -> None:
    assert doj_rows.matters(make_doj_row(**values)) is matters


def test_convictions_sentence_parts_case_numbers_and_flags(make_doj_row) -> None:
    subject = person([
        make_doj_row(PRI_DOB="19700101", DISP_DESCR="", STP_TYPE_DESCR="ARREST/DETAINED/CITED",
                     CNT_ORDER="101001001000", OFN="999"),  # not a court row: its OFN is ignored
        make_doj_row(PRI_DOB="19990101", OFN="111"),  # later DOBs are ignored
        make_doj_row(OFN="222", SENT_LENGTH="6"),  # sentence part: same CNT_ORDER
        make_doj_row(CNT_ORDER="101002002000", DISP_DESCR="DISMISSED", OFN="111"),  # duplicate OFN
        make_doj_row(CNT_ORDER="102002001000", OFN="", OFFENSE_DESCR="503 VC-TAKE", STP_ORI_CNTY_NAME="YOLO",
                     STP_EVENT_DATE="19790000"),
        make_doj_row(CNT_ORDER="103001001000", STP_TYPE_DESCR="REGISTRATION", DISP_DESCR="",
                     OFFENSE_DESCR="290 PC-REGISTER", OFN=""),
        make_doj_row(CNT_ORDER="104001001000", STP_TYPE_DESCR="DECEASED", DISP_DESCR="", OFN=""),
    ])
    assert (subject.dob, subject.dob_raw) == (datetime.date(1970, 1, 1), "19700101")
    assert subject.deceased and subject.pc290_registration
    assert [(c.conviction_id, c.code_section, c.source_row_index, c.case_numbers, c.county)
            for c in subject.convictions] == [
        ("101002001000", "11358 HS", 1, ("111", "222"), "SACRAMENTO"),
        ("102002001000", "503 VC", 4, (), "YOLO"),
    ]
    assert subject.convictions[1].date is None and subject.convictions[1].date_raw == "19790000"


def test_registration_needs_a_290_charge(make_doj_row) -> None:
    subject = person([make_doj_row(STP_TYPE_DESCR="REGISTRATION", DISP_DESCR="",
                                   OFFENSE_DESCR=" 290 PC")])
    assert not subject.pc290_registration


def test_reset_each_row_is_gogens_empty_subject_id(make_doj_row) -> None:
    rows = [make_doj_row(SUBJECT_ID="", OFN="111"), make_doj_row(SUBJECT_ID="", OFN="222")]
    normal = person(rows)
    assert [c.case_numbers for c in normal.convictions] == [("111", "222")]
    quirk = person(rows, reset_each_row=True)
    assert [c.case_numbers for c in quirk.convictions] == [("222",), ("222",)]


def test_only_gogens_version_resets_each_row_and_only_for_an_empty_subject_id() -> None:
    assert doj_rows.resets_each_row("", corrected=False)
    assert not doj_rows.resets_each_row("", corrected=True)
    assert not doj_rows.resets_each_row("   ", corrected=False)
    assert not doj_rows.resets_each_row("1001", corrected=False)


@pytest.mark.parametrize("corrected", [False, True])
def test_agrees_with_from_case_on_gogens_fixture(gogen_fixtures, load_doj_cases, corrected: bool) -> None:
    path = gogen_fixtures / "configurable_flow" / "input.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    by_subject: dict[str, list] = {}
    for index, fields in enumerate(rows):
        by_subject.setdefault(fields[col.SUBJECT_ID], []).append(doj_rows.facts_of(index, fields))
    cases = load_doj_cases(path)
    assert set(cases) == set(by_subject)
    for subject_id, case in cases.items():
        structured = subject_from_case(case)
        from_rows = doj_rows.subject_from_facts(subject_id, by_subject[subject_id], corrected=corrected)
        assert (from_rows.dob, from_rows.deceased, from_rows.pc290_registration) == (
            structured.dob, structured.deceased, structured.pc290_registration)

        def view(convictions, row_index):
            return [(c.code_section, c.date, c.county, c.case_numbers, c.conviction_status,
                     c.type_of_charge, row_index(c)) for c in convictions]

        assert view(from_rows.convictions, lambda c: c.source_row_index) == view(
            structured.convictions, lambda c: case.record.source_rows[c.source_row_index].index)


def test_rows_that_name_different_people_are_the_subjects_identity_conflicts(make_doj_row) -> None:
    rows = [make_doj_row(), make_doj_row(CNT_ORDER="102002001000", OFN="2")]
    assert person(rows).identity_conflicts == ()
    rows.append(make_doj_row(CII_NUMBER="B987654321", PRI_NAME="ROE,RICHARD", PRI_DOB="19750505",
                             STP_TYPE_DESCR="ARREST/DETAINED/CITED", DISP_DESCR="", OFN=""))
    conflicts = person(rows).identity_conflicts
    assert [(c.field, c.distinct_values) for c in conflicts] == [("CII_NUMBER", 2), ("PRI_NAME/PRI_DOB", 2)]
    # The rows' facts carry the identity fields the check reads.
    fact = doj_rows.facts_of(0, rows[2])
    assert doj_rows.identity_of_fact(fact) == ("B987654321", "ROE,RICHARD", "19750505")
