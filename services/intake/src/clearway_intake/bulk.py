"""Bulk intake of a CA DOJ research file: stream it, validate each row, publish each person.

The file is read row by row (constant memory); a malformed row goes to the
dead-letter topic with file, line and field, and the rest of the file flows on.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from clearway import events, tracing
from clearway.v1 import intake_service_pb2

from clearway_intake.domain.ca_doj import (
    Row,
    RowError,
    apply_contact,
    case_input_from_rows,
    group_by_subject,
    load_contacts,
    read_rows,
    validate_row,
)
from clearway_intake.publisher import CasePublisher

log = logging.getLogger(__name__)


@dataclass
class BatchReport:
    batch_id: str
    rows: int = 0
    cases: int = 0
    rejected_rows: int = 0


def submit_file(path: Path, publisher: CasePublisher, *, tenant: str, jurisdiction: str,
                contacts_path: Path | None = None, batch_id: str | None = None,
                on_row: Callable[[int], None] | None = None) -> BatchReport:
    """Publish every person of ``path``; ``on_row(n)`` reports progress in rows."""
    report = BatchReport(batch_id=batch_id or str(uuid.uuid4()))
    contacts = load_contacts(contacts_path) if contacts_path else {}
    tracer = tracing.tracer("clearway.intake")
    with tracer.start_as_current_span("intake submit batch") as span:
        tracing.set_attributes(span, {"clearway.batch_id": report.batch_id,
                                      "clearway.tenant": tenant,
                                      "clearway.jurisdiction": jurisdiction})

        def valid_rows() -> Iterator[Row]:
            for item in read_rows(path):
                report.rows += 1
                if on_row:
                    on_row(1)
                if isinstance(item, RowError):
                    _reject(publisher, report, tenant, jurisdiction, item.file, item.line,
                            item.field or "", item.reason, item.raw)
                    continue
                problems = validate_row(item)
                if problems:
                    first = problems[0]
                    _reject(publisher, report, tenant, jurisdiction, item.file, item.line,
                            first.field, "; ".join(f"{p.field}: {p.reason}" for p in problems),
                            ",".join(item.fields).encode())
                    continue
                yield item

        for rows in group_by_subject(valid_rows()):
            person, record, source_key = case_input_from_rows(rows)
            contact = contacts.get(source_key)
            if contact is not None:
                apply_contact(person, contact)
            publisher.publish_case(
                tenant=tenant, jurisdiction=jurisdiction, batch_id=report.batch_id,
                case=intake_service_pb2.CaseInput(person=person, record=record,
                                                  source_person_key=source_key))
            report.cases += 1
        publisher.flush()
        tracing.set_attributes(span, {"clearway.cases": report.cases,
                                      "clearway.rejected": report.rejected_rows})
    log.info("batch submitted", extra={"batch_id": report.batch_id, "count": report.cases,
                                       "rejected": report.rejected_rows})
    return report


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
