"""Read spans written by the file exporter and print a case's or batch's trace as a tree.

Why: operators on a laptop need to see one case's path through the four services
without running a trace backend. Children are indented under their parent; each
line shows the service (with its consumer group when a service has two), the span
name and its duration.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ID_ATTRIBUTES = ("clearway.case_id", "clearway.batch_id", "clearway.person_id", "clearway.event_id")


@dataclass
class SpanRecord:
    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    service: str
    start_ns: int
    end_ns: int
    attributes: dict = field(default_factory=dict)

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


class SpanFileError(ValueError):
    """A span file line that is not a span the file exporter writes (names file and line)."""


def load_spans(trace_dir: Path) -> list[SpanRecord]:
    spans = []
    for path in sorted(Path(trace_dir).glob("*.jsonl")):
        with open(path, "rb") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    d = json.loads(line)
                    spans.append(SpanRecord(str(d["trace_id"]), str(d["span_id"]), d.get("parent_span_id"),
                                            str(d["name"]), str(d.get("service", "")), int(d["start_ns"]),
                                            int(d["end_ns"]), dict(d.get("attributes") or {})))
                except (ValueError, KeyError, TypeError, AttributeError):
                    raise SpanFileError(f"{path}: line {number}: not a span as Clearway's "
                                        "file exporter writes one (JSON lines)") from None
    return spans


def traces_for(spans: list[SpanRecord], ident: str) -> list[str]:
    """Trace ids that mention ``ident`` as a trace id or an opaque Clearway id, oldest first."""
    first_seen: dict[str, int] = {}
    for span in spans:
        if span.trace_id == ident or any(span.attributes.get(a) == ident for a in ID_ATTRIBUTES):
            first_seen[span.trace_id] = min(first_seen.get(span.trace_id, span.start_ns), span.start_ns)
    return sorted(first_seen, key=first_seen.get)


def render_tree(spans: list[SpanRecord], trace_id: str) -> str:
    members = [s for s in spans if s.trace_id == trace_id]
    ids = {s.span_id for s in members}
    children: dict[str | None, list[SpanRecord]] = defaultdict(list)
    for span in members:
        parent = span.parent_span_id if span.parent_span_id in ids else None
        children[parent].append(span)
    lines = [f"trace {trace_id}"]

    def walk(parent: str | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s.start_ns):
            label = f"{'  ' * depth}{_who(span)}: {span.name}"
            lines.append(f"  {label:<86} {span.duration_ms:9.1f} ms")
            walk(span.span_id, depth + 1)

    walk(None, 0)
    return "\n".join(lines)


def _who(span: SpanRecord) -> str:
    """The service, and its consumer group when it is not the service's main one.

    Petitions follows the determinations twice (filings, and the batch bundles in
    group clearway-petitions-bundles): the group tells the two spans apart.
    """
    group = span.attributes.get("messaging.consumer.group.name", "")
    if group and group != f"clearway-{span.service}" and span.service:
        return f"{span.service} ({group})"
    return span.service


def services_in(spans: list[SpanRecord], trace_id: str) -> set[str]:
    return {s.service for s in spans if s.trace_id == trace_id}
