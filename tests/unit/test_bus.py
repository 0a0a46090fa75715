"""The transactional processor's per-record decisions, and processors run side by side, with stand-ins for Kafka."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from clearway import events, topics
from clearway.bus import Ledger, Outgoing, Rejected, TransactionalProcessor, run_side_by_side
from clearway.v1 import dead_letter_pb2, determination_pb2


class RecordingProducer:
    def __init__(self):
        self.sent = []

    def send(self, topic, key, value, headers):
        self.sent.append((topic, key, value))
        return SimpleNamespace(add_errback=lambda _f: None)


def record(message, offset=0):
    return SimpleNamespace(topic=topics.DETERMINATIONS, partition=0, offset=offset,
                           value=message.SerializeToString(), headers=events.record_headers(message))


def determination(event_id="e-1"):
    made = determination_pb2.DeterminationMade(person_id="p_x")
    made.envelope.event_id, made.envelope.case_id = event_id, "case-1"
    return made


def processor(handle, ledger=None):
    return TransactionalProcessor(
        service="test", bootstrap_servers="unused", group_id="g",
        inputs={topics.DETERMINATIONS: determination_pb2.DeterminationMade}, handle=handle,
        dead_letter_topic=topics.PETITIONS_REJECTED, ledger=ledger or Ledger())


def tracer():
    from opentelemetry import trace

    return trace.get_tracer("test")


def test_a_handled_record_publishes_its_outputs_and_returns_its_id():
    producer = RecordingProducer()
    made = determination()
    proc = processor(lambda _t, m: [Outgoing(topics.PETITIONS, m.person_id, m)])
    assert proc._process_record(record(made), producer, tracer(), set()) == "e-1"
    assert [(t, k) for t, k, _ in producer.sent] == [(topics.PETITIONS, b"p_x")]


def test_a_duplicate_in_the_ledger_or_in_the_same_batch_is_skipped():
    calls = []
    proc = processor(lambda _t, m: calls.append(m) or [], ledger=Ledger(["e-1"]))
    assert proc._process_record(record(determination("e-1")), RecordingProducer(), tracer(), set()) is None
    assert proc._process_record(record(determination("e-2")), RecordingProducer(), tracer(), {"e-2"}) is None
    assert calls == [] and proc.duplicates == 2


def test_rejected_and_failing_records_are_dead_lettered_without_their_data():
    def reject(_t, _m):
        raise Rejected("court field missing", field="court")

    def crash(_t, _m):
        raise KeyError("QUILLFEATHER")

    for handle, reason in ((reject, "court field missing"), (crash, "KeyError in test")):
        producer = RecordingProducer()
        assert processor(handle)._process_record(record(determination()), producer, tracer(), set()) is None
        ((topic, key, value),) = producer.sent
        letter = dead_letter_pb2.DeadLetter.FromString(value)
        assert topic == topics.PETITIONS_REJECTED and key == b"case-1"
        assert letter.reason == reason and "QUILLFEATHER" not in letter.reason
        assert letter.original == determination().SerializeToString()


def test_an_undecodable_record_is_dead_lettered_with_the_reason():
    producer = RecordingProducer()
    bad = SimpleNamespace(topic=topics.DETERMINATIONS, partition=2, offset=7, value=b"\xff\x00garbage",
                          headers=[])
    assert processor(lambda *_: [])._process_record(bad, producer, tracer(), set()) is None
    letter = dead_letter_pb2.DeadLetter.FromString(producer.sent[0][2])
    assert "not a valid clearway.v1.DeterminationMade" in letter.reason
    assert (letter.original_partition, letter.original_offset) == (2, 7)


def test_kafka_python_checksums_record_batches_in_c():
    # Without the crc32c package kafka-python falls back to a pure-Python CRC-32C
    # (about 4 MB/s), which once made every case and determination cost milliseconds.
    from kafka.record import util

    assert util.crc32c_c is not None
    assert util.calc_crc32c(memoryview(b"123456789")) == 0xE3069283  # the CRC-32C check value


class StandInProcessor:
    """What run_side_by_side needs of a TransactionalProcessor: run(stop, ready) on its thread."""

    def __init__(self, name, fail_after_ready=False, ready_when=None):
        self.service, self.group_id = "test", name
        self.fail_after_ready = fail_after_ready
        self.ready_when = ready_when or threading.Event()
        self.stopped = False

    def run(self, stop, ready):
        self.ready_when.wait(5)
        ready.set()
        if self.fail_after_ready:
            raise RuntimeError(f"{self.group_id} failed")
        stop.wait(5)
        self.stopped = stop.is_set()


def test_side_by_side_is_ready_once_every_processor_consumes_and_stops_them_all():
    first, second = StandInProcessor("a"), StandInProcessor("b")
    stop, ready = threading.Event(), threading.Event()
    runner = threading.Thread(target=run_side_by_side, args=([first, second], stop, ready))
    runner.start()
    first.ready_when.set()
    assert not ready.wait(0.3)  # the second is not consuming yet
    second.ready_when.set()
    assert ready.wait(2)
    stop.set()
    runner.join(5)
    assert not runner.is_alive() and first.stopped and second.stopped


def test_side_by_side_a_failing_processor_stops_the_other_and_its_error_is_raised():
    healthy = StandInProcessor("healthy")
    failing = StandInProcessor("failing", fail_after_ready=True)
    healthy.ready_when.set()
    failing.ready_when.set()
    stop = threading.Event()
    with pytest.raises(RuntimeError, match="failing failed"):
        run_side_by_side([healthy, failing], stop)
    assert stop.is_set() and healthy.stopped
