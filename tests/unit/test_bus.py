"""The transactional processor's per-record decisions, its answers to Kafka going away, and
processors run side by side, with stand-ins for Kafka (tests/integration has the real broker)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from kafka import TopicPartition
from kafka.errors import KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata

from clearway import events, topics
from clearway.bus import (BatchFailed, KafkaCallTimeout, Ledger, Outgoing, Rejected,
                          TransactionalProcessor, close_producer, run_side_by_side)
from clearway.settings import FaultSettings
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


# --- Kafka going away: bounded transaction steps, recovery, one side effect per record ---


class Answer:
    """kafka-python's TransactionalRequestResult as the broker leaves it: answered, or never."""

    def __init__(self, answered=True, error=None):
        self.answered, self.error = answered, error

    def wait(self, timeout_ms=None):
        if not self.answered:
            time.sleep((timeout_ms or 0) / 1000)  # the broker never answers
            return False
        if self.error:
            raise self.error
        return True


class TransactionManager:
    def __init__(self, commit=None, abort=None, fatal=False):
        self.commit, self.abort, self.fatal = commit or Answer(), abort or Answer(), fatal
        self.calls = []

    def send_offsets_to_transaction(self, offsets, group_metadata):
        self.calls.append(("offsets", dict(offsets)))
        return Answer()

    def begin_commit(self):
        self.calls.append(("commit",))
        return self.commit

    def begin_abort(self):
        self.calls.append(("abort",))
        return self.abort

    def has_fatal_error(self):
        return self.fatal


class TransactionalProducer(RecordingProducer):
    def __init__(self, manager=None):
        super().__init__()
        self._transaction_manager = manager or TransactionManager()
        self._sender = SimpleNamespace(wakeup=lambda: None)
        self.closed = False

    def begin_transaction(self):
        self._transaction_manager.calls.append(("begin",))

    def close(self, timeout=None):
        self.closed = True


class Consumer:
    def __init__(self, committed=None, assigned=None):
        self._committed = committed or {}
        self.assigned = assigned
        self.seeks = {}

    def group_metadata(self):
        return "g"

    def assignment(self):
        return set(self.assigned if self.assigned is not None else self._committed)

    def committed(self, tp, timeout_ms=None):
        return self._committed.get(tp)

    def seek(self, tp, offset):
        self.seeks[tp] = offset


def faults(**overrides):
    values = dict(kafka_timeout_s=0.3, delivery_timeout_s=5, retry_backoff_s=0.01, stall_s=1,
                  shutdown_grace_s=5)
    values.update(overrides)
    return FaultSettings(**values)


def fault_processor(handle, **kwargs):
    proc = processor(handle, **kwargs)
    proc.faults = faults()
    return proc


def a_batch(*event_ids, partition=0, first_offset=10):
    tp = TopicPartition(topics.DETERMINATIONS, partition)
    return {tp: [SimpleNamespace(**{**vars(record(determination(e), first_offset + i)),
                                    "partition": partition})
                 for i, e in enumerate(event_ids)]}


def test_a_commit_the_broker_never_answers_fails_the_batch_within_the_kafka_timeout():
    producer = TransactionalProducer(TransactionManager(commit=Answer(answered=False)))
    proc = fault_processor(lambda _t, m: [])
    began = time.monotonic()
    with pytest.raises(BatchFailed) as failed:
        proc._process_batch(a_batch("e-1"), Consumer(), producer, tracer())
    assert time.monotonic() - began < 2
    assert isinstance(failed.value.__cause__, KafkaCallTimeout)
    assert "committing the transaction" in str(failed.value.__cause__)
    assert "e-1" not in proc.ledger


def test_after_an_abort_the_batch_is_read_again_from_its_first_offsets():
    batch = a_batch("e-1", "e-2")
    producer = TransactionalProducer()
    consumer = Consumer(committed={tp: 3 for tp in batch})
    proc = fault_processor(lambda _t, m: [])
    failed = BatchFailed("KafkaCallTimeout")
    assert proc._recover(failed, batch, consumer, producer, threading.Event(), 0) is producer
    assert ("abort",) in producer._transaction_manager.calls
    assert consumer.seeks == {tp: 10 for tp in batch}
    assert proc._owed == {tp: 12 for tp in batch}  # known lag until the batch is committed


def test_a_producer_in_an_unknown_state_is_replaced_and_the_committed_offsets_win(monkeypatch):
    """A commit whose answer was lost may have landed: the group's offsets say so, and what
    they cover joins the ledger, so a redelivered copy is not published twice."""
    made = []
    handled = []
    proc = fault_processor(lambda _t, m: handled.append(m.envelope.event_id) or [])
    monkeypatch.setattr(proc, "_new_producer", lambda: made.append(TransactionalProducer()) or made[-1])
    batch = a_batch("e-1", "e-2", "e-3")
    stuck = TransactionalProducer(TransactionManager(commit=Answer(answered=False),
                                                     abort=Answer(error=KafkaError("state"))))
    with pytest.raises(BatchFailed) as failed:
        proc._process_batch(batch, Consumer(), stuck, tracer())
    (tp,) = batch
    consumer = Consumer(committed={tp: 12})  # e-1 and e-2 landed before the broker went away
    fresh = proc._recover(failed.value, batch, consumer, stuck, threading.Event(), 0)
    assert fresh is made[0] and stuck.closed
    assert consumer.seeks == {tp: 12}
    assert "e-1" in proc.ledger and "e-2" in proc.ledger and "e-3" not in proc.ledger
    assert handled == ["e-1", "e-2", "e-3"]


def test_a_record_of_a_failed_batch_is_published_again_but_handled_once():
    """The handler's side effects (an email, a PDF) happen once; its outputs go out in
    the transaction that commits."""
    handled = []
    proc = fault_processor(lambda _t, m: handled.append(m.envelope.event_id)
                           or [Outgoing(topics.PETITIONS, m.person_id, m)])
    batch = a_batch("e-1")
    failing = TransactionalProducer(TransactionManager(commit=Answer(error=KafkaError("lost"))))
    with pytest.raises(BatchFailed):
        proc._process_batch(batch, Consumer(), failing, tracer())
    working = TransactionalProducer()
    proc._process_batch(batch, Consumer(), working, tracer())
    assert handled == ["e-1"]
    assert [t for t, _k, _v in failing.sent] == [t for t, _k, _v in working.sent] == [topics.PETITIONS]
    assert "e-1" in proc.ledger and proc._uncommitted == {}


def test_a_batch_out_of_time_commits_what_it_handled_and_reads_the_rest_again():
    handled = []
    proc = fault_processor(lambda _t, m: handled.append(m.envelope.event_id) or [])
    proc.batch_budget_s = 0
    batch = a_batch("e-1", "e-2", "e-3")
    producer, consumer = TransactionalProducer(), Consumer()
    proc._process_batch(batch, consumer, producer, tracer())
    (tp,) = batch
    assert handled == ["e-1"]
    assert ("offsets", {tp: OffsetAndMetadata(11, "", -1)}) in producer._transaction_manager.calls
    assert consumer.seeks == {tp: 11}
    assert proc.progress.stalled_for() >= 0 and proc._owed == {tp: 13}


def test_an_oversized_undecodable_record_is_dead_lettered_cut_to_fit_its_topic():
    producer = RecordingProducer()
    huge = SimpleNamespace(topic=topics.DETERMINATIONS, partition=0, offset=1,
                           value=b"\xff" * (topics.MAX_MESSAGE_BYTES + 10), headers=[])
    processor(lambda *_: [])._process_record(huge, producer, tracer(), set())
    ((_topic, _key, value),) = producer.sent
    letter = dead_letter_pb2.DeadLetter.FromString(value)
    assert letter.original_truncated and letter.original_size == topics.MAX_MESSAGE_BYTES + 10
    assert len(value) <= topics.MAX_MESSAGE_BYTES - events.DEAD_LETTER_HEADROOM


def test_closing_a_producer_whose_flush_times_out_stops_its_network_thread():
    stopped = []

    class Stuck:
        _sender = SimpleNamespace(force_close=lambda: stopped.append(True), join=lambda _t: None)

        def close(self, timeout=None):
            raise KafkaTimeoutError("Timeout waiting for future")

    close_producer(Stuck(), 0.1)
    assert stopped == [True]


def test_a_batch_told_to_stop_commits_what_it_handled_at_once():
    stop = threading.Event()
    handled = []

    def handle(_t, m):
        handled.append(m.envelope.event_id)
        stop.set()  # SIGTERM while the first record is handled
        return []

    proc = fault_processor(handle)
    batch = a_batch("e-1", "e-2", "e-3")
    producer, consumer = TransactionalProducer(), Consumer()
    proc._process_batch(batch, consumer, producer, tracer(), stop)
    (tp,) = batch
    assert handled == ["e-1"] and ("commit",) in producer._transaction_manager.calls
    assert consumer.seeks == {tp: 11}


# --- records held until they are due (a retry topic's delay) --------------------------


class StandInConsumer:
    def __init__(self, assigned):
        self.assigned = set(assigned)
        self.positions, self.paused_now, self.calls = {}, set(), []

    def assignment(self):
        return set(self.assigned)

    def group_metadata(self):
        return "g"

    def seek(self, tp, offset):
        self.positions[tp] = offset
        self.calls.append(("seek", tp, offset))

    def pause(self, *tps):
        self.paused_now |= set(tps)
        self.calls.append(("pause", *tps))

    def resume(self, *tps):
        self.paused_now -= set(tps)
        self.calls.append(("resume", *tps))


class RecordingTransactions(TransactionManager):
    """The transaction steps in order, with what the handlers did between them."""

    def __init__(self, transactions):
        super().__init__()
        self.transactions = transactions

    def send_offsets_to_transaction(self, offsets, group_metadata):
        self.transactions.append(("offsets", {tp.partition: o.offset for tp, o in offsets.items()}))
        return Answer()

    def begin_commit(self):
        self.transactions.append("commit")
        return Answer()


class TransactionRecorder(TransactionalProducer):
    def __init__(self):
        self.transactions = []
        super().__init__(RecordingTransactions(self.transactions))

    def begin_transaction(self):
        self.transactions.append("begin")


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
