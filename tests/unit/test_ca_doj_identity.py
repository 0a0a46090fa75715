"""Rows of one SUBJECT_ID that name different people (clearway.ca_doj.identity)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from clearway.ca_doj import columns as col
from clearway.ca_doj import identity
from clearway.ca_doj.identity import CII_NUMBER, NAME_AND_DOB, Conflict
from clearway_intake.domain.ca_doj.synthetic import generate

A = ("A123456781", "DOE,JANE Q", "19800101")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], ()),
        ([A], ()),
        ([A, A, A], ()),
        # Trimmed values compare equal; blanks say nothing.
        ([A, (" A123456781 ", "DOE,JANE Q  ", "19800101 ")], ()),
        ([A, ("", "", "")], ()),
        ([A, ("", "DOE,JANE Q", "")], ()),
        ([A, ("   ", "DOE,JANE Q", "19800101")], ()),
        # One differs.
        ([A, ("B987654321", "DOE,JANE Q", "19800101")], (Conflict(CII_NUMBER, 2),)),
        ([A, ("A123456781", "ROE,RICHARD", "19800101")], (Conflict(NAME_AND_DOB, 2),)),
        ([A, ("A123456781", "DOE,JANE Q", "19800102")], (Conflict(NAME_AND_DOB, 2),)),
        # A different name whose row lacks the date of birth still differs.
        ([A, ("", "ROE,RICHARD", "")], (Conflict(NAME_AND_DOB, 2),)),
        # All of it: another person.
        ([A, ("B987654321", "ROE,RICHARD", "19750505"), A],
         (Conflict(CII_NUMBER, 2), Conflict(NAME_AND_DOB, 2))),
        # Names and dates crossed: four different (name, DOB) pairs.
        ([("", "A", "1"), ("", "A", "2"), ("", "B", "1"), ("", "B", "2")],
         (Conflict(NAME_AND_DOB, 4),)),
        ([("1", "", ""), ("2", "", ""), ("3", "", "")], (Conflict(CII_NUMBER, 3),)),
    ],
)
def test_conflicts(rows, expected) -> None:
    assert identity.conflicts(rows) == expected


def test_conflicts_of_rows_read_the_identity_columns() -> None:
    row = [""] * col.NUM_COLUMNS
    row[col.CII_NUMBER], row[col.PRI_NAME], row[col.PRI_DOB] = A
    other = list(row)
    other[col.PRI_NAME] = "ROE,RICHARD"
    other[col.COLUMNS.index("REQ_CII_NUMBER")] = "Z0"  # not an identity column here
    assert identity.row_conflicts([row, row]) == ()
    assert identity.row_conflicts([row, other]) == (Conflict(NAME_AND_DOB, 2),)


def _subjects(paths: list[Path]) -> dict[str, list[list[str]]]:
    rows: dict[str, list[list[str]]] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            for fields in list(csv.reader(fh))[1:]:
                rows.setdefault(fields[col.SUBJECT_ID], []).append(fields)
    return rows


def test_the_synthetic_generator_makes_no_conflicts_however_its_rows_are_laid_out(tmp_path) -> None:
    files = generate(tmp_path, people=150, seed=5, scatter=True, files=3, window=64)
    subjects = _subjects(list(files.doj_csvs))
    assert len(subjects) == 150
    assert [s for s, rows in subjects.items() if identity.row_conflicts(rows)] == []


def test_two_generated_extracts_overlap_in_their_subject_ids_and_conflict(tmp_path) -> None:
    """How the finding arose: two extracts number their people alike, so 21 SUBJECT_IDs
    carry two people each (different names, dates of birth and CII numbers)."""
    first = generate(tmp_path / "a", people=30, seed=1).doj_csv
    second = generate(tmp_path / "b", people=21, seed=2).doj_csv
    subjects = _subjects([first, second])
    found = {s: identity.row_conflicts(rows) for s, rows in subjects.items()}
    conflicting = {s for s, c in found.items() if c}
    assert len(conflicting) == 21
    assert all(found[s] == (Conflict(CII_NUMBER, 2), Conflict(NAME_AND_DOB, 2)) for s in conflicting)
