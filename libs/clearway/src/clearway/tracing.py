"""OpenTelemetry setup and W3C trace context over Kafka headers.

Why this exists: one trace must run from intake through eligibility, petitions and
notifications, four processes joined only by Kafka. Every service sets up the SDK
here and moves context with ``inject_headers`` / ``consumer_span``, so a span in
one service is the parent of the next service's span, not merely in the same trace.

Exporter: the standard ``OTEL_TRACES_EXPORTER`` picks it (``otlp``, ``zipkin``,
``console``, ``none``, comma-separated for several). Unset, or ``file``, writes
spans as JSON lines to ``$CLEARWAY_TRACE_DIR/<service>.jsonl`` (default
``.local/traces``), which ``clearway trace ID`` reads.

Personal data never enters a span: attributes go through ``set_attributes``,
which accepts only the names in ``ALLOWED_ATTRIBUTES`` (opaque ids and counts).
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Span, SpanKind

from clearway.settings import env_path, env_str, local_state_dir

# Span attributes Clearway sets itself. Anything else is refused: names, dates of
# birth, addresses and source record ids must never reach a trace backend.
ALLOWED_ATTRIBUTES = frozenset({
    "clearway.tenant",
    "clearway.jurisdiction",
    "clearway.batch_id",
    "clearway.case_id",
    "clearway.person_id",
    "clearway.event_id",
    "clearway.rule_pack",
    "clearway.rule_pack.version",
    "clearway.convictions",
    "clearway.convictions.eligible",
    "clearway.documents",
    "clearway.channel",
    "clearway.status",
    "clearway.cases",
    "clearway.rejected",
    "clearway.files_rejected",  # a count, never a file name
    "clearway.duplicate",
    "messaging.system",
    "messaging.operation.type",
    "messaging.destination.name",
    "messaging.destination.partition.id",
    "messaging.kafka.offset",
    "messaging.consumer.group.name",
})

_provider_lock = threading.Lock()


def set_attributes(span: Span, attributes: Mapping[str, object]) -> None:
    """Set only allow-listed attributes; an unknown name is a programming error."""
    for name, value in attributes.items():
        if name not in ALLOWED_ATTRIBUTES:
            raise ValueError(f"span attribute {name!r} is not in clearway.tracing.ALLOWED_ATTRIBUTES")
        span.set_attribute(name, value)


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def setup_tracing(service_name: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the global tracer provider for this process (set once).

    Pass ``exporter`` to choose it in code (tests use an in-memory exporter, with a
    synchronous processor); otherwise ``OTEL_TRACES_EXPORTER`` decides.
    """
    with _provider_lock:
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            return current
        resource = Resource.create({"service.name": env_str("OTEL_SERVICE_NAME", service_name)})
        provider = TracerProvider(resource=resource)
        if exporter is not None:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            for configured in _exporters_from_env(service_name):
                provider.add_span_processor(BatchSpanProcessor(configured))
        trace.set_tracer_provider(provider)
        return provider


def shutdown_tracing() -> None:
    """Flush and close exporters; call on the way out so no span is lost."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()


def trace_dir() -> Path:
    return env_path("CLEARWAY_TRACE_DIR", local_state_dir() / "traces")


def _exporters_from_env(service_name: str) -> list[SpanExporter]:
    names = [n.strip() for n in env_str("OTEL_TRACES_EXPORTER", "file").split(",") if n.strip()]
    exporters: list[SpanExporter] = []
    for name in names:
        if name == "none":
            continue
        if name == "file":
            exporters.append(FileSpanExporter(trace_dir() / f"{service_name}.jsonl"))
            continue
        exporters.append(_exporter_from_entry_point(name))
    return exporters


def _exporter_from_entry_point(name: str) -> SpanExporter:
    """Load an exporter the way the OTel SDK's auto-configuration does."""
    from importlib.metadata import entry_points

    found = {ep.name: ep for ep in entry_points(group="opentelemetry_traces_exporter")}
    if name == "otlp" and "otlp" not in found:
        name = "otlp_proto_http"  # we ship the HTTP/protobuf OTLP exporter
    if name not in found:
        raise ValueError(
            f"OTEL_TRACES_EXPORTER={name!r} is not installed; choose from "
            f"{sorted(set(found) | {'file', 'none'})}")
    return found[name].load()()


class FileSpanExporter(SpanExporter):
    """Appends finished spans as JSON lines: a trace backend that needs nothing running."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(span_to_dict(s), separators=(",", ":")) + "\n" for s in spans)
        with self._lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def span_to_dict(span: ReadableSpan) -> dict:
    ctx = span.get_span_context()
    return {
        "trace_id": f"{ctx.trace_id:032x}",
        "span_id": f"{ctx.span_id:016x}",
        "parent_span_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get("service.name", ""),
        "instance": span.resource.attributes.get("service.instance.id", ""),
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "links": [
            {"trace_id": f"{link.context.trace_id:032x}", "span_id": f"{link.context.span_id:016x}"}
            for link in span.links
        ],
    }


# --- context over Kafka headers -------------------------------------------------

def inject_headers() -> list[tuple[str, bytes]]:
    """W3C traceparent/tracestate of the current span, as Kafka record headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(key, value.encode()) for key, value in carrier.items()]


def extract_context(headers) -> otel_context.Context:
    """The trace context carried by Kafka headers (a list of pairs or a dict)."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    carrier = {}
    for key, value in items:
        if key not in carrier:  # the first of duplicated headers wins, as in faust
            carrier[key] = value.decode() if isinstance(value, (bytes, bytearray)) else str(value)
    return propagate.extract(carrier)


@contextmanager
def consumer_span(tracer_: trace.Tracer, topic: str, headers, *, group: str = "",
                  partition: int | None = None, offset: int | None = None) -> Iterator[Span]:
    """A CONSUMER span continuing the producer's trace: the producer span is its parent."""
    attributes = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
    }
    if group:
        attributes["messaging.consumer.group.name"] = group
    if partition is not None:
        attributes["messaging.destination.partition.id"] = str(partition)
    if offset is not None:
        attributes["messaging.kafka.offset"] = offset
    with tracer_.start_as_current_span(f"{topic} process", context=extract_context(headers),
                                       kind=SpanKind.CONSUMER, attributes=attributes) as span:
        yield span


@contextmanager
def producer_span(tracer_: trace.Tracer, topic: str) -> Iterator[Span]:
    """A PRODUCER span around one send; inject_headers() inside it makes it the parent."""
    with tracer_.start_as_current_span(
            f"{topic} send", kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.operation.type": "send",
                        "messaging.destination.name": topic}) as span:
        yield span

