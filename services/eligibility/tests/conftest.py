"""Shared test fixtures: gogen's own conformance files, read as CaseSubmitted.

The reader here is deliberately tiny and local to the tests (intake owns the
real DOJ reader). It groups rows by SUBJECT_ID over the whole file and builds
one CaseSubmitted per subject, so the conformance tests go through
`subject_from_case` exactly as production events will.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from clearway.v1 import case_pb2, envelope_pb2

GOGEN_FIXTURES = Path("/work/shared/domain/gogen-fixtures")

# DOJ research-file columns (positional, ca-doj-prop64.md §1.2).
SUBJECT_ID = 2
PRI_NAME = 12
PRI_DOB = 14
CYC_ORDER = 36
CYC_DATE = 37
STP_ORDER = 39
STP_EVENT_DATE = 40
STP_TYPE_CODE = 41
STP_TYPE_DESCR = 42
STP_ORI_TYPE = 43
STP_ORI_TYPE_DESCR = 44
STP_ORI_CODE = 45
STP_ORI_DESCR = 46
STP_ORI_CNTY_CODE = 47
STP_ORI_CNTY_NAME = 48
CNT_ORDER = 50
DISP_DATE = 51
OFN = 52
OFFENSE_CODE = 53
OFFENSE_DESCR = 54
OFFENSE_TOC = 55
OFFENSE_QUAL_LST = 56
DISP_CODE = 79
DISP_DESCR = 80
CONV_STAT_CODE = 81
CONV_STAT_DESCR = 82
SENT_ORDER = 84
SENT_LOC_CODE = 85
SENT_LOC_DESCR = 86
SENT_LENGTH = 87
SENT_TIME_CODE = 88
SENT_TIME_DESCR = 89
CYC_AGE = 90
COMMENT_TEXT = 93
DOJ_FIELD_COUNT = 95

_YYYYMMDD = re.compile(r"[0-9]{8}")


def source_date(raw: str) -> envelope_pb2.SourceDate:
    """Parse YYYYMMDD strictly, as gogen does; anything else is kept but invalid."""
    if _YYYYMMDD.fullmatch(raw):
        try:
            parsed = datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError:
            pass
        else:
            return envelope_pb2.SourceDate(
                year=parsed.year, month=parsed.month, day=parsed.day, raw=raw, valid=True
            )
    return envelope_pb2.SourceDate(raw=raw, valid=False)


def read_doj_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(physical line, fields) of every data row; header skipped like gogen."""
    text = path.read_text(encoding="utf-8")
    first_line_offset = 0
    if text[:128].startswith("RECORD_ID"):
        # gogen drops the first physical line unparsed (so 96 fields is fine).
        newline = text.index("\n")
        text = text[newline + 1 :]
        first_line_offset = 1
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    for fields in reader:
        assert len(fields) == DOJ_FIELD_COUNT, f"line {reader.line_num}: {len(fields)} fields"
        rows.append((reader.line_num + first_line_offset, fields))
    return rows


def _step_key(fields: list[str]) -> tuple[str, ...]:
    return tuple(fields[STP_ORDER : STP_ORI_CNTY_NAME + 1])


def _count(fields: list[str], source_row_index: int) -> case_pb2.Count:
    count = case_pb2.Count(
        count_order=fields[CNT_ORDER],
        case_number=fields[OFN],
        offense=case_pb2.Offense(
            code=fields[OFFENSE_CODE],
            description=fields[OFFENSE_DESCR],
            type_of_charge=fields[OFFENSE_TOC],
            qualifiers=fields[OFFENSE_QUAL_LST],
        ),
        disposition=case_pb2.Disposition(
            code=fields[DISP_CODE],
            description=fields[DISP_DESCR],
            date=source_date(fields[DISP_DATE]),
            conviction_status_code=fields[CONV_STAT_CODE],
            conviction_status=fields[CONV_STAT_DESCR],
        ),
        comment=fields[COMMENT_TEXT],
        source_row_index=source_row_index,
    )
    if any(fields[SENT_ORDER : SENT_TIME_DESCR + 1]):
        count.sentences.append(
            case_pb2.Sentence(
                order=fields[SENT_ORDER],
                location_code=fields[SENT_LOC_CODE],
                location=fields[SENT_LOC_DESCR],
                length=fields[SENT_LENGTH],
                time_code=fields[SENT_TIME_CODE],
                time_description=fields[SENT_TIME_DESCR],
            )
        )
    return count


def doj_file_to_cases(path: Path) -> dict[str, case_pb2.CaseSubmitted]:
    """One CaseSubmitted per SUBJECT_ID (whole file), in first-seen order.

    Consecutive rows with the same CYC_ORDER form a cycle, and consecutive
    rows with the same step fields form a step, so proto order = row order.
    """
    rows_by_subject: dict[str, list[tuple[int, int, list[str]]]] = {}
    for data_index, (line, fields) in enumerate(read_doj_rows(path)):
        rows_by_subject.setdefault(fields[SUBJECT_ID], []).append((line, data_index, fields))

    cases = {}
    for number, (subject_id, rows) in enumerate(rows_by_subject.items()):
        first = rows[0][2]
        case = case_pb2.CaseSubmitted(
            person=case_pb2.Person(
                person_id=f"person-{number:04d}",
                name=case_pb2.Name(recorded=first[PRI_NAME]),
                date_of_birth=source_date(first[PRI_DOB]),
                identifiers=[case_pb2.Identifier(scheme="ca-doj-subject-id", value=subject_id)],
            ),
            record=case_pb2.CriminalRecord(source_format="ca-doj-research-file"),
        )
        record = case.record
        cycle = step = None
        step_key: tuple[str, ...] = ()
        for line, data_index, fields in rows:
            if cycle is None or cycle.cycle_order != fields[CYC_ORDER]:
                cycle = record.cycles.add(
                    cycle_order=fields[CYC_ORDER],
                    date=source_date(fields[CYC_DATE]),
                    age_at_cycle=fields[CYC_AGE],
                )
                step = None
            if step is None or _step_key(fields) != step_key:
                step_key = _step_key(fields)
                step = cycle.steps.add(
                    step_order=fields[STP_ORDER],
                    event_date=source_date(fields[STP_EVENT_DATE]),
                    type_code=fields[STP_TYPE_CODE],
                    type_description=fields[STP_TYPE_DESCR],
                    agency=case_pb2.Agency(
                        ori_type=fields[STP_ORI_TYPE],
                        ori_type_description=fields[STP_ORI_TYPE_DESCR],
                        ori_code=fields[STP_ORI_CODE],
                        description=fields[STP_ORI_DESCR],
                        county_code=fields[STP_ORI_CNTY_CODE],
                        county_name=fields[STP_ORI_CNTY_NAME],
                    ),
                )
            step.counts.append(_count(fields, source_row_index=len(record.source_rows)))
            record.source_rows.add(file=path.name, line=line, index=data_index, fields=fields)
        cases[subject_id] = case
    return cases


def read_gogen_results(path: Path) -> list[dict[str, str]]:
    """gogen's All_Results rows as {header: value}, in input-row order.

    Besides the 95 DOJ columns they carry gogen's 18 eligibility columns,
    e.g. "Case Number", "Eligibility Determination", "Eligibility Reason".
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert len(header) == DOJ_FIELD_COUNT + 18 and len(set(header)) == len(header)
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
