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
from kafka.structs import OffsetAndMetadata

from clearway import events, topics, tracing

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


def make_producer(bootstrap_servers: str, *, client_id: str,
                  transactional_id: str | None = None) -> KafkaProducer:
    """An idempotent producer (no duplicates from its own retries), optionally transactional."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=TRANSACTION_LINGER_MS if transactional_id else LINGER_MS,
        batch_size=BATCH_BYTES,
        max_request_size=topics.MAX_MESSAGE_BYTES,
        transactional_id=transactional_id,
    )
    if transactional_id:
        producer.init_transactions()
    return producer


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
    """Every committed message of a topic, from the beginning to the current end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                             isolation_level="read_committed", group_id=None)
    try:
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {timeout_s}s")
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    try:
                        yield events.decode(message_type, record.value, record.headers)
                    except events.UndecodableRecord:
                        continue  # a ledger only needs the ids it can read
    finally:
        consumer.close()


Handler = Callable[[Message], list[Outgoing]]


@dataclass
class TransactionalProcessor:
    """Consume → handle → produce, one Kafka transaction per poll batch."""

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
    processed: int = 0
    duplicates: int = 0
    rejected: int = 0
    _held: dict = field(default_factory=dict, repr=False)  # paused partition -> until

    def run(self, stop: threading.Event, ready: threading.Event | None = None) -> None:
        tracer = tracing.tracer(f"clearway.{self.service}")
        consumer = KafkaConsumer(
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
        )
        producer = make_producer(self.bootstrap_servers, client_id=f"{self.service}-producer",
                                 transactional_id=f"clearway-{self.service}-{self.group_id}")
        log.info("processing", extra={"topic": ",".join(self.inputs), "group": self.group_id})
        if ready is not None:
            ready.set()
        try:
            while not stop.is_set():
                self._resume_held(consumer)
                batch = consumer.poll(timeout_ms=self.poll_timeout_ms)
                if batch:
                    self._process_batch(batch, consumer, producer, tracer)
        finally:
            # SIGTERM lands here between batches: the last batch is committed already.
            producer.close(timeout=10)
            consumer.close()
            log.info("stopped", extra={"count": self.processed, "duplicates": self.duplicates,
                                       "rejected": self.rejected})

    def _process_batch(self, batch, consumer, producer, tracer) -> None:
        if self.hold_until is not None:
            batch = self._hold_back(batch, consumer)
            if not batch:
                return  # nothing due: no transaction (an empty one cannot be committed)
        producer.begin_transaction()
        handled: set[str] = set()
        offsets = {}
        try:
            for tp, records in batch.items():
                for record in records:
                    event_id = self._process_record(record, producer, tracer, handled)
                    if event_id:
                        handled.add(event_id)
                    offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
            if self.before_commit is not None:
                self.before_commit()
            producer.send_offsets_to_transaction(offsets, consumer.group_metadata())
            producer.commit_transaction()
        except Exception:
            log.exception("batch failed; aborting its transaction and retrying it")
            producer.abort_transaction()
            for tp, records in batch.items():
                consumer.seek(tp, records[0].offset)
            time.sleep(1)
            return
        for event_id in handled:
            self.ledger.add(event_id)

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
            try:
                outputs = self.handle(record.topic, message)
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
            for out in outputs:
                publish(producer, out, tracer)
            self.processed += 1
            return envelope.event_id

    def _dead_letter(self, producer, record, reason, field_name, tracer, envelope=None) -> None:
        self.rejected += 1
        log.warning("dead-lettered a record", extra={
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "reason": reason})
        letter = events.dead_letter(
            source=self.service, reason=reason, original=record.value or b"", field=field_name,
            original_topic=record.topic, original_partition=record.partition,
            original_offset=record.offset, cause=envelope)
        key = envelope.case_id if envelope else letter.envelope.event_id
        publish(producer, Outgoing(self.dead_letter_topic, key, letter), tracer)


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
