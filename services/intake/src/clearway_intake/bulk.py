"""Bulk intake of CA DOJ research files: one batch, one case per person, then BatchClosed.

The files are streamed row by row; a malformed row goes to the dead-letter topic
with file, line and field, and the rest flows on. Rows are grouped by SUBJECT_ID
over all files of the batch (a person's rows may be anywhere, in any file) on
disk, so memory does not grow with the input (domain/ca_doj/grouping.py). Once
every case is acknowledged, one BatchClosed tells downstream how many cases make
the batch complete.
"""

from __future__ import annotations

import logging
import os
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from clearway import events, tracing
from clearway.v1 import case_pb2

from clearway_intake.domain.ca_doj import (
    Row,
    RowError,
    apply_contact,
    fill_case_from_rows,
    load_contacts,
    read_rows,
    validate_row,
)
from clearway_intake.domain.ca_doj.grouping import PARTITION_BYTES, group_rows, partition_count
from clearway_intake.publisher import CasePublisher

log = logging.getLogger(__name__)


@dataclass
class BatchReport:
    batch_id: str
    rows: int = 0
    cases: int = 0
    rejected_rows: int = 0
    # Base names of the source files, in submission order.
    source_files: list[str] = field(default_factory=list)


def submit_files(paths: Sequence[str | os.PathLike[str]], publisher: CasePublisher, *,
                 tenant: str, jurisdiction: str, contacts_path: Path | None = None,
                 batch_id: str | None = None,
                 evaluation: case_pb2.EvaluationRequest | None = None,
                 on_row: Callable[[int], None] | None = None,
                 partitions: int | None = None,
                 spool_dir: str | os.PathLike[str] | None = None) -> BatchReport:
    """Publish every person of ``paths`` (one batch), then BatchClosed; ``on_row(n)`` reports progress.

    ``evaluation`` goes into every CaseSubmitted and into BatchClosed.
    ``partitions`` overrides the spool's partition count (default: from the input size).
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("no files to submit")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        # Source rows and reports name files by base name only; two alike would be confused.
        raise ValueError("two files of a batch have the same name: " + ", ".join(names))
    evaluation = evaluation if evaluation is not None else case_pb2.EvaluationRequest()
    report = BatchReport(batch_id=batch_id or str(uuid.uuid4()), source_files=names)
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

        def checked_rows() -> Iterator[Row | RowError]:
            for path in paths:
                for item in read_rows(path):
                    report.rows += 1
                    if on_row:
                        on_row(1)
                    if isinstance(item, RowError):
                        yield item  # dead-lettered as grouping passes it through
                        continue
                    problems = validate_row(item)
                    if problems:
                        first = problems[0]
                        _reject(publisher, report, tenant, jurisdiction, item.file, item.line,
                                first.field, "; ".join(f"{p.field}: {p.reason}" for p in problems),
                                ",".join(item.fields).encode())
                        continue
                    yield item

        with closing(group_rows(checked_rows(), partitions=partitions,
                                spool_dir=spool_dir)) as grouped:
            for item in grouped:
                if isinstance(item, RowError):
                    _reject(publisher, report, tenant, jurisdiction, item.file, item.line,
                            item.field or "", item.reason, item.raw)
                    continue
                # Built in place in the message that is sent: a case is thousands of fields.
                message = publisher.new_case(tenant=tenant, jurisdiction=jurisdiction,
                                             batch_id=report.batch_id, evaluation=evaluation)
                source_key = fill_case_from_rows(item, message.person, message.record)
                contact = contacts.get(source_key)
                if contact is not None:
                    apply_contact(message.person, contact)
                publisher.publish_submitted(message, source_key)
                report.cases += 1
        # Every case (and dead letter) acknowledged before the batch is declared closed.
        publisher.flush()
        publisher.publish_batch_closed(
            tenant=tenant, jurisdiction=jurisdiction, batch_id=report.batch_id,
            case_count=report.cases, row_count=report.rows,
            rejected_row_count=report.rejected_rows, source_files=report.source_files,
            evaluation=evaluation)
        publisher.flush()
        tracing.set_attributes(span, {"clearway.cases": report.cases,
                                      "clearway.rejected": report.rejected_rows})
    log.info("batch submitted", extra={"batch_id": report.batch_id, "count": report.cases,
                                       "rejected": report.rejected_rows})
    return report


def submit_file(path: Path, publisher: CasePublisher, **options) -> BatchReport:
    """One file as one batch (see submit_files)."""
    return submit_files([path], publisher, **options)


def _reject(publisher: CasePublisher, report: BatchReport, tenant: str, jurisdiction: str,
            file: str, line: int, field: str, reason: str, raw: bytes) -> None:
    report.rejected_rows += 1
    where = f"{file}:{line}" + (f" field {field}" if field else "")
    log.warning("rejected a row", extra={"file": file, "line": line, "field": field,
                                         "reason": reason})
    publisher.publish_rejection(events.dead_letter(
        source="intake", reason=f"{where}: {reason}", original=raw, tenant=tenant,
        jurisdiction=jurisdiction, batch_id=report.batch_id, source_file=file, line=line,
        field=field))
