"""The seeded DOJ-format generator: reproducible, readable by our own reader, shaped as promised."""

from __future__ import annotations

import csv
import re
from datetime import date

import pytest

from clearway_intake.domain.ca_doj import (
    COLUMNS,
    Row,
    case_input_from_rows,
    generate,
    group_by_subject,
    load_contacts,
    read_rows,
    validate_row,
)
from clearway_intake.domain.ca_doj import columns as col
from clearway_intake.domain.ca_doj.synthetic import main

PROP64 = re.compile(r"1135[789]|11360")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    return generate(out, people=300, seed=42)


@pytest.fixture(scope="module")
def people(generated):
    rows = list(read_rows(generated.doj_csv))
    assert all(isinstance(r, Row) for r in rows)
    return [case_input_from_rows(group) for group in group_by_subject(rows)]


def _date(raw: str) -> date:
    return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))


def test_same_seed_gives_identical_bytes(tmp_path):
    a = generate(tmp_path / "a", people=40, seed=7)
    b = generate(tmp_path / "b", people=40, seed=7)
    assert a.doj_csv.read_bytes() == b.doj_csv.read_bytes()
    assert a.contacts_csv.read_bytes() == b.contacts_csv.read_bytes()
    assert (a.rows, a.people) == (b.rows, b.people)


def test_different_seed_gives_different_data(tmp_path):
    a = generate(tmp_path / "a", people=40, seed=7)
    b = generate(tmp_path / "b", people=40, seed=8)
    assert a.doj_csv.read_bytes() != b.doj_csv.read_bytes()
    assert a.contacts_csv.read_bytes() != b.contacts_csv.read_bytes()


def test_generated_file_reads_with_zero_errors(generated):
    assert generated.doj_csv.name == "doj_research_file.csv"
    with open(generated.doj_csv, newline="") as fh:
        assert tuple(next(csv.reader(fh))) == COLUMNS
    results = list(read_rows(generated.doj_csv))
    assert [r for r in results if not isinstance(r, Row)] == []
    assert len(results) == generated.rows
    assert [p for r in results for p in validate_row(r)] == []
    assert results[0].line == 2 and results[-1].line == generated.rows + 1


def test_people_are_contiguous_with_sequential_subject_ids(generated, people):
    assert generated.people == len(people) == 300
    assert [key for _, _, key in people] == [str(10000001 + i) for i in range(300)]


def test_every_person_has_one_to_three_prop64_conviction_cases(people):
    for _, record, _ in people:
        prop64_cycles = set()
        for cycle in record.cycles:
            for step in cycle.steps:
                for count in step.counts:
                    charge = count.comment or count.offense.description
                    if count.disposition.description.startswith("CONVICTED") and PROP64.match(charge):
                        prop64_cycles.add(cycle.cycle_order)
        assert 1 <= len(prop64_cycles) <= 3


def test_dates_are_real_between_1975_and_prop64_and_never_before_age_14(people):
    for person, record, _ in people:
        dob = _date(person.date_of_birth.raw)
        assert person.date_of_birth.valid
        for cycle in record.cycles:
            for step in cycle.steps:
                assert step.event_date.valid
                when = _date(step.event_date.raw)
                assert date(1975, 1, 1) <= when <= date(2016, 11, 8)
                assert date(dob.year + 14, 1, 1) <= when
                assert (when.year - dob.year) - ((when.month, when.day) < (dob.month, dob.day)) >= 14


def test_shape_arrest_and_court_rows_levels_sentences_and_counties(people):
    step_types = set()
    levels = set()
    multi_sentence = 0
    prop64_counties = {"in": 0, "out": 0}
    charges = set()
    for _, record, _ in people:
        for cycle in record.cycles:
            for step in cycle.steps:
                step_types.add(step.type_description)
                for count in step.counts:
                    charges.add(count.offense.description)
                    if count.disposition.description.startswith("CONVICTED"):
                        levels.add(count.disposition.conviction_status)
                        assert count.sentences
                        multi_sentence += len(count.sentences) > 1
                        if PROP64.match(count.comment or count.offense.description):
                            key = "in" if step.agency.county_name == "SACRAMENTO" else "out"
                            prop64_counties[key] += 1
    assert step_types == {"ARREST/DETAINED/CITED", "COURT ACTION"}
    assert levels == {"FELONY", "MISDEMEANOR"}
    assert multi_sentence > 0
    assert prop64_counties["in"] > 3 * prop64_counties["out"] > 0
    assert {
        "11358 HS-CULTIVATE MARIJUANA",
        "11357(C)HS-POSSESS MARIJUANA",
        "11359 HS-POSSESS MARIJUANA FOR SALE",
        "11360(A) HS-SELL/TRANSPORT MARIJUANA",
        "459 PC-BURGLARY",
        "23152(A) VC-DUI ALCOHOL",
    } <= charges


def test_count_orders_follow_gogens_layout(generated):
    for row in read_rows(generated.doj_csv):
        order = row.fields[col.CNT_ORDER]
        assert re.fullmatch(r"1\d\d00[12]\d{3}000", order)
        expected = "ARREST/DETAINED/CITED" if order[3:6] == "001" else "COURT ACTION"
        assert row.fields[col.STP_TYPE_DESCR] == expected


def test_contacts_match_the_people(generated, people):
    contacts = load_contacts(generated.contacts_csv)
    assert list(contacts) == [key for _, _, key in people]
    for (person, _, key) in people:
        info = contacts[key]
        first = person.name.given_names.split()[0].lower()
        last = person.name.family_name.lower()
        number = int(key) - 10000000
        assert info.email == f"{first}.{last}.{number}@example.org"
        assert re.fullmatch(r"\+1555\d{7}", info.phone)
    languages = [c.language for c in contacts.values()]
    assert set(languages) == {"en", "es"} and languages.count("en") > languages.count("es")
    email_consent = sum(c.consent_email for c in contacts.values()) / len(contacts)
    assert 0.8 < email_consent < 0.97
    assert any(not (c.consent_email or c.consent_sms or c.consent_mail) for c in contacts.values())


def test_target_county_is_a_parameter(tmp_path):
    files = generate(tmp_path, people=60, seed=3, county="YOLO")
    counties = [
        r.fields[col.STP_ORI_CNTY_NAME]
        for r in read_rows(files.doj_csv)
        if PROP64.match(r.fields[col.COMMENT_TEXT] or r.fields[col.OFFENSE_DESCR])
    ]
    assert counties.count("YOLO") > len(counties) / 2


def test_zero_people_writes_headers_only(tmp_path):
    files = generate(tmp_path, people=0, seed=1)
    assert (files.rows, files.people) == (0, 0)
    assert list(read_rows(files.doj_csv)) == []
    assert load_contacts(files.contacts_csv) == {}


def test_command_line_entry_writes_the_same_files(tmp_path, capsys):
    assert main(["--people", "5", "--seed", "9", "--out", str(tmp_path / "cli")]) == 0
    assert "for 5 people" in capsys.readouterr().out
    direct = generate(tmp_path / "direct", people=5, seed=9)
    assert (tmp_path / "cli" / "doj_research_file.csv").read_bytes() == direct.doj_csv.read_bytes()
    assert (tmp_path / "cli" / "contacts.csv").read_bytes() == direct.contacts_csv.read_bytes()
