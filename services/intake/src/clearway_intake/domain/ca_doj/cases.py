"""Turn DOJ rows into a person and a criminal record (clearway.v1 protobuf).

Why this shape: a DOJ file has one row per count x step x sentence part. The
rules want the record as cycles -> steps -> counts -> sentences, but gogen
compatibility needs every input column back exactly, so the record carries both
the structure and every source row verbatim (`CriminalRecord.source_rows`).

Conventions:

* Record fields are copied verbatim, never trimmed: gogen compares exact
  strings (``"FELONY "`` is not ``"FELONY"``) and the rules must be able to.
  Only the person's name parts, gender and race are trimmed, for display.
* Person-level facts (name, DOB, gender, race) come from the subject's first
  row, as in gogen (§1.3).
* Order is source order: cycles and steps group consecutive rows, and counts
  appear in the order of the row that introduced them, so walking the proto
  visits rows as the file lists them (sentence parts folded in).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from clearway.v1 import case_pb2, envelope_pb2

from clearway.ca_doj import CII_SCHEME, SUBJECT_ID_SCHEME
from clearway.ca_doj import columns as col
from clearway.addresses import email_problem, language_problem, phone_problem
from clearway.ca_doj.reader import Row, csv_reason
from clearway.textfiles import binary_problem, delimiter_problem, read_prefix

__all__ = [
    "CII_SCHEME",
    "CONTACT_COLUMNS",
    "ContactInfo",
    "ContactsError",
    "SOURCE_FORMAT",
    "SUBJECT_ID_SCHEME",
    "SUBJECT_IN_FILE_SCHEME",
    "apply_contact",
    "case_input_from_rows",
    "fill_case_from_rows",
    "group_by_subject",
    "load_contacts",
    "parse_name",
    "parse_source_date",
    "person_key",
]

SOURCE_FORMAT = "ca-doj-research-file"
# gogen's subject: a SUBJECT_ID within one file (each file is judged alone, §1.1).
SUBJECT_IN_FILE_SCHEME = "ca-doj-subject-id-in-file"

_SENTENCE_COLUMNS = (
    col.SENT_ORDER,
    col.SENT_LOC_CODE,
    col.SENT_LOC_DESCR,
    col.SENT_LENGTH,
    col.SENT_TIME_CODE,
    col.SENT_TIME_DESCR,
)
_CONV_OFFENSE_COLUMNS = (
    col.CONV_OFFENSE_CODE,
    col.CONV_OFFENSE_DESCR,
    col.CONV_OFFENSE_TOC,
    col.CONV_OFFENSE_QUAL_LST,
)
# What a Count holds besides its sentences; compared with trailing blanks
# ignored (DOJ pads values) to tell a sentence part from a different count.
_COUNT_COLUMNS = (
    col.OFN,
    col.OFFENSE_CODE,
    col.OFFENSE_DESCR,
    col.OFFENSE_TOC,
    col.OFFENSE_QUAL_LST,
    col.DISP_DATE,
    col.DISP_CODE,
    col.DISP_DESCR,
    col.CONV_STAT_CODE,
    col.CONV_STAT_DESCR,
    *_CONV_OFFENSE_COLUMNS,
    col.COMMENT_TEXT,
)
_STEP_COLUMNS = (
    col.STP_EVENT_DATE,
    col.STP_TYPE_CODE,
    col.STP_TYPE_DESCR,
    col.STP_ORI_TYPE,
    col.STP_ORI_TYPE_DESCR,
    col.STP_ORI_CODE,
    col.STP_ORI_DESCR,
    col.STP_ORI_CNTY_CODE,
    col.STP_ORI_CNTY_NAME,
)


def group_by_subject(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Group CONSECUTIVE rows with the same SUBJECT_ID, streaming.

    Only for input already grouped (e.g. one person's rows): a subject whose
    rows are not contiguous comes out as several groups. Files go through
    ``grouping.group_files`` / ``group_rows``, which group over all rows of all
    files of a batch in bounded memory.
    """
    group: list[Row] = []
    for row in rows:
        if group and row.fields[col.SUBJECT_ID] != group[0].fields[col.SUBJECT_ID]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def parse_source_date(raw: str) -> envelope_pb2.SourceDate:
    """A DOJ date (YYYYMMDD) as SourceDate; raw is kept untouched.

    Valid only for exactly eight ASCII digits forming a real calendar date, as
    gogen parses (§1.6). Anything else ("19790000", blanks, trailing spaces)
    keeps raw with valid=False and no year/month/day, so the rules can judge it.
    """
    result = envelope_pb2.SourceDate()
    _set_date(result, raw)
    return result


@lru_cache(maxsize=16384)
def _date_parts(raw: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a valid DOJ date, else None (see parse_source_date)."""
    if len(raw) == 8 and raw.isascii() and raw.isdigit():
        year, month, day = int(raw[0:4]), int(raw[4:6]), int(raw[6:8])
        try:
            date(year, month, day)
        except ValueError:
            return None
        return year, month, day
    return None


def _set_date(target: envelope_pb2.SourceDate, raw: str) -> None:
    """Fill a SourceDate in place (and mark it present, even when raw is blank)."""
    target.SetInParent()
    target.raw = raw
    parts = _date_parts(raw)
    if parts is not None:
        target.year, target.month, target.day = parts
        target.valid = True


def parse_name(recorded: str) -> case_pb2.Name:
    """Split a DOJ name "LAST,FIRST M" into family and given names."""
    name = case_pb2.Name()
    _set_name(name, recorded)
    return name


def _set_name(name: case_pb2.Name, recorded: str) -> None:
    family, comma, given = recorded.partition(",")
    name.SetInParent()
    name.recorded = recorded
    name.family_name = family.strip()
    name.given_names = given.strip() if comma else ""


def case_input_from_rows(
    rows: Sequence[Row], *, any_subject_id: bool = False,
) -> tuple[case_pb2.Person, case_pb2.CriminalRecord, str]:
    """Build (Person, CriminalRecord, source_person_key) from one subject's rows.

    The key is the SUBJECT_ID as written. person_id is left empty: it is minted
    by intake from the key, never copied from the source. ``any_subject_id``
    takes an empty SUBJECT_ID too, as gogen does (see validate_row).
    """
    person, record = case_pb2.Person(), case_pb2.CriminalRecord()
    key = fill_case_from_rows(rows, person, record, any_subject_id=any_subject_id)
    return person, record, key


def fill_case_from_rows(rows: Sequence[Row], person: case_pb2.Person,
                        record: case_pb2.CriminalRecord, *, any_subject_id: bool = False) -> str:
    """case_input_from_rows into messages the caller holds (empty ones, e.g. a
    CaseSubmitted's person and record), so nothing is copied; returns the key."""
    if not rows:
        raise ValueError("no rows for subject")
    key = rows[0].fields[col.SUBJECT_ID]
    if key == "" and not any_subject_id:
        raise ValueError("SUBJECT_ID is empty")
    if any(r.fields[col.SUBJECT_ID] != key for r in rows):
        raise ValueError("rows belong to more than one SUBJECT_ID")
    _fill_person(person, rows)
    _fill_record(record, rows)
    return key


def person_key(rows: Sequence[Row], *, per_file: bool = False) -> tuple[str, str]:
    """(scheme, key) that intake mints one subject's opaque person id from.

    The SUBJECT_ID; ``per_file`` (the rows were grouped as gogen's subjects, one
    file's, see grouping.group_rows): the file's name and the SUBJECT_ID, so a
    SUBJECT_ID in two files is two people, as gogen counts it, and each file's
    rows without a SUBJECT_ID are a pseudo-subject of their own.
    """
    subject_id = rows[0].fields[col.SUBJECT_ID]
    if per_file:
        return SUBJECT_IN_FILE_SCHEME, f"{rows[0].file}\x1f{subject_id}"
    return SUBJECT_ID_SCHEME, subject_id


def _fill_person(person: case_pb2.Person, rows: Sequence[Row]) -> None:
    first = rows[0].fields
    person.SetInParent()
    _set_name(person.name, first[col.PRI_NAME])
    _set_date(person.date_of_birth, first[col.PRI_DOB])
    person.gender = first[col.GENDER].strip()
    person.race = first[col.RACE_DESCR].strip()
    person.identifiers.add(scheme=SUBJECT_ID_SCHEME, value=first[col.SUBJECT_ID])
    seen: set[str] = set()
    for row in rows:
        cii = row.fields[col.CII_NUMBER].strip()
        if cii and cii not in seen:
            seen.add(cii)
            person.identifiers.add(scheme=CII_SCHEME, value=cii)


def _order(value: str, cnt_order: str, start: int) -> str:
    """CYC_ORDER/STP_ORDER when it holds a number, else the CNT_ORDER slice.

    gogen identifies cycle and case only by CNT_ORDER characters (§1.3); the
    DOJ order columns are often fillers ("x", "  -  ") in test data, so they
    are used only when they look like an order number.
    """
    if value.strip().isdigit():
        return value
    return cnt_order[start : start + 3]


# The columns of a group at once (C speed; _record runs for every row of a file).
_sentence_of = itemgetter(*_SENTENCE_COLUMNS)
_conv_offense_of = itemgetter(*_CONV_OFFENSE_COLUMNS)
_count_of = itemgetter(*_COUNT_COLUMNS)
_step_of = itemgetter(*_STEP_COLUMNS)


def _any_text(values: tuple[str, ...]) -> bool:
    """Whether any of the values has a non-blank character."""
    return bool("".join(values).strip())


def _fill_record(record: case_pb2.CriminalRecord, rows: Sequence[Row]) -> None:
    record.SetInParent()
    record.source_format = SOURCE_FORMAT
    add_source_row = record.source_rows.add
    add_cycle = record.cycles.add
    cycle: case_pb2.Cycle | None = None
    step: case_pb2.Step | None = None
    cycle_key: tuple[str, ...] = ()
    step_key: tuple[str, ...] = ()
    # Counts of the current step by count_order, with the columns they hold.
    step_counts: dict[str, tuple[case_pb2.Count, tuple[str, ...]]] = {}
    rstrip = str.rstrip

    for position, row in enumerate(rows):
        f = row.fields
        add_source_row(file=row.file, line=row.line, index=row.index, fields=f)
        cnt_order = f[col.CNT_ORDER]

        # Cycles and steps group CONSECUTIVE rows only, so proto order stays
        # row order (the rules take "first row wins" from it, as gogen does).
        # A cycle is its order plus date; a step is its order plus date, type
        # and agency: gogen's own fixtures put an arrest and a court action
        # under one step order, and those must not share a Step.
        key = (_order(f[col.CYC_ORDER], cnt_order, 0), f[col.CYC_DATE])
        if cycle is None or key != cycle_key:
            cycle_key = key
            cycle = add_cycle(cycle_order=key[0], age_at_cycle=f[col.CYC_AGE])
            _set_date(cycle.date, f[col.CYC_DATE])
            step = None

        key = (_order(f[col.STP_ORDER], cnt_order, 3), *_step_of(f))
        if step is None or key != step_key:
            step_key = key
            step = cycle.steps.add(
                step_order=key[0],
                type_code=f[col.STP_TYPE_CODE],
                type_description=f[col.STP_TYPE_DESCR],
            )
            _set_date(step.event_date, f[col.STP_EVENT_DATE])
            _set_agency(step.agency, f)
            step_counts = {}

        # A sentence part repeats a count of this step with only its sentence
        # changed. A repeat that differs in charge, disposition, case number or
        # comment is a Count of its own (same count_order), so nothing the
        # rules read is hidden in another row: gogen takes the first CONVICTED
        # row of a CNT_ORDER, which need not be its first row.
        count_columns = tuple(map(rstrip, _count_of(f)))
        known = step_counts.get(cnt_order)
        if known is not None and known[1] == count_columns:
            count = known[0]
        else:
            count = step.counts.add(
                count_order=cnt_order,
                case_number=f[col.OFN],
                comment=f[col.COMMENT_TEXT],
                source_row_index=position,
            )
            offense = count.offense
            offense.SetInParent()
            offense.code = f[col.OFFENSE_CODE]
            offense.description = f[col.OFFENSE_DESCR]
            offense.type_of_charge = f[col.OFFENSE_TOC]
            offense.qualifiers = f[col.OFFENSE_QUAL_LST]
            _set_disposition(count.disposition, f)
            step_counts.setdefault(cnt_order, (count, count_columns))
        sentence = _sentence_of(f)
        if _any_text(sentence):
            order, location_code, location, length, time_code, time_description = sentence
            count.sentences.add(
                order=order,
                location_code=location_code,
                location=location,
                length=length,
                time_code=time_code,
                time_description=time_description,
            )


# Submessages are filled in place rather than built and copied in: the same
# message (presence included), in half the time.

def _set_agency(agency: case_pb2.Agency, f: list[str]) -> None:
    agency.SetInParent()
    agency.ori_type = f[col.STP_ORI_TYPE]
    agency.ori_type_description = f[col.STP_ORI_TYPE_DESCR]
    agency.ori_code = f[col.STP_ORI_CODE]
    agency.description = f[col.STP_ORI_DESCR]
    agency.county_code = f[col.STP_ORI_CNTY_CODE]
    agency.county_name = f[col.STP_ORI_CNTY_NAME]


def _set_disposition(disposition: case_pb2.Disposition, f: list[str]) -> None:
    disposition.SetInParent()
    disposition.code = f[col.DISP_CODE]
    disposition.description = f[col.DISP_DESCR]
    _set_date(disposition.date, f[col.DISP_DATE])
    disposition.conviction_status_code = f[col.CONV_STAT_CODE]
    disposition.conviction_status = f[col.CONV_STAT_DESCR]
    conviction_offense = _conv_offense_of(f)
    if _any_text(conviction_offense):
        offense = disposition.conviction_offense
        offense.SetInParent()
        offense.code, offense.description, offense.type_of_charge, offense.qualifiers = (
            conviction_offense)


# --- Contact information -----------------------------------------------------
# DOJ files carry no contact details; a county supplies them in a companion
# contacts.csv keyed by SUBJECT_ID.

CONTACT_COLUMNS = (
    "subject_id",
    "email",
    "phone",
    "language",
    "consent_email",
    "consent_sms",
    "consent_mail",
)

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}
# The longest line a contacts file may have; a real one is under 200 bytes.
CONTACT_LINE_LIMIT = 64 * 1024
# What each contact column must be, when it is not blank (clearway.addresses).
_VALUE_CHECKS = {"email": email_problem, "phone": phone_problem, "language": language_problem}


class ContactsError(ValueError):
    """A contacts file that cannot be used. The message names the file, the line and
    the column, never a value: one bad line stops the load."""


@dataclass(frozen=True, slots=True)
class ContactInfo:
    email: str = ""
    phone: str = ""
    language: str = ""
    consent_email: bool = False
    consent_sms: bool = False
    consent_mail: bool = False


def load_contacts(path: str | os.PathLike[str]) -> dict[str, ContactInfo]:
    """Read contacts.csv into {subject_id: ContactInfo}; raises ContactsError.

    A blank consent cell means no consent: no consent, no message. Any
    malformed line fails the whole load, because guessing someone's consent is
    worse than stopping: a file that is not comma-separated UTF-8 text, lacks a
    column, has a line of the wrong shape or a value that is not an email
    address, an E.164 phone number, a language tag or true/false. The message
    names file, line and column, never the value.
    """
    path = Path(path)
    name = path.name
    prefix, _ = read_prefix(path)
    if not prefix:
        raise ContactsError(f"{name}: it is empty; the first line must name the columns "
                            + ", ".join(CONTACT_COLUMNS))
    problem = binary_problem(prefix)
    if problem is not None:
        raise ContactsError(f"{name}: {problem}")
    contacts: dict[str, ContactInfo] = {}
    first_line: dict[str, int] = {}
    with open(path, "rb") as fh:
        lines = _ContactLines(fh, name)
        reader = csv.reader(lines, strict=True)
        records = _contact_records(reader, lines, name)
        header_line, header = next(records, (1, None))
        if header is None:
            raise ContactsError(f"{name}: it has no header line")
        bad = _not_utf8(header)
        if bad is not None:
            raise ContactsError(f"{name}: line {header_line}, column {bad + 1}: is not valid UTF-8")
        columns = _contact_columns(header, lines.first_text, name)
        width = len(header)
        for line, record in records:
            where = f"{name}: line {line}"
            if len(record) != width:
                raise ContactsError(f"{where}: expected {width} fields, found {len(record)}")
            bad = _not_utf8(record)
            if bad is not None:
                raise ContactsError(f"{where}, column {header[bad].strip()}: is not valid UTF-8")
            values = {column: record[index].strip() for column, index in columns.items()}
            subject_id = values["subject_id"]
            if not subject_id:
                raise ContactsError(f"{where}, column subject_id: is empty")
            if subject_id in contacts:
                raise ContactsError(f"{where}, column subject_id: appears more than once "
                                    f"(first on line {first_line[subject_id]})")
            for column, check in _VALUE_CHECKS.items():
                problem = check(values[column]) if values[column] else None
                if problem is not None:
                    raise ContactsError(f"{where}, column {column}: {problem}")
            first_line[subject_id] = line
            contacts[subject_id] = ContactInfo(
                email=values["email"],
                phone=values["phone"],
                language=values["language"],
                consent_email=_consent(values["consent_email"], "consent_email", where),
                consent_sms=_consent(values["consent_sms"], "consent_sms", where),
                consent_mail=_consent(values["consent_mail"], "consent_mail", where),
            )
    return contacts


def _consent(value: str, column: str, where: str) -> bool:
    v = value.lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ContactsError(f"{where}, column {column}: is not true or false")


class _ContactLines:
    """A contacts file's physical lines for csv.reader, each at most CONTACT_LINE_LIMIT bytes.

    Decoded with surrogateescape, so a line that is not UTF-8 is still read and
    its column found (_contact_records); counts the lines it hands out.
    """

    def __init__(self, fh, name: str) -> None:
        self._fh = fh
        self._name = name
        self.count = 0
        self.first_text = ""

    def __iter__(self) -> "_ContactLines":
        return self

    def __next__(self) -> str:
        line = self._fh.readline(CONTACT_LINE_LIMIT + 2)
        if not line:
            raise StopIteration
        self.count += 1
        if len(line.rstrip(b"\r\n")) > CONTACT_LINE_LIMIT:
            raise ContactsError(f"{self._name}: line {self.count}: longer than "
                                f"{CONTACT_LINE_LIMIT // 1024} KiB")
        text = line.decode("utf-8", "surrogateescape")
        if self.count == 1:
            text = text.removeprefix("\ufeff")
            self.first_text = text
        return text


def _contact_records(reader, lines: _ContactLines, name: str):
    """(first line, fields) of each non-blank record; raises ContactsError on a malformed one."""
    while True:
        first = lines.count + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ContactsError(f"{name}: line {first}: {csv_reason(error)}") from None
        if not record:
            continue
        yield first, record


def _not_utf8(record: list[str]) -> int | None:
    """Index of the first field that was not valid UTF-8 (decoded with surrogateescape), else None."""
    for index, value in enumerate(record):
        if value.isascii():
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return index
    return None


def _contact_columns(header: list[str], header_text: str, name: str) -> dict[str, int]:
    """Where each contact column is in the header; raises ContactsError when one is missing."""
    names = [column.strip().lower() for column in header]
    missing = [column for column in CONTACT_COLUMNS if column not in names]
    if missing:
        problem = delimiter_problem(header_text, len(CONTACT_COLUMNS)) if len(names) == 1 else None
        raise ContactsError(f"{name}: line 1: {problem or 'missing columns ' + ', '.join(missing)}")
    twice = [column for column in CONTACT_COLUMNS if names.count(column) > 1]
    if twice:
        raise ContactsError(f"{name}: line 1: column {twice[0]} appears more than once")
    return {column: names.index(column) for column in CONTACT_COLUMNS}


def apply_contact(person: case_pb2.Person, info: ContactInfo) -> None:
    """Copy contact details, language and consent onto a Person (in place)."""
    person.contact.email = info.email
    person.contact.phone = info.phone
    person.preferred_language = info.language
    person.consent.email = info.consent_email
    person.consent.sms = info.consent_sms
    person.consent.postal_mail = info.consent_mail
