"""Span attribute allow-list, trace context over Kafka headers, the file exporter and the tree view.

Every test uses a local TracerProvider (never the global, set-once one).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from clearway import tracetree, tracing

TOPIC = "clearway.cases.v1"


def _provider(service: str, exporter) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def memory():
    exporter = InMemorySpanExporter()
    provider = _provider("test-service", exporter)
    yield provider.get_tracer("test"), exporter
    provider.shutdown()


# --- attributes --------------------------------------------------------------------


def test_set_attributes_refuses_a_name_outside_the_allow_list(memory):
    tracer, _ = memory
    with tracer.start_as_current_span("work") as span:
        with pytest.raises(ValueError, match="person.name"):
            tracing.set_attributes(span, {"person.name": "QUILLFEATHER,MARISOL T"})


def test_set_attributes_refuses_the_whole_batch_before_setting_a_forbidden_name(memory):
    tracer, exporter = memory
    with tracer.start_as_current_span("work") as span:
        with pytest.raises(ValueError):
            tracing.set_attributes(span, {"clearway.date_of_birth": "19710409"})
    (finished,) = exporter.get_finished_spans()
    assert "clearway.date_of_birth" not in finished.attributes


def test_set_attributes_sets_allow_listed_names(memory):
    tracer, exporter = memory
    with tracer.start_as_current_span("work") as span:
        tracing.set_attributes(span, {"clearway.case_id": "case-42", "clearway.convictions": 3})
    (finished,) = exporter.get_finished_spans()
    assert finished.attributes["clearway.case_id"] == "case-42"
    assert finished.attributes["clearway.convictions"] == 3


def test_attributes_set_by_consumer_span_are_all_allow_listed():
    # consumer_span/producer_span set attributes directly; they must stay inside the list.
    exporter = InMemorySpanExporter()
    tracer = _provider("svc", exporter).get_tracer("t")
    with tracing.producer_span(tracer, TOPIC):
        headers = tracing.inject_headers()
    with tracing.consumer_span(tracer, TOPIC, headers, group="g", partition=2, offset=17):
        pass
    for span in exporter.get_finished_spans():
        assert set(span.attributes) <= tracing.ALLOWED_ATTRIBUTES


# --- context over Kafka headers -------------------------------------------------


def test_inject_headers_outside_a_span_gives_no_traceparent():
    assert "traceparent" not in dict(tracing.inject_headers())


def test_inject_headers_gives_a_w3c_traceparent_of_the_current_span(memory):
    tracer, _ = memory
    with tracer.start_as_current_span("send") as span:
        headers = dict(tracing.inject_headers())
    ctx = span.get_span_context()
    traceparent = headers["traceparent"]
    assert isinstance(traceparent, bytes)
    version, trace_id, span_id, flags = traceparent.decode().split("-")
    assert (version, trace_id, span_id) == ("00", f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}")
    assert int(flags, 16) & 0x01  # sampled


def test_consumer_span_is_a_child_of_the_producer_span_across_two_services():
    producer_exporter, consumer_exporter = InMemorySpanExporter(), InMemorySpanExporter()
    producer_tracer = _provider("intake", producer_exporter).get_tracer("intake")
    consumer_tracer = _provider("eligibility", consumer_exporter).get_tracer("eligibility")

    with tracing.producer_span(producer_tracer, TOPIC):
        headers = tracing.inject_headers()
    with tracing.consumer_span(consumer_tracer, TOPIC, headers, group="eligibility",
                               partition=3, offset=41):
        pass

    (sent,) = producer_exporter.get_finished_spans()
    (processed,) = consumer_exporter.get_finished_spans()
    assert sent.kind == SpanKind.PRODUCER
    assert processed.kind == SpanKind.CONSUMER
    assert processed.context.trace_id == sent.context.trace_id
    assert processed.parent is not None
    assert processed.parent.span_id == sent.context.span_id
    assert processed.name == f"{TOPIC} process"
    assert processed.attributes["messaging.destination.name"] == TOPIC
    assert processed.attributes["messaging.consumer.group.name"] == "eligibility"
    assert processed.attributes["messaging.destination.partition.id"] == "3"
    assert processed.attributes["messaging.kafka.offset"] == 41


def test_consumer_span_continues_the_trace_when_headers_come_as_a_dict(memory):
    tracer, exporter = memory
    with tracer.start_as_current_span("send") as sender:
        headers = dict(tracing.inject_headers())
    with tracing.consumer_span(tracer, TOPIC, headers):
        pass
    processed = next(s for s in exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER)
    assert processed.parent.span_id == sender.get_span_context().span_id


def test_consumer_span_without_trace_headers_starts_a_new_root(memory):
    tracer, exporter = memory
    with tracer.start_as_current_span("unrelated") as unrelated:
        # Even inside another span, the record's (absent) context decides the parent.
        with tracing.consumer_span(tracer, TOPIC, [("ce_type", b"clearway.v1.CaseSubmitted")]):
            pass
    processed = next(s for s in exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER)
    assert processed.parent is None
    assert processed.context.trace_id != unrelated.get_span_context().trace_id


def test_extract_context_uses_the_first_of_duplicated_headers(memory):
    tracer, _ = memory
    with tracer.start_as_current_span("first") as first:
        first_headers = tracing.inject_headers()
    with tracer.start_as_current_span("second"):
        second_headers = tracing.inject_headers()
    ctx = tracing.extract_context(first_headers + second_headers)
    from opentelemetry import trace

    assert trace.get_current_span(ctx).get_span_context().span_id == first.get_span_context().span_id


# --- file exporter and tree ----------------------------------------------------------


def _two_service_trace(trace_dir: Path) -> tuple[int, int]:
    """intake sends (with a case id), eligibility processes: written by FileSpanExporters."""
    intake = _provider("intake", tracing.FileSpanExporter(trace_dir / "intake.jsonl"))
    eligibility = _provider("eligibility", tracing.FileSpanExporter(trace_dir / "eligibility.jsonl"))
    with intake.get_tracer("intake").start_as_current_span("SubmitCase") as root:
        tracing.set_attributes(root, {"clearway.case_id": "case-42"})
        with tracing.producer_span(intake.get_tracer("intake"), TOPIC):
            headers = tracing.inject_headers()
    with tracing.consumer_span(eligibility.get_tracer("eligibility"), TOPIC, headers):
        with eligibility.get_tracer("eligibility").start_as_current_span("determine"):
            pass
    intake.shutdown()
    eligibility.shutdown()
    return root.get_span_context().trace_id, root.get_span_context().span_id


def test_file_span_exporter_writes_one_json_line_per_span(tmp_path):
    trace_id, _ = _two_service_trace(tmp_path)
    lines = (tmp_path / "intake.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert {r["name"] for r in records} == {"SubmitCase", f"{TOPIC} send"}
    assert all(r["trace_id"] == f"{trace_id:032x}" and r["service"] == "intake" for r in records)


def test_file_span_exporter_creates_its_folder(tmp_path):
    exporter = tracing.FileSpanExporter(tmp_path / "deep" / "er" / "svc.jsonl")
    assert (tmp_path / "deep" / "er").is_dir()
    exporter.shutdown()


def test_load_spans_reads_back_what_the_file_exporter_wrote(tmp_path):
    trace_id, root_span_id = _two_service_trace(tmp_path)
    spans = tracetree.load_spans(tmp_path)
    assert len(spans) == 4
    by_name = {s.name: s for s in spans}
    root = by_name["SubmitCase"]
    assert root.span_id == f"{root_span_id:016x}"
    assert root.parent_span_id is None
    assert root.attributes == {"clearway.case_id": "case-42"}
    assert by_name[f"{TOPIC} send"].parent_span_id == root.span_id
    assert by_name[f"{TOPIC} process"].parent_span_id == by_name[f"{TOPIC} send"].span_id
    assert by_name["determine"].parent_span_id == by_name[f"{TOPIC} process"].span_id
    assert {s.service for s in spans} == {"intake", "eligibility"}
    assert all(s.end_ns >= s.start_ns for s in spans)
    assert tracetree.services_in(spans, f"{trace_id:032x}") == {"intake", "eligibility"}


def test_render_tree_indents_children_under_parents_with_service_names(tmp_path):
    trace_id, _ = _two_service_trace(tmp_path)
    spans = tracetree.load_spans(tmp_path)
    text = tracetree.render_tree(spans, f"{trace_id:032x}")
    lines = text.splitlines()
    assert lines[0] == f"trace {trace_id:032x}"

    def indent_of(label: str) -> int:
        (line,) = [l for l in lines if label in l]
        return len(line) - len(line.lstrip(" "))

    assert indent_of("intake: SubmitCase") == 2
    assert indent_of(f"intake: {TOPIC} send") == 4
    assert indent_of(f"eligibility: {TOPIC} process") == 6
    assert indent_of("eligibility: determine") == 8
    order = [next(i for i, l in enumerate(lines) if label in l)
             for label in ("SubmitCase", "send", "process", "determine")]
    assert order == sorted(order)
    assert all(l.rstrip().endswith("ms") for l in lines[1:])


def test_render_tree_names_a_services_second_consumer_group():
    def consumer(span_id: str, group: str, start: int) -> tracetree.SpanRecord:
        return tracetree.SpanRecord("t", span_id, "root", f"{TOPIC} process", "petitions", start,
                                    start + 1, {"messaging.consumer.group.name": group})

    spans = [tracetree.SpanRecord("t", "root", None, f"{TOPIC} send", "eligibility", 0, 1),
             consumer("a", "clearway-petitions", 1), consumer("b", "clearway-petitions-bundles", 2)]
    lines = tracetree.render_tree(spans, "t").splitlines()
    assert f"petitions: {TOPIC} process" in lines[2]
    assert f"petitions (clearway-petitions-bundles): {TOPIC} process" in lines[3]


def test_render_tree_leaves_out_other_traces(tmp_path):
    first, _ = _two_service_trace(tmp_path / "a")
    second, _ = _two_service_trace(tmp_path / "b")
    spans = tracetree.load_spans(tmp_path / "a") + tracetree.load_spans(tmp_path / "b")
    text = tracetree.render_tree(spans, f"{first:032x}")
    assert len(text.splitlines()) == 1 + 4
    assert f"{second:032x}" not in text


def test_traces_for_finds_a_trace_by_its_case_id_attribute(tmp_path):
    trace_id, _ = _two_service_trace(tmp_path)
    spans = tracetree.load_spans(tmp_path)
    assert tracetree.traces_for(spans, "case-42") == [f"{trace_id:032x}"]
    assert tracetree.traces_for(spans, "case-unknown") == []
    assert tracetree.traces_for(spans, f"{trace_id:032x}") == [f"{trace_id:032x}"]


def test_load_spans_skips_blank_lines(tmp_path):
    _two_service_trace(tmp_path)
    with open(tmp_path / "intake.jsonl", "a", encoding="utf-8") as out:
        out.write("\n   \n")
    assert len(tracetree.load_spans(tmp_path)) == 4


# --- exporter choice from the environment ---------------------------------------------


def test_exporter_none_gives_no_exporter(monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert tracing._exporters_from_env("intake") == []


def test_exporter_file_writes_under_clearway_trace_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "file")
    monkeypatch.setenv("CLEARWAY_TRACE_DIR", str(tmp_path / "traces"))
    (exporter,) = tracing._exporters_from_env("intake")
    assert isinstance(exporter, tracing.FileSpanExporter)
    assert exporter.path == (tmp_path / "traces").resolve() / "intake.jsonl"


def test_exporter_unset_defaults_to_file(monkeypatch, tmp_path):
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    monkeypatch.setenv("CLEARWAY_TRACE_DIR", str(tmp_path))
    (exporter,) = tracing._exporters_from_env("petitions")
    assert isinstance(exporter, tracing.FileSpanExporter)
    assert exporter.path.name == "petitions.jsonl"


def test_exporter_list_skips_none_and_blank_entries(monkeypatch, tmp_path):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", " none , file ,, ")
    monkeypatch.setenv("CLEARWAY_TRACE_DIR", str(tmp_path))
    exporters = tracing._exporters_from_env("svc")
    assert [type(e) for e in exporters] == [tracing.FileSpanExporter]


def test_unknown_exporter_raises_value_error_naming_the_choices(monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "carrier-pigeon")
    with pytest.raises(ValueError) as raised:
        tracing._exporters_from_env("intake")
    message = str(raised.value)
    assert "carrier-pigeon" in message
    for choice in ("'file'", "'none'", "'console'"):
        assert choice in message
