"""Shared test fixtures: gogen's own conformance files, and hand-made DOJ files.

gogen's files are read with intake's DOJ reader and case builder (the code that
makes production events), grouped by SUBJECT_ID over the whole file, so the
conformance tests go through `subject_from_case` exactly as production events
will. `make_doj_row` / `write_doj` build small research files for tests of
offline evaluation and of how rows become people.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from clearway.ca_doj.columns import COLUMNS
from clearway.v1 import case_pb2
from clearway_intake.domain.ca_doj import NUM_COLUMNS, RowError, case_input_from_rows, read_rows

# gogen 0.2.13's own fixtures, vendored in the repository (tests/fixtures/gogen/README.md).
GOGEN_FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "gogen"


def doj_file_to_cases(path: Path) -> dict[str, case_pb2.CaseSubmitted]:
    """One CaseSubmitted per SUBJECT_ID (whole file), in first-seen order."""
    rows_by_subject: dict[str, list] = {}
    for item in read_rows(path):
        assert not isinstance(item, RowError), f"{item.file}:{item.line}: {item.reason}"
        rows_by_subject.setdefault(item.subject_id, []).append(item)
    cases = {}
    for number, (subject_id, rows) in enumerate(rows_by_subject.items()):
        person, record, _source_key = case_input_from_rows(rows)
        person.person_id = f"person-{number:04d}"
        cases[subject_id] = case_pb2.CaseSubmitted(person=person, record=record)
    return cases


def read_gogen_results(path: Path) -> list[dict[str, str]]:
    """gogen's All_Results rows as {header: value}, in input-row order.

    Besides the 95 DOJ columns they carry gogen's 18 eligibility columns,
    e.g. "Case Number", "Eligibility Determination", "Eligibility Reason".
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert len(header) == NUM_COLUMNS + 18 and len(set(header)) == len(header)
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def gogen_fixtures() -> Path:
    """gogen 0.2.13's conformance inputs and outputs (read-only)."""
    return GOGEN_FIXTURES


@pytest.fixture
def load_doj_cases() -> Callable[[Path], dict[str, case_pb2.CaseSubmitted]]:
    return doj_file_to_cases


@pytest.fixture
def load_gogen_results() -> Callable[[Path], list[dict[str, str]]]:
    return read_gogen_results


# ------------------------------------------------ hand-made DOJ research files

# A row that is an in-county (SACRAMENTO) HS 11358 felony conviction, unless told otherwise.
DOJ_ROW_DEFAULTS = {
    "RECORD_ID": "x",
    "SUBJECT_ID": "1001",
    "CII_NUMBER": "A123456781",
    "PRI_NAME": "DOE,JANE Q",
    "PRI_DOB": "19800101",
    "CYC_ORDER": "101",
    "CYC_DATE": "20100101",
    "STP_ORDER": "002",
    "STP_EVENT_DATE": "20100101",
    "STP_TYPE_DESCR": "COURT ACTION",
    "STP_ORI_DESCR": "CASCSACRAMENTO",
    "STP_ORI_CNTY_NAME": "SACRAMENTO",
    "CNT_ORDER": "101002001000",
    "OFN": "140193",
    "OFFENSE_DESCR": "11358 HS-CULTIVATE CANNABIS",
    "OFFENSE_TOC": "F",
    "DISP_DESCR": "CONVICTED-PROBATION",
    "CONV_STAT_DESCR": "FELONY",
    "END_OF_REC": "#",
}


def doj_row(**values: str) -> list[str]:
    """95 fields by column name; unknown names fail."""
    unknown = set(values) - set(COLUMNS)
    assert not unknown, unknown
    row = dict.fromkeys(COLUMNS, "")
    row.update(DOJ_ROW_DEFAULTS)
    row.update(values)
    return [row[name] for name in COLUMNS]


def write_doj_file(path: Path, rows: list[list[str]], *, header: bool = True) -> Path:
    """A DOJ research file as CSV (LF line ends), with the header row unless told not to."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        if header:
            writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


@pytest.fixture
def make_doj_row() -> Callable[..., list[str]]:
    return doj_row


@pytest.fixture
def write_doj() -> Callable[..., Path]:
    return write_doj_file
