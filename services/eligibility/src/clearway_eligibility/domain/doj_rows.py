"""From CA DOJ research-file rows to the rules' view of a person.

One reading of the rows serves both the eligibility service (a case's source
rows) and offline evaluation (millions of rows in worker processes), so the
two cannot disagree. It follows gogen's entity rules (ca-doj-prop64.md §1.3):

* a conviction is the first row of a subject for a CNT_ORDER whose DISP_DESCR
  starts with CONVICTED; later such rows are sentence parts;
* case numbers are the OFNs of COURT ACTION rows, grouped by CNT_ORDER[0:6];
* DECEASED and 290 REGISTRATION rows set person-level flags;
* the date of birth comes from the subject's first row;
* rows whose identity fields (CII, name and date of birth) disagree are
  reported as the subject's identity conflicts (clearway.ca_doj.identity).

Offline evaluation keeps only the rows that matter (`facts_of`), as small
tuples, so a partition of a large file fits in little memory; and, of the
rest, one row for each identity it has not kept yet. A row's facts may leave
out its identity (`facts_without_identity`) when a fact already kept holds the
same one: the identities are what `identity_of_fact` reads of the facts that
carry them.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from clearway.ca_doj import columns as col
from clearway.ca_doj import identity
from clearway.ca_doj.reader import CASE_KEY_LENGTH, CONVICTED_PREFIX, STEP_COURT_ACTION

from clearway_eligibility.domain import sections
from clearway_eligibility.domain.model import Conviction, Subject

STEP_REGISTRATION = "REGISTRATION"
STEP_DECEASED = "DECEASED"
PC290_PREFIX = "290"

# A row's facts, as a plain tuple (cheap to pickle and to hold by the million).
# Indexes into the tuple:
F_REF = 0  # opaque row reference chosen by the caller
F_CONVICTED = 1  # DISP_DESCR starts with CONVICTED
# The rest are DOJ fields as read, in _FACT_COLUMNS order.
F_DOB = 2  # PRI_DOB
F_CNT_ORDER = 3
F_STEP_TYPE = 4
F_OFN = 5
F_OFFENSE = 6  # OFFENSE_DESCR
F_COMMENT = 7  # COMMENT_TEXT
F_CONV_STATUS = 8
F_TOC = 9
F_COUNTY = 10
F_DATE = 11  # STP_EVENT_DATE
F_CII = 12  # CII_NUMBER
F_NAME = 13  # PRI_NAME

RowFacts = tuple

# The identity of facts that carry one, as clearway.ca_doj.identity reads it:
# (CII_NUMBER, PRI_NAME, PRI_DOB).
identity_of_fact = operator.itemgetter(F_CII, F_NAME, F_DOB)


@functools.lru_cache(maxsize=1 << 16)
def parse_doj_date(raw: str) -> datetime.date | None:
    """YYYYMMDD as a date; None where gogen silently uses its zero date (§1.6).

    Memoised: a file holds at most a few tens of thousands of distinct dates.
    """
    if len(raw) == 8 and raw.isdigit() and raw.isascii():
        try:
            return datetime.date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
        except ValueError:
            return None
    return None


def matters(fields: Sequence[str]) -> bool:
    """True when a row can change a determination (all other rows are only copied)."""
    step = fields[col.STP_TYPE_DESCR]
    return (
        fields[col.DISP_DESCR].startswith(CONVICTED_PREFIX)
        or (step == STEP_COURT_ACTION and fields[col.OFN] != "")
        or step == STEP_DECEASED
        or step == STEP_REGISTRATION
    )


# One C-level call picks every DOJ field of a row's facts (with, or without, its identity).
_RULE_COLUMNS = (
    col.PRI_DOB, col.CNT_ORDER, col.STP_TYPE_DESCR, col.OFN, col.OFFENSE_DESCR, col.COMMENT_TEXT,
    col.CONV_STAT_DESCR, col.OFFENSE_TOC, col.STP_ORI_CNTY_NAME, col.STP_EVENT_DATE,
)
_fact_fields = operator.itemgetter(*_RULE_COLUMNS, col.CII_NUMBER, col.PRI_NAME)
_rule_fields = operator.itemgetter(*_RULE_COLUMNS)


def facts_of(ref: int, fields: Sequence[str], convicted: bool | None = None) -> RowFacts:
    """The fields of one DOJ row that the rules read, in the F_* order.

    `convicted`: whether DISP_DESCR starts with CONVICTED, when the caller knows already.
    """
    if convicted is None:
        convicted = fields[col.DISP_DESCR].startswith(CONVICTED_PREFIX)
    return (ref, convicted) + _fact_fields(fields)


def facts_without_identity(ref: int, fields: Sequence[str], convicted: bool) -> RowFacts:
    """facts_of without CII_NUMBER and PRI_NAME: for a row whose identity is kept in another fact."""
    return (ref, convicted) + _rule_fields(fields)


def row_facts(ref: int, *, dob, count_order: str, step_type: str, disposition: str, ofn: str,
              offense: str, comment: str, conviction_status: str, type_of_charge: str, county: str,
              date, cii: str = "", name: str = "") -> RowFacts:
    """A row's facts from named values (structured cases), in the same F_* order as facts_of.

    `dob` and `date` are whatever the subject's `read_date` reads.
    """
    return (ref, disposition.startswith(CONVICTED_PREFIX), dob, count_order, step_type, ofn,
            offense, comment, conviction_status, type_of_charge, county, date, cii, name)


def read_doj_date(raw: str) -> tuple[datetime.date | None, str]:
    """A DOJ date field as (date or None, raw text)."""
    return parse_doj_date(raw), raw


def resets_each_row(subject_id: str, *, corrected: bool) -> bool:
    """Whether a subject is judged with gogen's empty-SUBJECT_ID quirk (§1.3).

    Only the gogen-compatible version copies it (see subject_from_facts'
    `reset_each_row`); the corrected one rejects such rows (clause
    ca-prop64/empty-subject-id), so they never make a subject there.
    """
    return not corrected and subject_id == ""


def subject_from_facts(
    person_id: str,
    facts: Iterable[RowFacts],
    *,
    corrected: bool,
    reset_each_row: bool = False,
    read_date: Callable[[Any], tuple[datetime.date | None, str]] = read_doj_date,
    identity_conflicts: tuple[identity.Conflict, ...] | None = None,
) -> Subject:
    """Build the rules' Subject from a person's row facts, in input order.

    `reset_each_row` reproduces gogen's empty-SUBJECT_ID quirk (§1.3): the
    bookkeeping of that pseudo-subject is reset on every row, so every
    CONVICTED row counts as a conviction and only the last row's case number
    survives. Only the gogen-compatible version asks for it. `read_date` reads
    the date fields: DOJ text by default; structured cases bring theirs parsed,
    and their `identity_conflicts` (the facts' identities are DOJ text).
    """
    if not isinstance(facts, list):
        facts = list(facts)
    if identity_conflicts is None:
        identity_conflicts = identity.conflicts(
            identity_of_fact(fact) for fact in facts if len(fact) > F_CII)
    deceased = False
    registration = False
    dob_value = None
    case_numbers: dict[str, list[str]] = {}
    seen: set[str] = set()
    pending: list[RowFacts] = []  # conviction rows; case numbers are attached at the end
    for fact in facts:
        if reset_each_row:
            case_numbers = {}
            seen = set()
            dob_value = None
        if dob_value is None:
            dob_value = fact[F_DOB]
        step = fact[F_STEP_TYPE]
        if step == STEP_DECEASED:
            deceased = True
        elif step == STEP_REGISTRATION and fact[F_OFFENSE].startswith(PC290_PREFIX):
            registration = True
        # Whitespace-only and "NULL  " OFNs count as present, as in gogen.
        if step == STEP_COURT_ACTION and fact[F_OFN] != "":
            numbers = case_numbers.setdefault(fact[F_CNT_ORDER][:CASE_KEY_LENGTH], [])
            if fact[F_OFN] not in numbers:
                numbers.append(fact[F_OFN])
        if fact[F_CONVICTED] and fact[F_CNT_ORDER] not in seen:
            seen.add(fact[F_CNT_ORDER])
            pending.append(fact)

    convictions = []
    for fact in pending:
        date, date_raw = read_date(fact[F_DATE])
        convictions.append(Conviction(
            conviction_id=fact[F_CNT_ORDER],
            code_section=sections.extract_code_section(
                fact[F_OFFENSE], fact[F_COMMENT], corrected=corrected
            ),
            offense_text=fact[F_OFFENSE],
            comment_text=fact[F_COMMENT],
            conviction_status=fact[F_CONV_STATUS],
            type_of_charge=fact[F_TOC],
            date=date,
            date_raw=date_raw,
            county=fact[F_COUNTY],
            case_numbers=tuple(case_numbers.get(fact[F_CNT_ORDER][:CASE_KEY_LENGTH], ())),
            source_row_index=fact[F_REF],
        ))
    dob, dob_raw = read_date(dob_value) if dob_value is not None else (None, "")
    return Subject(
        person_id=person_id,
        dob=dob,
        dob_raw=dob_raw,
        convictions=tuple(convictions),
        deceased=deceased,
        pc290_registration=registration,
        identity_conflicts=identity_conflicts,
    )
