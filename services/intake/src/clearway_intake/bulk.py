"""Bulk intake of CA DOJ research files: one batch, one case per person, then BatchClosed.

The files are streamed row by row; a malformed row goes to the dead-letter topic
with file, line and field, and the rest flows on. Rows are grouped by SUBJECT_ID
over all files of the batch (a person's rows may be anywhere, in any file) on
disk, so memory does not grow with the input (domain/ca_doj/grouping.py); read
for gogen's rule version, by file and SUBJECT_ID, as gogen judges each file
alone. A SUBJECT_ID whose rows name different people (clearway.ca_doj.identity)
is still one case, which eligibility sends to review; the batch report counts
them. Once every case is acknowledged, one BatchClosed tells downstream how
many cases make the batch complete.

On request (REJECT_FILE) a file with any malformed row is rejected whole, as
gogen does: it is read once to screen it, its malformed rows are dead-lettered
and none of its rows are published; BatchClosed names it with gogen's error.

The documented limits of a case (domain/limits.py) hold here too: a row with a
field over its limit is a malformed row, and a person whose rows make a case
over the whole-case budget is dead-lettered whole, naming files and lines.

A file that cannot be a CA DOJ research file at all (empty, binary, another
delimiter, a header lacking columns: clearway.ca_doj.screen) stops the batch
before anything is published (UnusableInput), as a bad contacts file does
(ContactsError).
"""

from __future__ import annotations

import logging
import os
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from clearway import events, tracing
from clearway.ca_doj.identity import row_conflicts
from clearway.ca_doj import screen
from clearway.ca_doj.reader import SHORT_FILE_ERROR, SNIFF_BYTES, data_start, gogen_parse_error
from clearway.v1 import batch_pb2, case_pb2

from clearway_intake.domain.ca_doj import (
    ContactInfo,
    FieldProblem,
    Row,
    RowError,
    apply_contact,
    fill_case_from_rows,
    load_contacts,
    person_key,
    read_rows,
    validate_row,
)
from clearway_intake.domain.ca_doj.grouping import PARTITION_BYTES, group_rows, partition_count
from clearway_intake.domain.limits import LIMITS, MAX_CASE_BYTES, doj_row_problems
from clearway_intake.publisher import CasePublisher, CaseTooLarge

log = logging.getLogger(__name__)

SKIP_ROW = "skip-row"
REJECT_FILE = "reject-file"

MAX_ROWS_PER_CASE = LIMITS["record.source_rows"].maximum
# A person with more rows has their rows' text counted before their case is built,
# so a case far over the budget is never built (below it, one is at most ~100 MB).
_COUNTED_ROWS = 1_000


class UnusableInput(ValueError):
    """Files of a batch that cannot be CA DOJ research files at all: nothing was published."""

    def __init__(self, files: list[screen.UnusableFile]) -> None:
        super().__init__("; ".join(map(str, files)))
        self.files = files


def unusable_files(paths: Iterable[str | os.PathLike[str]], *,
                   gogen_reading: bool = False) -> list[screen.UnusableFile]:
    """The files among ``paths`` that cannot be CA DOJ research files (clearway.ca_doj.screen).

    Under gogen's reading a file shorter than its header sniff is left out: the
    batch rejects it with gogen's ``EOF``, as gogen does.
    """
    return screen.screen_files(
        p for p in paths if not (gogen_reading and os.path.getsize(p) < SNIFF_BYTES))


@dataclass
class BatchReport:
    batch_id: str
    rows: int = 0
    cases: int = 0
    rejected_rows: int = 0
    # Base names of the source files, in submission order.
    source_files: list[str] = field(default_factory=list)
    # Files rejected whole, in submission order.
    file_errors: list[batch_pb2.FileError] = field(default_factory=list)
    # Cases (SUBJECT_IDs) whose rows name different people: CII, or name and date of birth, differ.
    identity_conflicts: int = 0


def submit_files(paths: Sequence[str | os.PathLike[str]], publisher: CasePublisher, *,
                 tenant: str, jurisdiction: str, contacts_path: Path | None = None,
                 contacts: Mapping[str, ContactInfo] | None = None,
                 batch_id: str | None = None,
                 evaluation: case_pb2.EvaluationRequest | None = None,
                 on_row: Callable[[int], None] | None = None,
                 partitions: int | None = None,
                 spool_dir: str | os.PathLike[str] | None = None,
                 on_bad_row: str = SKIP_ROW,
                 gogen_reading: bool = False) -> BatchReport:
    """Publish every person of ``paths`` (one batch), then BatchClosed; ``on_row(n)`` reports progress.

    ``contacts``: contact details by SUBJECT_ID, already loaded (else read from
    ``contacts_path``; a bad file raises ContactsError). A file that cannot be a
    DOJ file raises UnusableInput. Both before anything is published.
    ``evaluation`` goes into every CaseSubmitted and into BatchClosed.
    ``partitions`` overrides the spool's partition count (default: from the input size).
    ``on_bad_row``: what a malformed row costs, itself (SKIP_ROW) or its whole file (REJECT_FILE).
    ``gogen_reading``: read files as gogen 0.2.13 does, for its rule version: a byte
    order mark defeats header detection, a file under 128 bytes is rejected,
    each file's people are its own (a SUBJECT_ID in two files is two cases), and
    a file's rows with an empty SUBJECT_ID are one case, for gogen's quirk (§1.3).
    """
    if on_bad_row not in (SKIP_ROW, REJECT_FILE):
        raise ValueError(f"on_bad_row must be {SKIP_ROW!r} or {REJECT_FILE!r}")
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("no files to submit")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        # Source rows and reports name files by base name only; two alike would be confused.
        raise ValueError("two files of a batch have the same name: " + ", ".join(names))
    evaluation = evaluation if evaluation is not None else case_pb2.EvaluationRequest()
    unusable = unusable_files(paths, gogen_reading=gogen_reading)
    if unusable:
        raise UnusableInput(unusable)
    report = BatchReport(batch_id=batch_id or str(uuid.uuid4()), source_files=names)
    if contacts is None:
        contacts = load_contacts(contacts_path) if contacts_path else {}
    if partitions is None:
        partitions = partition_count(sum(p.stat().st_size for p in paths), PARTITION_BYTES)
    tracer = tracing.tracer("clearway.intake")
    with tracer.start_as_current_span("intake submit batch") as span:
        attributes = {"clearway.batch_id": report.batch_id, "clearway.tenant": tenant,
                      "clearway.jurisdiction": jurisdiction}
        if evaluation.rule_pack_version:
            attributes["clearway.rule_pack.version"] = evaluation.rule_pack_version
        tracing.set_attributes(span, attributes)

        def reject(item: Row | RowError, problems: Sequence[FieldProblem] = ()) -> None:
            """Dead-letter a record that could not be read, or a row with validate_row's `problems`."""
            if isinstance(item, RowError):
                _reject(publisher, report, tenant, jurisdiction, item.file, item.line,
                        item.field or "", item.reason, item.raw,
                        original_size=item.size or len(item.raw), truncated=item.raw_truncated)
            else:
                _reject(publisher, report, tenant, jurisdiction, item.file, item.line,
                        problems[0].field, _reasons(problems), ",".join(item.fields).encode())

        accepted = [path for path in paths
                    if _screen(path, on_bad_row, gogen_reading, report, reject) is None]
        if on_row and report.rows:
            on_row(report.rows)  # the rows of rejected files, read only while screening

        def checked_rows() -> Iterator[Row | RowError]:
            for path in accepted:
                for item in read_rows(path, skip_bom=not gogen_reading):
                    report.rows += 1
                    if on_row:
                        on_row(1)
                    if isinstance(item, RowError):
                        yield item  # dead-lettered as grouping passes it through
                    elif problems := _row_problems(item, gogen_reading):
                        reject(item, problems)
                    else:
                        yield item

        with closing(group_rows(checked_rows(), partitions=partitions, spool_dir=spool_dir,
                                per_file=gogen_reading)) as grouped:
            for item in grouped:
                if isinstance(item, RowError):
                    reject(item)
                    continue
                if len(item) > MAX_ROWS_PER_CASE:
                    _reject_person(publisher, report, tenant, jurisdiction, item,
                                   f"one person's {len(item):,} rows, more than the "
                                   f"{MAX_ROWS_PER_CASE:,} a case may hold")
                    continue
                if len(item) > _COUNTED_ROWS and (text := _text_bytes(item)) > MAX_CASE_BYTES:
                    _reject_person(publisher, report, tenant, jurisdiction, item,
                                   f"one person's rows hold {text:,} bytes of text, more than "
                                   f"the {MAX_CASE_BYTES:,} a case may hold", size=text)
                    continue
                # Built in place in the message that is sent: a case is thousands of fields.
                message = publisher.new_case(tenant=tenant, jurisdiction=jurisdiction,
                                             batch_id=report.batch_id, evaluation=evaluation)
                source_key = fill_case_from_rows(item, message.person, message.record,
                                                 any_subject_id=gogen_reading)
                contact = contacts.get(source_key)
                if contact is not None:
                    apply_contact(message.person, contact)
                scheme, key = person_key(item, per_file=gogen_reading)
                try:
                    publisher.publish_submitted(message, key, scheme=scheme)
                except CaseTooLarge as too_large:
                    _reject_person(publisher, report, tenant, jurisdiction, item,
                                   f"one person's rows make a case of {too_large.size:,} bytes, "
                                   f"more than the {MAX_CASE_BYTES:,} allowed", size=too_large.size)
                    continue
                report.cases += 1
                if row_conflicts(row.fields for row in item):
                    report.identity_conflicts += 1
        # Every case (and dead letter) acknowledged before the batch is declared closed.
        publisher.flush()
        publisher.publish_batch_closed(
            tenant=tenant, jurisdiction=jurisdiction, batch_id=report.batch_id,
            case_count=report.cases, row_count=report.rows,
            rejected_row_count=report.rejected_rows, source_files=report.source_files,
            evaluation=evaluation, file_errors=report.file_errors)
        publisher.flush()
        tracing.set_attributes(span, {"clearway.cases": report.cases,
                                      "clearway.rejected": report.rejected_rows,
                                      "clearway.files_rejected": len(report.file_errors)})
    if report.identity_conflicts:
        log.warning("cases whose rows name different people (CII, or name and date of birth, "
                    "differ): their convictions go to review",
                    extra={"batch_id": report.batch_id, "count": report.identity_conflicts})
    log.info("batch submitted", extra={"batch_id": report.batch_id, "count": report.cases,
                                       "rejected": report.rejected_rows})
    return report


def submit_file(path: Path, publisher: CasePublisher, **options) -> BatchReport:
    """One file as one batch (see submit_files)."""
    return submit_files([path], publisher, **options)


def _screen(path: Path, on_bad_row: str, gogen_reading: bool, report: BatchReport,
            reject: Callable[..., None]) -> batch_pb2.FileError | None:
    """Why `path` is rejected whole (also added to the report), or None when its rows may flow.

    Only REJECT_FILE reads the file here, dead-lettering its malformed rows as
    it goes: a file with none is read again to publish it; one with any is not.
    """
    error = None
    if gogen_reading and path.stat().st_size < SNIFF_BYTES:
        error = batch_pb2.FileError(source_file=path.name, error_type=SHORT_FILE_ERROR["errorType"],
                                    error_message=SHORT_FILE_ERROR["errorMessage"])
    elif on_bad_row == REJECT_FILE:
        rows = withheld = 0
        for item in read_rows(path, skip_bom=not gogen_reading):
            rows += 1
            problems = [] if isinstance(item, RowError) else _row_problems(item, gogen_reading)
            if isinstance(item, Row) and not problems:
                withheld += 1
                continue
            reject(item, problems)
            if error is None:
                with open(path, "rb") as fh:
                    _, header_lines = data_start(fh, skip_bom=not gogen_reading)
                entry = gogen_parse_error(item.line, header_lines,
                                          item.reason if isinstance(item, RowError) else _reasons(problems))
                error = batch_pb2.FileError(source_file=path.name, error_type=entry["errorType"],
                                            error_message=entry["errorMessage"])
        if error is None:
            return None
        error.withheld_row_count = withheld
        report.rows += rows
    if error is not None:
        report.file_errors.append(error)
        log.warning("rejected a file", extra={"file": path.name, "reason": error.error_message})
    return error


def _row_problems(row: Row, gogen_reading: bool) -> list:
    """What makes a row malformed: validate_row's problems, else fields over their limits."""
    return validate_row(row, any_subject_id=gogen_reading) or doj_row_problems(row.fields)


def _text_bytes(rows: Sequence[Row]) -> int:
    """Characters in the rows' fields: a lower bound of the bytes of their case."""
    return sum(sum(map(len, row.fields)) for row in rows)


def _lines(rows: Sequence[Row]) -> str:
    """Where a person's rows are: each file with its first and last line and row count."""
    spans: dict[str, list[int]] = {}
    for row in rows:
        first, last, count = spans.setdefault(row.file, [row.line, row.line, 0])
        spans[row.file] = [min(first, row.line), max(last, row.line), count + 1]
    return ", ".join(f"{file} lines {first}-{last} ({count:,} rows)"
                     for file, (first, last, count) in spans.items())


def _reject_person(publisher: CasePublisher, report: BatchReport, tenant: str, jurisdiction: str,
                   rows: Sequence[Row], reason: str, size: int = 0) -> None:
    """Dead-letter one person's rows as too large a case; the rest of the batch flows on."""
    report.rejected_rows += len(rows)
    first = rows[0]
    log.warning("rejected a person's rows as too large a case",
                extra={"file": first.file, "line": first.line, "count": len(rows)})
    letter = events.dead_letter(
        source="intake", reason=f"{_lines(rows)}: {reason}", original=b"",
        tenant=tenant, jurisdiction=jurisdiction, batch_id=report.batch_id,
        source_file=first.file, line=first.line)
    # The rows are in the file; a dead letter could not hold them (see original_size).
    letter.original_size = size or sum(len(",".join(row.fields)) + 1 for row in rows)
    letter.original_truncated = True
    publisher.publish_rejection(letter)


def _reasons(problems) -> str:
    return "; ".join(f"{p.field}: {p.reason}" for p in problems)


def _reject(publisher: CasePublisher, report: BatchReport, tenant: str, jurisdiction: str,
            file: str, line: int, field: str, reason: str, raw: bytes, *,
            original_size: int = 0, truncated: bool = False) -> None:
    """Dead-letter a record; ``raw`` holds only its start when ``truncated`` (the
    reader keeps at most 1 MiB of a record), ``original_size`` its full size."""
    report.rejected_rows += 1
    where = f"{file}:{line}" + (f" field {field}" if field else "")
    log.warning("rejected a row", extra={"file": file, "line": line, "field": field,
                                         "reason": reason})
    letter = events.dead_letter(
        source="intake", reason=f"{where}: {reason}", original=raw, tenant=tenant,
        jurisdiction=jurisdiction, batch_id=report.batch_id, source_file=file, line=line,
        field=field)
    letter.original_size = max(original_size, len(raw))
    letter.original_truncated = truncated
    publisher.publish_rejection(letter)
