"""Kafka helpers for the kafka-python services (intake, petitions, notifications).

Why this exists: each of those services consumes, does its work, produces, and must
never lose or duplicate an outcome across a crash. ``TransactionalProcessor`` does
that once for all of them: every poll batch is one Kafka transaction holding the
outputs *and* the consumer offsets, so either both land or neither does, and
downstream consumers read with ``isolation_level=read_committed``.

Redeliveries from an at-least-once producer upstream (faust) carry the same derived
event id; a ``Ledger`` remembers the ids already handled, rebuilt at start from the
service's own output topic, so they are recognised and skipped.

A record that cannot be decoded, or whose handler rejects it, goes to the service's
dead-letter topic with the reason and its original bytes; the stream goes on.

Nothing here waits on Kafka without a bound (``FaultSettings.kafka_timeout_s``):
kafka-python's transaction calls wait forever for the broker, so the processor
drives its producer's transaction manager with a timed wait instead. A batch that
fails or times out is aborted; a producer in an unknown or fatal state is replaced
(its successor's init_transactions fences it and settles its open transaction),
the consumer goes back to the committed offsets, and the loop carries on once the
broker answers again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from google.protobuf.message import Message
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata

from clearway import events, topics, tracing
from clearway.health import Progress, watch
from clearway.settings import FaultSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One record to publish: the key is always an opaque id (it reaches span attributes)."""

    topic: str
    key: str
    message: Message


class Rejected(Exception):
    """Raised by a handler for a record that can never be processed.

    ``reason`` must describe the problem without quoting personal data.
    """

    def __init__(self, reason: str, field: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.field = field


# Batching. A case or a determination is several kilobytes, so kafka-python's default
# batch (16 KiB) holds two or three and every few sends start a new batch, wake the
# network thread and make one more request. Half a MiB per partition batch, filled
# for up to 20 ms, gives few large requests at bulk rates. It adds no latency where
# a caller waits: flush() and commit_transaction() send at once, whatever the linger.
BATCH_BYTES = 512 * 1024
LINGER_MS = 20


# A transaction's records go out when it commits (commit_transaction flushes), so
# there is no point sending them earlier in many small requests.
TRANSACTION_LINGER_MS = 1000
# kafka-python doubles its pause between attempts to reconnect up to 30 s by default,
# so a client could find a restarted broker half a minute late; 2 s at most.
RECONNECT_BACKOFF_MAX_MS = 2000
# The broker aborts a transaction open longer than this (and fences its producer).
# A batch stops taking new records after TransactionalProcessor.batch_budget_s
# (30 s) and then makes two bounded calls (30 s each): well within.
TRANSACTION_TIMEOUT_MS = 120_000


def make_producer(bootstrap_servers: str, *, client_id: str,
                  transactional_id: str | None = None,
                  timeout_s: float | None = None) -> KafkaProducer:
    """An idempotent producer (no duplicates from its own retries), optionally transactional.

    Every wait it may do is bounded by ``timeout_s`` (default: CLEARWAY_KAFKA_TIMEOUT_S):
    joining the broker, metadata and buffer space in send(), init_transactions; a
    record not delivered within CLEARWAY_KAFKA_DELIVERY_TIMEOUT_S fails its future.
    """
    faults = FaultSettings.from_env()
    timeout_ms = int(1000 * (timeout_s or faults.kafka_timeout_s))
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=TRANSACTION_LINGER_MS if transactional_id else LINGER_MS,
        batch_size=BATCH_BYTES,
        max_request_size=topics.MAX_MESSAGE_BYTES,
        transactional_id=transactional_id,
        transaction_timeout_ms=TRANSACTION_TIMEOUT_MS,
        max_block_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        request_timeout_ms=timeout_ms,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        delivery_timeout_ms=max(int(faults.delivery_timeout_s * 1000), timeout_ms + 1000 + LINGER_MS),
    )
    if transactional_id:
        try:
            producer.init_transactions()  # bounded by max_block_ms
        except BaseException:
            close_producer(producer, 0)
            raise
    return producer


def consumer_settings(timeout_s: float | None = None) -> dict:
    """What every kafka-python consumer of Clearway's topics needs, whatever else it sets.

    A fetch takes the largest record a topic may hold (topics.MAX_MESSAGE_BYTES),
    no request or first connection waits longer than ``timeout_s``, and a broker
    that comes back is found within seconds.
    """
    timeout_ms = int(1000 * (timeout_s or FaultSettings.from_env().kafka_timeout_s))
    return dict(max_partition_fetch_bytes=topics.MAX_MESSAGE_BYTES,
                fetch_max_bytes=2 * topics.MAX_MESSAGE_BYTES,
                request_timeout_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms,
                reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS)


def close_producer(producer: KafkaProducer, timeout_s: float) -> None:
    """Close within ``timeout_s``, dropping what is still unsent.

    kafka-python's close() raises when its flush times out and leaves the
    producer's network thread running; this stops the thread either way.
    """
    try:
        producer.close(timeout=timeout_s)
    except KafkaTimeoutError:
        producer._sender.force_close()
        producer._sender.join(1.0)


class KafkaCallTimeout(KafkaTimeoutError):
    """A Kafka call did not complete within its bound; the message names the call."""


def _await_transaction_step(producer: KafkaProducer, result, step: str, timeout_s: float) -> None:
    producer._sender.wakeup()
    if not result.wait(timeout_ms=timeout_s * 1000):
        raise KafkaCallTimeout(f"{step} had no answer from Kafka within {timeout_s:g}s")


# kafka-python's send_offsets_to_transaction, commit_transaction and
# abort_transaction wait for the broker's answer with no timeout (3.0.12:
# TransactionalRequestResult.wait()): a broker restarted at the wrong moment left
# petitions waiting forever. These make the same requests through the producer's
# transaction manager and wait at most ``timeout_s``.

def send_offsets_to_transaction(producer: KafkaProducer, offsets, group_metadata,
                                timeout_s: float) -> None:
    result = producer._transaction_manager.send_offsets_to_transaction(offsets, group_metadata)
    _await_transaction_step(producer, result, "sending the offsets to the transaction", timeout_s)


def commit_transaction(producer: KafkaProducer, timeout_s: float) -> None:
    result = producer._transaction_manager.begin_commit()
    _await_transaction_step(producer, result, "committing the transaction", timeout_s)


def abort_transaction(producer: KafkaProducer, timeout_s: float) -> None:
    result = producer._transaction_manager.begin_abort()
    _await_transaction_step(producer, result, "aborting the transaction", timeout_s)


def backoff_delays(longest_s: float, first_s: float = 0.5) -> Iterator[float]:
    """0.5 s, 1 s, 2 s, ... up to ``longest_s``, then ``longest_s`` for ever."""
    delay = min(first_s, longest_s)
    while True:
        yield delay
        delay = min(delay * 2, longest_s)


def publish(producer: KafkaProducer, out: Outgoing, tracer, value: bytes | None = None):
    """Send one event inside a PRODUCER span whose context travels in the headers.

    ``value``: the message already serialized, if the caller has it. Returns
    kafka-python's future: it fails if the broker never acknowledges.
    """
    with traced_record(tracer, out.topic, out.message, value) as (record, headers):
        return producer.send(out.topic, key=out.key.encode(), value=record, headers=headers)


@contextlib.contextmanager
def traced_record(tracer, topic: str, message: Message, value: bytes | None = None
                  ) -> Iterator[tuple[bytes, list[tuple[str, bytes]]]]:
    """(value, headers) of one event, inside the PRODUCER span whose context the headers carry.

    Send the record inside the block, with whichever client (kafka-python here,
    faust in the eligibility worker), so the span covers the send.
    """
    if value is None:
        value = message.SerializeToString()
    with tracing.producer_span(tracer, topic):
        yield value, events.record_headers(message) + tracing.inject_headers()


class Ledger:
    """Event ids already handled by a service: its idempotency memory.

    Rebuilt at start by reading the service's own output topic to its end, so it
    survives restarts without a database. Memory grows with the topic's retention.
    """

    def __init__(self, ids: Iterable[str] = ()):
        self._ids = set(ids)

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids.add(event_id)

    def __len__(self) -> int:
        return len(self._ids)

    @classmethod
    def from_topic(cls, bootstrap_servers: str, topic: str, message_type: type[Message],
                   key_of: Callable[[Message], str], timeout_s: float = 60.0) -> "Ledger":
        ids = set()
        for message in read_topic(bootstrap_servers, topic, message_type, timeout_s=timeout_s):
            ids.add(key_of(message))
        return cls(ids)


def read_topic(bootstrap_servers: str, topic: str, message_type: type[Message],
               timeout_s: float = 60.0) -> Iterable[Message]:
    """Every committed message of a topic, from the beginning to the current end.

    Raises TimeoutError (a KafkaTimeoutError) if that takes longer than ``timeout_s``
    in all, connecting included.
    """
    deadline = time.monotonic() + timeout_s

    def left_ms() -> int:
        left = deadline - time.monotonic()
        if left <= 0:
            raise KafkaCallTimeout(f"could not read {topic} to its end in {timeout_s:g}s")
        return int(left * 1000)

    call_timeout_s = min(timeout_s, FaultSettings.from_env().kafka_timeout_s)
    partitions = [TopicPartition(topic, p) for p in _partitions_of(bootstrap_servers, topic, call_timeout_s)]
    if not partitions:
        return
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                             isolation_level="read_committed", group_id=None,
                             **consumer_settings(call_timeout_s))
    try:
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions, timeout_ms=left_ms())
        while any(_position(consumer, tp, left_ms()) < end[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=min(500, left_ms())).values():
                for record in records:
                    try:
                        yield events.decode(message_type, record.value, record.headers)
                    except events.UndecodableRecord:
                        continue  # a ledger only needs the ids it can read
    finally:
        consumer.close(timeout_ms=1000)


def _partitions_of(bootstrap_servers: str, topic: str, timeout_s: float) -> list[int]:
    """The topic's partition numbers, asked with a bound (the consumer's own
    partitions_for_topic may wait for metadata forever)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="clearway-metadata",
                             request_timeout_ms=int(timeout_s * 1000),
                             bootstrap_timeout_ms=int(timeout_s * 1000),
                             reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS)
    try:
        (described,) = admin.describe_topics([topic])
    finally:
        admin.close()
    return sorted(p["partition_index"] for p in described.get("partitions") or ())


def _position(consumer: KafkaConsumer, tp: TopicPartition, timeout_ms: int) -> int:
    position = consumer.position(tp, timeout_ms=timeout_ms)
    if position is None:
        raise KafkaCallTimeout(f"no position for {tp.topic} within {timeout_ms} ms")
    return position


Handler = Callable[[Message], list[Outgoing]]


class BatchFailed(Exception):
    """A batch's transaction did not commit; the cause is chained."""


@dataclass
class TransactionalProcessor:
    """Consume → handle → produce, one Kafka transaction per poll batch.

    Kafka may go away at any moment: every transaction step is bounded by
    ``faults.kafka_timeout_s``, a failed batch is aborted (or its producer
    replaced) and read again from the committed offsets, and the loop waits for
    the broker with growing pauses, reporting its state in ``progress`` for health.
    """

    service: str
    bootstrap_servers: str
    group_id: str
    inputs: dict[str, type[Message]]
    handle: Callable[[str, Message], list[Outgoing]]
    dead_letter_topic: str
    ledger: Ledger = field(default_factory=Ledger)
    # Each poll batch is one transaction, and a transaction costs the broker and this
    # process several round trips whatever its size. When records flow, a fetch waits
    # for up to fetch_max_wait_ms until fetch_min_bytes are there, so a batch holds
    # tens of determinations instead of the one or two that had just arrived.
    # (max_records bounds a transaction's duration: petitions renders two PDFs a record.)
    max_records: int = 200
    # ... and so does this: a batch takes no new record after this many seconds, and
    # commits what it has handled; the rest is read again. After an outage every
    # poll brings a full batch, and 200 petitions can take longer to render than the
    # broker lets a transaction stay open.
    batch_budget_s: float = 30.0
    poll_timeout_ms: int = 500
    fetch_min_bytes: int = 256 * 1024
    fetch_max_wait_ms: int = 200
    # For a topic of delayed work (notification retries): the time (epoch seconds)
    # before which a record must not be handled. Its partition is paused from that
    # record until then, so the loop goes on polling, committing the other
    # partitions and seeing ``stop`` instead of sleeping in a handler.
    hold_until: Callable[[str, Message], float] | None = None
    # Called once a batch's records are handled, before its transaction commits: for
    # what must be on disk first (notifications' sent-log, flushed once per batch).
    before_commit: Callable[[], None] | None = None
    faults: FaultSettings = field(default_factory=FaultSettings.from_env)
    progress: Progress = field(default_factory=Progress)
    processed: int = 0
    duplicates: int = 0
    rejected: int = 0
    # Outputs of records handled in a batch that did not commit, by input event id:
    # when the batch is read again they are published again as they were, so the
    # handler's side effects (an email, a PDF) happen once per record, not once per attempt.
    _uncommitted: dict = field(default_factory=dict, repr=False)
    # Partition -> offset this loop knows it must still reach (health: known lag).
    _owed: dict = field(default_factory=dict, repr=False)
    _held: dict = field(default_factory=dict, repr=False)  # paused partition -> until

    @property
    def transactional_id(self) -> str:
        return f"clearway-{self.service}-{self.group_id}"

    def run(self, stop: threading.Event, ready: threading.Event | None = None) -> None:
        tracer = tracing.tracer(f"clearway.{self.service}")
        self.progress.name = f"{self.service}:{self.group_id}"
        watch(self.progress)
        consumer = self._until_connected(stop, "consumer", self._new_consumer)
        producer = self._until_connected(stop, "producer", self._new_producer)
        if consumer is None or producer is None:
            return self._close(consumer, producer)
        log.info("processing", extra={"topic": ",".join(self.inputs), "group": self.group_id})
        if ready is not None:
            ready.set()
        delays = None
        try:
            while not stop.is_set():
                try:
                    self._resume_held(consumer)
                    batch = consumer.poll(timeout_ms=self.poll_timeout_ms)
                except KafkaError as exc:
                    log.warning("poll failed; polling again", extra={"reason": type(exc).__name__})
                    stop.wait(1.0)
                    continue
                if not batch:
                    self._note_idle_or_lag(consumer)
                    continue
                self.progress.working()
                try:
                    self._process_batch(batch, consumer, producer, tracer, stop)
                    delays = None
                except BatchFailed as failed:
                    delays = delays or backoff_delays(self.faults.retry_backoff_s)
                    producer = self._recover(failed, batch, consumer, producer, stop, next(delays))
                    if producer is None:
                        return  # stopped while recovering
        finally:
            # SIGTERM lands here between batches: the last batch is committed already.
            self._close(consumer, producer)

    def _new_consumer(self) -> KafkaConsumer:
        return KafkaConsumer(
            *self.inputs,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=f"{self.service}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self.max_records,
            fetch_min_bytes=self.fetch_min_bytes,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            **consumer_settings(self.faults.kafka_timeout_s),
        )

    def _new_producer(self) -> KafkaProducer:
        return make_producer(self.bootstrap_servers, client_id=f"{self.service}-producer",
                             transactional_id=self.transactional_id,
                             timeout_s=self.faults.kafka_timeout_s)

    def _until_connected(self, stop: threading.Event, what: str, make):
        """``make()`` until it succeeds or ``stop``; None if stopped first."""
        for delay in backoff_delays(self.faults.retry_backoff_s):
            if stop.is_set():
                return None
            try:
                return make()
            except (KafkaError, OSError) as exc:
                log.warning("Kafka unreachable; trying again", extra={
                    "group": self.group_id, "step": f"new {what}", "reason": type(exc).__name__,
                    "delay_s": delay})
                stop.wait(delay)
        return None  # not reached: the delays never end

    def _close(self, consumer, producer) -> None:
        if producer is not None:
            close_producer(producer, min(10.0, self.faults.kafka_timeout_s))
        if consumer is not None:
            consumer.close(autocommit=False, timeout_ms=1000)
        log.info("stopped", extra={"count": self.processed, "duplicates": self.duplicates,
                                   "rejected": self.rejected})

    def _note_idle_or_lag(self, consumer: KafkaConsumer) -> None:
        """An empty poll is progress (nothing to do) unless records are known to be waiting.

        Known: the records of a batch that failed or ran out of time, until they are
        committed or their partition goes to another member. (Not the high watermark:
        read committed, it counts the records of transactions still open upstream,
        which this loop cannot read yet, and would blame it for its producer's pace.)
        """
        if self._owed:
            try:
                assigned = consumer.assignment()
            except KafkaError:
                assigned = set(self._owed)
            for tp in set(self._owed) - assigned:
                del self._owed[tp]
        if self._owed:
            self.progress.working()
        else:
            self.progress.advanced(pending=False)

    def _owe(self, batch) -> None:
        for tp, records in batch.items():
            self._owed[tp] = max(self._owed.get(tp, 0), records[-1].offset + 1)

    def _paid(self, offsets: dict) -> None:
        for tp, offset in offsets.items():
            if tp in self._owed and offset.offset >= self._owed[tp]:
                del self._owed[tp]

    def _process_batch(self, batch, consumer, producer, tracer,
                       stop: threading.Event | None = None) -> None:
        """One transaction: the batch's outputs and offsets. It stops taking records
        after ``batch_budget_s``, or once ``stop`` is set (SIGTERM: commit what is
        done, well within the grace period), and leaves the rest to be read again."""
        if self.hold_until is not None:
            batch = self._hold_back(batch, consumer)
            if not batch:
                # Nothing due: no transaction (an empty one cannot be committed), and
                # a held partition is work scheduled for later, not work stuck.
                self._note_idle_or_lag(consumer)
                return
        timeout_s = self.faults.kafka_timeout_s
        handled: set[str] = set()
        offsets = {}
        left_over = {}  # partition -> first offset not handled (out of time, or stopping)
        stop_at = time.monotonic() + self.batch_budget_s
        try:
            producer.begin_transaction()
            for tp, records in batch.items():
                for record in records:
                    if offsets and (time.monotonic() > stop_at or (stop and stop.is_set())):
                        left_over[tp] = record.offset
                        break
                    event_id = self._process_record(record, producer, tracer, handled)
                    if event_id:
                        handled.add(event_id)
                    offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
                    self.progress.advanced(pending=True)
            if self.before_commit is not None:
                self.before_commit()
            send_offsets_to_transaction(producer, offsets, consumer.group_metadata(), timeout_s)
            commit_transaction(producer, timeout_s)
        except Exception as exc:
            raise BatchFailed(type(exc).__name__) from exc
        for event_id in handled:
            self.ledger.add(event_id)
            self._uncommitted.pop(event_id, None)
        self._paid(offsets)
        for tp, offset in left_over.items():
            consumer.seek(tp, offset)
            self._owe({tp: batch[tp]})
        self.progress.advanced(pending=bool(self._owed))

    def _recover(self, failed: BatchFailed, batch, consumer, producer, stop: threading.Event,
                 delay_s: float):
        """After a failed batch: a producer able to begin the next transaction (None if
        stopped first), and the consumer back where the committed offsets say."""
        cause = failed.__cause__
        self._owe(batch)
        log.warning("batch failed; aborting its transaction and reading it again", extra={
            "group": self.group_id, "reason": type(cause).__name__, "delay_s": delay_s})
        try:
            if producer._transaction_manager.has_fatal_error():
                raise KafkaError("the producer is in a fatal state")
            abort_transaction(producer, self.faults.kafka_timeout_s)
            aborted = True
        except Exception as exc:  # unknown state (a commit may be half-way), or fatal
            log.warning("replacing the producer: its transaction state is unknown", extra={
                "group": self.group_id, "reason": type(exc).__name__})
            close_producer(producer, 0)
            producer, aborted = None, False
        stop.wait(delay_s)
        if not aborted:
            # The new producer's init_transactions fences the old one and waits for the
            # broker to settle its last transaction: committed or aborted, not both.
            producer = self._until_connected(stop, "producer", self._new_producer)
        if producer is not None and not self._rewind(batch, consumer, aborted, stop):
            close_producer(producer, 0)
            producer = None
        return producer

    def _rewind(self, batch, consumer: KafkaConsumer, aborted: bool,
                stop: threading.Event) -> bool:
        """Seek the batch's partitions back to what is committed; False if stopped first.

        After an abort nothing of the batch was committed: its first offsets are
        right. After a replaced producer the last commit may or may not have landed,
        so the group's committed offsets say where to go on, and the records below
        them were handled: their ids join the ledger.
        """
        assigned = consumer.assignment()
        for tp, records in batch.items():
            if tp not in assigned:
                continue  # taken by another member meanwhile: it reads from the commit
            offset = records[0].offset
            if not aborted:
                committed = self._committed(consumer, tp, stop)
                if committed is _STOPPED:
                    return False
                if committed is not None and committed > offset:
                    offset = committed
                    self._landed(tp, committed)
            consumer.seek(tp, offset)
        return True

    def _committed(self, consumer: KafkaConsumer, tp: TopicPartition, stop: threading.Event):
        for delay in backoff_delays(self.faults.retry_backoff_s):
            if stop.is_set():
                return _STOPPED
            try:
                return consumer.committed(tp, timeout_ms=int(self.faults.kafka_timeout_s * 1000))
            except KafkaError as exc:
                log.warning("could not read the committed offset; trying again", extra={
                    "group": self.group_id, "reason": type(exc).__name__, "delay_s": delay})
                stop.wait(delay)

    def _landed(self, tp: TopicPartition, committed: int) -> None:
        for event_id, (at, offset, _outputs) in list(self._uncommitted.items()):
            if at == tp and offset < committed:
                self.ledger.add(event_id)
                del self._uncommitted[event_id]

    def _hold_back(self, batch, consumer) -> dict:
        """The batch up to each partition's first record not yet due; those partitions
        are rewound to that record and paused until it is due."""
        now = time.time()
        due = {}
        for tp, records in batch.items():
            for index, record in enumerate(records):
                try:
                    message = events.decode(self.inputs[record.topic], record.value, record.headers)
                except events.UndecodableRecord:
                    continue  # due now: it is dead-lettered
                until = self.hold_until(record.topic, message)
                if until > now:
                    consumer.seek(tp, record.offset)
                    consumer.pause(tp)
                    self._held[tp] = until
                    records = records[:index]
                    break
            if records:
                due[tp] = records
        return due

    def _resume_held(self, consumer) -> None:
        if not self._held:
            return
        now = time.time()
        assigned = consumer.assignment()
        for tp, until in list(self._held.items()):
            if tp not in assigned:
                del self._held[tp]  # revoked: a new owner starts unpaused
            elif until <= now:
                del self._held[tp]
                consumer.resume(tp)

    def _process_record(self, record, producer, tracer, in_batch: set[str]) -> str | None:
        """Returns the input's event id when it was handled (not a duplicate, not rejected).

        ``in_batch`` holds the ids handled earlier in this uncommitted batch: a
        redelivered copy can sit in the same batch as its original.
        """
        message_type = self.inputs[record.topic]
        with tracing.consumer_span(tracer, record.topic, record.headers, group=self.group_id,
                                   partition=record.partition, offset=record.offset) as span:
            try:
                message = events.decode(message_type, record.value, record.headers)
            except events.UndecodableRecord as exc:
                self._dead_letter(producer, record, str(exc), "", tracer)
                return None
            envelope = message.envelope
            tracing.set_attributes(span, {"clearway.event_id": envelope.event_id,
                                          "clearway.case_id": envelope.case_id,
                                          "clearway.batch_id": envelope.batch_id})
            if envelope.event_id in self.ledger or envelope.event_id in in_batch:
                self.duplicates += 1
                tracing.set_attributes(span, {"clearway.duplicate": True})
                return None
            cached = self._uncommitted.get(envelope.event_id)
            try:
                outputs = cached[2] if cached else self.handle(record.topic, message)
            except Rejected as exc:
                self._dead_letter(producer, record, exc.reason, exc.field, tracer, envelope)
                return None
            except Exception as exc:
                # A record the code cannot handle must not stall its partition forever.
                # The type only: an exception's message may quote the record's data.
                log.exception("handler failed", extra={"case_id": envelope.case_id})
                self._dead_letter(producer, record, f"{type(exc).__name__} in {self.service}",
                                  "", tracer, envelope)
                return None
            self._remember_uncommitted(envelope.event_id, record, outputs)
            for out in outputs:
                publish(producer, out, tracer)
            self.processed += 0 if cached else 1
            return envelope.event_id

    def _remember_uncommitted(self, event_id: str, record, outputs: list[Outgoing]) -> None:
        self._uncommitted[event_id] = (TopicPartition(record.topic, record.partition),
                                       record.offset, outputs)
        # Bounded: a record whose batch went to another member is never read here again.
        while len(self._uncommitted) > 10 * self.max_records:
            self._uncommitted.pop(next(iter(self._uncommitted)))

    def _dead_letter(self, producer, record, reason, field_name, tracer, envelope=None) -> None:
        self.rejected += 1
        log.warning("dead-lettered a record", extra={
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "reason": reason})
        letter = events.dead_letter(
            source=self.service, reason=reason, original=record.value or b"", field=field_name,
            original_topic=record.topic, original_partition=record.partition,
            original_offset=record.offset, cause=envelope)
        publish(producer, Outgoing(self.dead_letter_topic, events.dead_letter_key(letter), letter),
                tracer)




_STOPPED = object()


def run_side_by_side(processors: Sequence[TransactionalProcessor], stop: threading.Event,
                     ready: threading.Event | None = None) -> None:
    """Run processors on a thread each until ``stop``; ``ready`` once all of them consume.

    Why: one service may follow the same topic in two consumer groups, so that cheap
    work is not queued behind expensive work (petitions writes a batch's bundle
    without waiting for its PDFs). If one processor fails, the others are stopped
    and its error is raised here, so the service exits as it would with one.
    """
    failures: list[BaseException] = []
    readies = [threading.Event() for _ in processors]

    def run(processor: TransactionalProcessor, consuming: threading.Event) -> None:
        try:
            processor.run(stop, consuming)
        except BaseException as exc:
            failures.append(exc)
            stop.set()

    threads = [threading.Thread(target=run, args=(processor, consuming), daemon=True,
                                name=f"{processor.service}:{processor.group_id}")
               for processor, consuming in zip(processors, readies)]
    for thread in threads:
        thread.start()
    while not stop.is_set() and not all(consuming.is_set() for consuming in readies):
        stop.wait(0.1)
    if ready is not None and not stop.is_set():
        ready.set()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
