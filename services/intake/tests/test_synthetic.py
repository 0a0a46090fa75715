"""The seeded DOJ-format generator: reproducible, readable by our own reader, shaped as promised."""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date

import pytest

from clearway_intake.domain.ca_doj import (
    COLUMNS,
    Row,
    case_input_from_rows,
    generate,
    group_rows,
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
    return [case_input_from_rows(group) for group in group_rows(rows)]


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


# --- output pinned for the existing arguments -------------------------------------------------

GOLDEN_SHA256 = {
    # (people, seed, county): (doj_research_file.csv, contacts.csv)
    (300, 42, "SACRAMENTO"): ("c1079e7940f10cf941be53951b9e6d9cce06fd80c418e41e4ecbceac2dd401af",
                              "741c00ed9624a6d701a7eebdb5405c25c34935014b28e6b520625bd2b76866a8"),
    (60, 3, "YOLO"): ("71c6e03f92077b83f977dda2f6d346c09c7de4cbf2ecc4213bbaf990488153e9",
                      "ce1165975794a19710025c858c130da0110921288b4a81c7fc9f8a033902629f"),
}


@pytest.mark.parametrize("people_seed_county", sorted(GOLDEN_SHA256))
def test_existing_arguments_give_the_pinned_bytes(tmp_path, people_seed_county):
    people, seed, county = people_seed_county
    files = generate(tmp_path, people=people, seed=seed, county=county)
    assert files.doj_csvs == (files.doj_csv,) and files.doj_csv.name == "doj_research_file.csv"
    digests = tuple(hashlib.sha256(p.read_bytes()).hexdigest() for p in (files.doj_csv, files.contacts_csv))
    assert digests == GOLDEN_SHA256[people_seed_county]


# --- rows target, scatter, several files --------------------------------------------------------


def _lines(paths) -> list[str]:
    """Data lines of the files, header dropped, in file order."""
    lines = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            header, *data = fh.read().splitlines(keepends=True)
        assert header == ",".join(COLUMNS) + "\n"
        lines += data
    return lines


def _subjects(path) -> list[str]:
    return [row.fields[col.SUBJECT_ID] for row in read_rows(path)]


def test_rows_target_is_reached_with_whole_people(tmp_path):
    target = 1000
    files = generate(tmp_path / "rows", rows=target, seed=4)
    subjects = _subjects(files.doj_csv)
    assert len(subjects) == files.rows >= target
    last_person_rows = subjects.count(subjects[-1])
    assert files.rows - last_person_rows < target  # overshoot: less than the last history
    assert len(set(subjects)) == files.people
    # A rows target is only a stopping rule: the same people as asking for that many people.
    same = generate(tmp_path / "people", people=files.people, seed=4)
    assert same.doj_csv.read_bytes() == files.doj_csv.read_bytes()
    assert same.contacts_csv.read_bytes() == files.contacts_csv.read_bytes()


def test_rows_target_of_zero_writes_headers_only(tmp_path):
    files = generate(tmp_path, rows=0, seed=1)
    assert (files.rows, files.people) == (0, 0)
    assert _lines([files.doj_csv]) == []


def test_same_seed_gives_identical_bytes_with_scatter_and_files(tmp_path):
    a = generate(tmp_path / "a", rows=3000, seed=7, scatter=True, files=3, window=256)
    b = generate(tmp_path / "b", rows=3000, seed=7, scatter=True, files=3, window=256)
    assert [p.name for p in a.doj_csvs] == [f"doj_research_file_{k}.csv" for k in (1, 2, 3)]
    assert a.doj_csv == a.doj_csvs[0]
    assert [p.read_bytes() for p in a.doj_csvs] == [p.read_bytes() for p in b.doj_csvs]
    assert a.contacts_csv.read_bytes() == b.contacts_csv.read_bytes()
    assert (a.rows, a.people) == (b.rows, b.people)
    c = generate(tmp_path / "c", rows=3000, seed=8, scatter=True, files=3, window=256)
    assert [p.read_bytes() for p in a.doj_csvs] != [p.read_bytes() for p in c.doj_csvs]


def test_scatter_and_files_only_reorder_and_split_the_same_rows(tmp_path):
    plain = generate(tmp_path / "plain", rows=4000, seed=5)
    for name, kwargs in {"scatter": dict(scatter=True, window=512), "files": dict(files=3),
                         "both": dict(scatter=True, files=4, window=512)}.items():
        other = generate(tmp_path / name, rows=4000, seed=5, **kwargs)
        assert (other.rows, other.people) == (plain.rows, plain.people)
        assert other.contacts_csv.read_bytes() == plain.contacts_csv.read_bytes()
        lines = _lines(other.doj_csvs)
        assert len(lines) == other.rows
        assert sorted(lines) == sorted(_lines([plain.doj_csv]))


def test_scatter_puts_a_subjects_rows_far_apart(tmp_path):
    files = generate(tmp_path, rows=20000, seed=6, scatter=True)
    assert files.doj_csvs == (files.doj_csv,) and files.doj_csv.name == "doj_research_file.csv"
    subjects = _subjects(files.doj_csv)
    positions: dict[str, list[int]] = {}
    for i, subject in enumerate(subjects):
        positions.setdefault(subject, []).append(i)
    runs = {s: 1 + sum(b - a > 1 for a, b in zip(p, p[1:])) for s, p in positions.items()}
    assert len(positions) == files.people
    # Nearly everyone is broken up, and rows of one person lie thousands of rows apart.
    assert sum(n > 1 for n in runs.values()) > 0.9 * files.people
    assert max(p[-1] - p[0] for p in positions.values()) > 4096
    # Still constant memory: no row moves further forward than the window lets it.
    plain = generate(tmp_path / "plain", rows=20000, seed=6)
    first_plain_row = {}
    for i, subject in enumerate(_subjects(plain.doj_csv)):
        first_plain_row.setdefault(subject, i)
    assert all(p[0] >= first_plain_row[s] - 4096 for s, p in positions.items())


def test_files_split_subjects_across_files(tmp_path):
    files = generate(tmp_path, rows=3000, seed=9, files=3)
    assert len(files.doj_csvs) == 3
    file_sets = [set(_subjects(path)) for path in files.doj_csvs]
    assert all(file_sets)
    split = {s for s in set().union(*file_sets) if sum(s in fs for fs in file_sets) > 1}
    assert split
    assert not (tmp_path / "doj_research_file.csv").exists()


def test_every_file_has_the_header_and_95_fields_per_row(tmp_path):
    files = generate(tmp_path, rows=3000, seed=10, scatter=True, files=3, window=300)
    total = 0
    for path in files.doj_csvs:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            assert tuple(next(reader)) == COLUMNS
            for fields in reader:
                assert len(fields) == 95
                total += 1
        results = list(read_rows(path))
        assert [r for r in results if not isinstance(r, Row)] == []
        assert [p for r in results for p in validate_row(r)] == []
    assert total == files.rows


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, seed=1)  # neither people nor rows
    with pytest.raises(ValueError):
        generate(tmp_path, people=3, rows=3, seed=1)
    with pytest.raises(ValueError):
        generate(tmp_path, people=3)  # no seed
    with pytest.raises(ValueError):
        generate(tmp_path, people=3, seed=1, files=0)
    with pytest.raises(ValueError):
        generate(tmp_path, rows=-1, seed=1)


def test_command_line_rows_scatter_and_files(tmp_path, capsys):
    assert main(["--rows", "500", "--seed", "9", "--scatter", "--files", "2", "--window", "64",
                 "--out", str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    direct = generate(tmp_path / "direct", rows=500, seed=9, scatter=True, files=2, window=64)
    assert out.startswith(f"{direct.rows} rows for {direct.people} people: ")
    for path in direct.doj_csvs:
        assert path.name in out
        assert (tmp_path / "cli" / path.name).read_bytes() == path.read_bytes()
    with pytest.raises(SystemExit):
        main(["--rows", "5", "--people", "5", "--seed", "1", "--out", str(tmp_path / "x")])
