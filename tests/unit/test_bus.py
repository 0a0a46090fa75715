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


# --- records held until they are due (a retry topic's delay) --------------------------


class StandInConsumer:
    def __init__(self, assigned):
        self.assigned = set(assigned)
        self.positions, self.paused_now, self.calls = {}, set(), []

    def assignment(self):
        return set(self.assigned)

    def seek(self, tp, offset):
        self.positions[tp] = offset
        self.calls.append(("seek", tp, offset))

    def pause(self, *tps):
        self.paused_now |= set(tps)
        self.calls.append(("pause", *tps))

    def resume(self, *tps):
        self.paused_now -= set(tps)
        self.calls.append(("resume", *tps))

    def group_metadata(self):
        return "g"


class TransactionRecorder(RecordingProducer):
    def __init__(self):
        super().__init__()
        self.transactions = []

    def begin_transaction(self):
        self.transactions.append("begin")

    def send_offsets_to_transaction(self, offsets, _group):
        self.transactions.append(("offsets", {tp.partition: o.offset for tp, o in offsets.items()}))

    def commit_transaction(self):
        self.transactions.append("commit")


def _due_at(when_of):
    """hold_until reading each record's due time (epoch seconds) from its event id."""
    return lambda _topic, message: when_of[message.envelope.event_id]


def test_a_partition_is_held_from_its_first_record_not_yet_due_and_the_rest_flow():
    import time as clock

    from kafka import TopicPartition

    now = clock.time()
    handled = []
    proc = processor(lambda _t, m: handled.append(m.envelope.event_id) or [])
    proc.hold_until = _due_at({"a1": now - 5, "a2": now + 60, "a3": now - 5, "b1": now - 1})
    a, b = TopicPartition(topics.DETERMINATIONS, 0), TopicPartition(topics.DETERMINATIONS, 1)
    consumer = StandInConsumer({a, b})
    producer = TransactionRecorder()
    batch = {a: [record(determination(e), offset=o) for e, o in (("a1", 10), ("a2", 11), ("a3", 12))],
             b: [record(determination("b1"), offset=40)]}

    proc._process_batch(batch, consumer, producer, tracer())

    assert handled == ["a1", "b1"], "a record behind one not yet due was handled out of order"
    assert producer.transactions == ["begin", ("offsets", {0: 11, 1: 41}), "commit"]
    assert consumer.positions == {a: 11} and consumer.paused_now == {a}
    proc._resume_held(consumer)
    assert consumer.paused_now == {a}, "resumed before it was due"
    proc._held[a] = now - 1
    proc._resume_held(consumer)
    assert consumer.paused_now == set() and proc._held == {}


def test_a_batch_with_nothing_due_opens_no_transaction():
    import time as clock

    from kafka import TopicPartition

    proc = processor(lambda *_: pytest.fail("handled a record not yet due"))
    proc.hold_until = lambda *_: clock.time() + 30
    tp = TopicPartition(topics.DETERMINATIONS, 0)
    consumer, producer = StandInConsumer({tp}), TransactionRecorder()
    proc._process_batch({tp: [record(determination("x"), offset=3)]}, consumer, producer, tracer())
    assert producer.transactions == [] and producer.sent == []
    assert consumer.positions == {tp: 3} and consumer.paused_now == {tp}


def test_a_held_partition_taken_away_by_a_rebalance_is_forgotten_not_resumed():
    from kafka import TopicPartition

    tp = TopicPartition(topics.DETERMINATIONS, 0)
    proc = processor(lambda *_: [])
    proc._held[tp] = 0.0
    consumer = StandInConsumer(set())
    proc._resume_held(consumer)
    assert proc._held == {} and ("resume", tp) not in consumer.calls


def test_before_commit_runs_after_the_records_and_before_the_transaction_commits():
    from kafka import TopicPartition

    producer = TransactionRecorder()
    proc = processor(lambda _t, m: producer.transactions.append("handled") or [])
    proc.before_commit = lambda: producer.transactions.append("before_commit")
    tp = TopicPartition(topics.DETERMINATIONS, 0)
    proc._process_batch({tp: [record(determination("a"), offset=0), record(determination("b"), offset=1)]},
                        StandInConsumer({tp}), producer, tracer())
    assert producer.transactions == ["begin", "handled", "handled", "before_commit",
                                     ("offsets", {0: 2}), "commit"]
