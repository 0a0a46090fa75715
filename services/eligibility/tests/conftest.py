"""Shared test fixtures: gogen's own conformance files, read as CaseSubmitted.

The files are read with intake's DOJ reader and case builder (the code that makes
production events), grouped by SUBJECT_ID over the whole file, so the conformance
tests go through `subject_from_case` exactly as production events will.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

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
