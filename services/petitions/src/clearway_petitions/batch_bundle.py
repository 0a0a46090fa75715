"""The gogen result bundle of a batch, written when its last determination arrives.

A prosecutor who submits a DOJ file through the pipeline gets the same files
`clearway evaluate` writes (All_Results, All_Results_Condensed, Prop64_Results,
gogen.json, the impact report). Each determination carries its person's
report lines (DeterminationMade.prop64_report); they are spooled to disk as
they come, and BatchClosed says how many people complete the batch.

Crash safety: the spool is append-only and each record names its
determination event, so a record written twice (a batch retried after a
crash) is counted once, and an interrupted bundle is simply written again.

The spool holds every person's DOJ rows: it is removed once the bundle is
written, and a batch's folder is readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import pickle
import time
from pathlib import Path

from clearway import events
from clearway.bus import Rejected
from clearway.ca_doj.columns import NUM_COLUMNS
from clearway.private_files import private_dir
from clearway.ca_doj import bundle, impact, summary, tally_codec
from clearway.v1 import batch_pb2, determination_pb2

log = logging.getLogger(__name__)

SPOOL = "spool.pickles"
# A batch folder's name, at most (file systems allow 255 bytes).
_LONGEST_FOLDER_NAME = 100
CLOSED = "batch_closed.pb"
DONE = "DONE"


class BatchBundles:
    """Spools report lines per batch and writes the bundle once the batch is whole."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # batch id -> determination event ids spooled (rebuilt from disk on demand).
        self._seen: dict[str, set[str]] = {}

    def folder(self, batch_id: str) -> Path:
        # Batch ids are UUIDs or operator-chosen names: keep them to one short path segment.
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in batch_id)
        if len(safe) > _LONGEST_FOLDER_NAME or safe in ("", ".", ".."):
            digest = hashlib.sha256(batch_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            safe = f"{safe[:_LONGEST_FOLDER_NAME - 17].strip('.')}-{digest}"
        return self.root / safe

    def add(self, made: determination_pb2.DeterminationMade) -> Path | None:
        """Spool a determination's report lines; returns the bundle folder if it completed the batch."""
        batch_id = made.envelope.batch_id
        if not batch_id or not made.HasField("prop64_report"):
            return None
        folder = self.folder(batch_id)
        if (folder / DONE).exists():
            return None  # a redelivery after the bundle was written: nothing to add
        private_dir(folder)
        seen = self._seen_in(batch_id)
        if made.envelope.event_id in seen:
            return self._maybe_finish(batch_id)
        encoder = bundle.LineEncoder()
        report = made.prop64_report
        rows = []
        for number, row in enumerate(report.rows):
            if len(row.source.fields) != NUM_COLUMNS:
                raise Rejected(f"prop64_report.rows[{number}].source.fields: {len(row.source.fields)} "
                               f"fields, a DOJ row has {NUM_COLUMNS}",
                               field=f"prop64_report.rows[{number}].source.fields")
            fields = list(row.source.fields)
            columns = list(row.columns)
            rows.append((
                row.source.file,
                row.source.index,
                encoder.line(fields + columns),
                encoder.line([fields[i] for i in bundle.CONDENSED_COLUMNS] + columns),
                row.judged,
            ))
        record = {
            "event_id": made.envelope.event_id,
            "tally": report.tally.SerializeToString(),
            "rows": rows,
            "width": max((len(row.columns) for row in report.rows), default=0),
            "rule_pack": (made.rule_pack.id, made.rule_pack.version),
            "policy_id": made.rule_pack.policy_id,
            "compute_date": made.compute_date.raw,
            "dismiss": list(report.dismiss_sections),
            "reduce": list(report.reduce_sections),
        }
        with open(folder / SPOOL, "ab") as fh:
            pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
        seen.add(made.envelope.event_id)
        return self._maybe_finish(batch_id)

    def close(self, closed: batch_pb2.BatchClosed) -> Path | None:
        """Record how many cases make the batch whole; returns the bundle folder if it is."""
        batch_id = closed.envelope.batch_id
        folder = private_dir(self.folder(batch_id))
        (folder / CLOSED).write_bytes(closed.SerializeToString())
        return self._maybe_finish(batch_id)

    def _seen_in(self, batch_id: str) -> set[str]:
        seen = self._seen.get(batch_id)
        if seen is None:
            seen = {record["event_id"] for record in _records(self.folder(batch_id) / SPOOL)}
            self._seen[batch_id] = seen
        return seen

    def _maybe_finish(self, batch_id: str) -> Path | None:
        folder = self.folder(batch_id)
        if (folder / DONE).exists() or not (folder / CLOSED).exists():
            return None
        closed = batch_pb2.BatchClosed.FromString((folder / CLOSED).read_bytes())
        if len(self._seen_in(batch_id)) < closed.case_count:
            return None
        started = time.perf_counter()
        write_bundle(folder, closed)
        (folder / DONE).write_text("", encoding="utf-8")
        (folder / SPOOL).unlink(missing_ok=True)
        self._seen.pop(batch_id, None)
        log.info("batch bundle written", extra={"batch_id": batch_id, "count": closed.case_count,
                                                "seconds": round(time.perf_counter() - started, 3)})
        return folder


def _records(path: Path):
    if not path.exists():
        return
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return
            except pickle.UnpicklingError:
                return  # a record cut short by a crash; its determination is redelivered


def write_bundle(folder: Path, closed: batch_pb2.BatchClosed) -> None:
    """Write the batch's result files from its spool, rows in source order.

    As `clearway evaluate`: files rejected whole get no result files and are
    listed in gogen.err; under gogen's own rules gogen.json is then left out.
    """
    files = list(closed.source_files)
    rejected = {error.source_file: {"errorType": error.error_type, "errorMessage": error.error_message}
                for error in closed.file_errors}
    if rejected:
        bundle.write_file_errors(folder, rejected)
    tally = summary.Tally()
    seen: set[str] = set()
    lines: dict[str, list[tuple[int, str, str, bool]]] = {name: [] for name in files}
    first = None
    for record in _records(folder / SPOOL):
        if record["event_id"] in seen:
            continue
        seen.add(record["event_id"])
        first = first or record
        tally.add(tally_codec.from_proto(determination_pb2.Prop64Tally.FromString(record["tally"])))
        for file, index, all_line, cond_line, judged in record["rows"]:
            lines.setdefault(file, []).append((index, all_line, cond_line, judged))
    if first is None:
        return
    rules_header = _eligibility_header(first)
    header, cond_header = bundle.header_lines(rules_header)
    for number, name in enumerate(files, start=1):
        if name in rejected:
            continue
        rows = sorted(lines.get(name, ()))
        paths = [folder / bundle.result_name(kind, number, len(files))
                 for kind in (bundle.ALL_RESULTS, bundle.CONDENSED, bundle.PROP64_RESULTS)]
        with open(paths[0], "w", encoding="utf-8", newline="") as all_out, \
                open(paths[1], "w", encoding="utf-8", newline="") as cond_out, \
                open(paths[2], "w", encoding="utf-8", newline="") as p64_out:
            all_out.write(header)
            cond_out.write(cond_header)
            p64_out.write(header)
            for _, all_line, cond_line, judged in rows:
                all_out.write(all_line)
                cond_out.write(cond_line)
                if judged:
                    p64_out.write(all_line)
    started = closed.envelope.occurred_at.ToDatetime(tzinfo=dt.timezone.utc)
    now = dt.datetime.now(dt.timezone.utc)
    document = summary.summary_document(
        tally,
        county=events.county_of(closed.envelope.jurisdiction),
        line_count=closed.row_count - closed.rejected_row_count
        - sum(error.withheld_row_count for error in closed.file_errors),
        processing_seconds=round(max(0.0, (now - started).total_seconds()), 9),
        dismiss_sections=first["dismiss"],
        reduce_sections=first["reduce"],
        now=started,
    )
    corrected = len(rules_header) > len(bundle.ELIGIBILITY_COLUMNS)  # its explanation columns
    if not (rejected and not corrected):
        # gogen writes no summary when a file failed; the corrected version does.
        (folder / bundle.result_name(bundle.SUMMARY, 1, 1, ext="json")).write_text(
            summary.dumps(document), encoding="utf-8")
    facts = summary.report_facts(
        rule_pack=first["rule_pack"],
        policy_name=first["policy_id"],
        compute_date=first["compute_date"],
        files=files,
        rows_rejected=closed.rejected_row_count,
        tally=tally,
    )
    impact.write_impact_report(folder / "Impact_Report.html", document, facts)


def _eligibility_header(record) -> list[str]:
    """gogen's 18 column names, plus the corrected version's three when rows carry them."""
    extra = record["width"] > len(bundle.ELIGIBILITY_COLUMNS)
    return list(bundle.ELIGIBILITY_COLUMNS) + (list(bundle.EXPLANATION_COLUMNS) if extra else [])
