"""Documented limits on every field and collection of a case, checked before it enters the pipeline.

Why: without them one request could stall or break everything after it. A
900 KB name stalled every petition for minutes (PDF layout is quadratic in the
length of a name), and a 1.1 MB name or 10,000 cycles were too large for a
Kafka record. So every string and every repeated field of a CaseInput has a
limit, and so has the whole case:

- ``LIMITS``: the limits set on purpose, keyed by the field's path in
  CaseInput (``person.name.recorded``; ``[]`` marks each entry of a repeated
  string, ``record.source_rows.fields[]``). Every repeated field has one.
- ``DEFAULT_CHARACTERS``: every other string.
- ``MAX_CASE_BYTES`` (clearway.topics): the case serialized as the
  CaseSubmitted intake publishes; what is made from a case is no larger.

The README's table of limits is this table (a unit test compares them).

The numbers let real CA DOJ data through: a DOJ row has 95 fields, its values
are short codes and texts (a comment is the longest), it numbers steps, counts
and sentences with three digits, and a person of 10,000 rows (about 800 bytes
each, a case of about 10.6 MB) must still flow. Which of them binds first is
usually the size of the whole case.

A problem names the field by its path, with indices (``case.record.cycles[3]
.steps[0].counts[1].comment``), and never quotes its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from clearway import topics
from clearway.ca_doj import columns as col
from clearway.v1 import intake_service_pb2

from clearway_intake.domain.problem import Problem

CHARACTERS = "characters"
ENTRIES = "entries"


@dataclass(frozen=True)
class Limit:
    maximum: int
    unit: str  # CHARACTERS for a string, ENTRIES for a repeated field
    why: str


# Any string not in LIMITS: room for every code, label and charge text of a DOJ row.
DEFAULT_CHARACTERS = 200
MAX_CASE_BYTES = topics.MAX_CASE_BYTES
# Room in a CaseSubmitted beyond the case's person and record: envelope, evaluation, person id.
ENVELOPE_ALLOWANCE_BYTES = 1024

LIMITS: dict[str, Limit] = {
    "source_person_key": Limit(128, CHARACTERS, "a source's id of the person (a DOJ SUBJECT_ID has 8 digits)"),
    "person.name.recorded": Limit(200, CHARACTERS, "a name as recorded; petitions print it"),
    "person.name.family_name": Limit(200, CHARACTERS, "as the recorded name"),
    "person.name.given_names": Limit(200, CHARACTERS, "as the recorded name"),
    "person.contact.email": Limit(254, CHARACTERS, "the longest address SMTP carries (RFC 5321)"),
    "person.contact.phone": Limit(16, CHARACTERS, "E.164: a plus and up to 15 digits"),
    "person.contact.postal_address.lines": Limit(6, ENTRIES, "lines of a postal address"),
    "person.contact.postal_address.lines[]": Limit(100, CHARACTERS, "one line of an address label"),
    "person.preferred_language": Limit(35, CHARACTERS, "a language tag (RFC 5646 §4.4.1)"),
    "person.identifiers": Limit(100, ENTRIES, "a person's source ids and CII numbers"),
    "record.cycles": Limit(10_000, ENTRIES, "at most one per source row of the largest person"),
    "record.cycles.steps": Limit(1_000, ENTRIES, "DOJ numbers a cycle's steps with 3 digits"),
    "record.cycles.steps.counts": Limit(1_000, ENTRIES, "DOJ numbers a step's counts with 3 digits"),
    "record.cycles.steps.counts.sentences": Limit(1_000, ENTRIES, "DOJ numbers sentences with 3 digits"),
    "record.cycles.steps.counts.comment": Limit(1_000, CHARACTERS, "free text (DOJ COMMENT_TEXT)"),
    "record.source_rows": Limit(20_000, ENTRIES, "twice the 10,000 rows a person must be able to have"),
    "record.source_rows.file": Limit(255, CHARACTERS, "a file's base name"),
    "record.source_rows.fields": Limit(200, ENTRIES, "a DOJ row has 95 fields"),
    "record.source_rows.fields[]": Limit(1_000, CHARACTERS, "one field of a source row"),
}


@dataclass(frozen=True)
class _Check:
    """What is checked of one field at one path: from the descriptor and LIMITS."""

    path: str  # without indices, as LIMITS is keyed
    repeated: bool
    entries: int  # for a repeated field
    characters: int  # for a string, or each string of a repeated one (else 0)
    message: Descriptor | None


def limit_problems(case: intake_service_pb2.CaseInput, *, prefix: str = "case",
                   max_problems: int = 20) -> list[Problem]:
    """Every field of ``case`` over its limit (at most ``max_problems``), then its size."""
    problems: list[Problem] = []
    try:
        _walk(case, "", prefix, problems, max_problems)
    except _Enough:
        return problems
    size = case_submitted_bytes(case)
    if size > MAX_CASE_BYTES:
        problems.append(Problem(prefix, size_reason(size)))
    return problems


def case_submitted_bytes(case: intake_service_pb2.CaseInput) -> int:
    """An upper bound on the CaseSubmitted that intake publishes for ``case``."""
    return (_embedded_bytes(case.person.ByteSize()) + _embedded_bytes(case.record.ByteSize())
            + ENVELOPE_ALLOWANCE_BYTES)


def size_reason(size: int) -> str:
    return (f"{size:,} bytes as a published case, more than the {MAX_CASE_BYTES:,} allowed "
            "(clearway.topics.MAX_CASE_BYTES)")


def doj_row_problems(fields: Sequence[str]) -> list[Problem]:
    """A DOJ row's fields over the limits its case would break, by column.

    A bulk case is built from its rows, so checking each row's fields (cheap)
    stands in for walking every case; the whole case's size is checked as it
    is sent (clearway_intake.publisher).
    """
    if (len(fields) <= _DOJ_FIELDS and len("".join(fields)) <= _DOJ_FIELD_CHARACTERS
            and (len(fields) <= col.PRI_NAME or len(fields[col.PRI_NAME]) <= _DOJ_NAME_CHARACTERS)):
        return []  # the usual row (a few hundred characters in all), at C speed
    problems = []
    if len(fields) > _DOJ_FIELDS:
        problems.append(Problem("", f"more than {_DOJ_FIELDS:,} fields"))
    for column, value in enumerate(fields):
        limit = _DOJ_NAME_CHARACTERS if column == col.PRI_NAME else _DOJ_FIELD_CHARACTERS
        if len(value) > limit:
            problems.append(Problem(col.column_name(column), f"longer than {limit:,} characters"))
    return problems


def string_paths() -> list[str]:
    """The path of every string of a CaseInput (``[]`` for a repeated one's entries)."""
    return [check.path + ("[]" if check.repeated else "")
            for check in _all_checks(intake_service_pb2.CaseInput.DESCRIPTOR, "")
            if check.characters]


def repeated_paths() -> list[str]:
    """The path of every repeated field of a CaseInput."""
    return [check.path for check in _all_checks(intake_service_pb2.CaseInput.DESCRIPTOR, "")
            if check.repeated]


# What a DOJ row's fields become in its case (domain/ca_doj/cases.py).
_DOJ_NAME_CHARACTERS = LIMITS["person.name.recorded"].maximum
_DOJ_FIELD_CHARACTERS = LIMITS["record.source_rows.fields[]"].maximum
_DOJ_FIELDS = LIMITS["record.source_rows.fields"].maximum


class _Enough(Exception):
    """Raised when enough problems were found: a reply need not list a million."""


def _walk(message: Message, path: str, shown: str, problems: list[Problem],
          max_problems: int) -> None:
    checks = _checks(message.DESCRIPTOR, path)
    for field, value in message.ListFields():
        check = checks.get(field.name)
        if check is None:
            continue  # a number, bool or enum: fixed width
        if check.repeated:
            here = f"{shown}.{field.name}"
            if len(value) > check.entries:
                _add(problems, max_problems, here, f"more than {check.entries:,} entries")
            elif check.message is not None:
                for index, child in enumerate(value):
                    _walk(child, check.path, f"{here}[{index}]", problems, max_problems)
            elif check.characters and max(map(len, value)) > check.characters:
                index = next(i for i, text in enumerate(value) if len(text) > check.characters)
                _add(problems, max_problems, f"{here}[{index}]",
                     f"longer than {check.characters:,} characters")
        elif check.message is not None:
            _walk(value, check.path, f"{shown}.{field.name}", problems, max_problems)
        elif len(value) > check.characters:
            _add(problems, max_problems, f"{shown}.{field.name}",
                 f"longer than {check.characters:,} characters")


def _add(problems: list[Problem], max_problems: int, field: str, reason: str) -> None:
    problems.append(Problem(field, reason))
    if len(problems) >= max_problems:
        raise _Enough


@lru_cache(maxsize=None)
def _checks(descriptor: Descriptor, path: str) -> dict[str, _Check]:
    """The checks of a message's string, message and repeated fields at ``path``."""
    checks = {}
    for field in descriptor.fields:
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE
        if not (is_message or field.type == FieldDescriptor.TYPE_STRING or field.is_repeated):
            continue
        here = f"{path}.{field.name}" if path else field.name
        # Every repeated field must have a limit of its own: a KeyError here is a missing entry.
        entries = LIMITS[here].maximum if field.is_repeated else 0
        characters = 0
        if field.type == FieldDescriptor.TYPE_STRING:
            text = here + ("[]" if field.is_repeated else "")
            characters = LIMITS[text].maximum if text in LIMITS else DEFAULT_CHARACTERS
        checks[field.name] = _Check(here, field.is_repeated, entries, characters,
                                    field.message_type if is_message else None)
    return checks


def _all_checks(descriptor: Descriptor, path: str) -> list[_Check]:
    found = []
    for check in _checks(descriptor, path).values():
        found.append(check)
        if check.message is not None:
            found += _all_checks(check.message, check.path)
    return found


def _embedded_bytes(size: int) -> int:
    """Bytes of a submessage of ``size`` bytes in its parent: tag, length, body."""
    return 1 + _varint_bytes(size) + size


def _varint_bytes(value: int) -> int:
    return max(1, (value.bit_length() + 6) // 7)
