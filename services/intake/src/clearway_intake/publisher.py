"""Publishes accepted cases, dead letters and batch closures; shared by the gRPC server and bulk submit.

Every case starts a trace of its own (one trace per case, through all four
services), linked to the span of the batch or call it arrived in.

Sends are asynchronous: the producer batches records (clearway.bus.make_producer)
and nothing here waits for one record's acknowledgement before sending the next.
What keeps that safe:

- every send's future is kept until it is settled; a failure is counted and its
  kind remembered (never the record), and the next send or ``flush`` raises
  DeliveryError, so a bulk submission stops and never declares its batch closed;
- at most ``max_pending_bytes`` of records wait for acknowledgement: beyond that
  the oldest are waited for, which bounds memory when the broker is slower than
  the reader (kafka-python's producer itself buffers without limit);
- ``flush`` waits for every record and raises if any was not acknowledged.

A gRPC call instead passes ``receipts`` (a list) to each publish and waits with
``confirm`` for its own records only: one call's failure is its own, answered
to its client, and never fails the calls after it.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Sequence
import logging
import threading
from dataclasses import dataclass, field

from kafka.errors import KafkaTimeoutError
from opentelemetry import trace
from opentelemetry.trace import Link

from clearway import events, topics, tracing
from clearway.bus import Outgoing, close_producer, make_producer, publish
from clearway.health import Progress
from clearway.settings import FaultSettings
from clearway.ca_doj import SUBJECT_ID_SCHEME
from clearway.v1 import batch_pb2, case_pb2, dead_letter_pb2, intake_request_pb2, intake_service_pb2

from clearway_intake.domain.identity import PersonIds

log = logging.getLogger(__name__)


@dataclass
class PublishStats:
    accepted: int = 0
    rejected: int = 0
    failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


class DeliveryError(RuntimeError):
    pass


class CaseTooLarge(ValueError):
    """A case over clearway.topics.MAX_CASE_BYTES; nothing of it was sent."""

    def __init__(self, size: int):
        super().__init__(f"a case of {size:,} bytes is over the {topics.MAX_CASE_BYTES:,} allowed")
        self.size = size


# Records sent but not yet acknowledged, at most (bytes of record values).
MAX_PENDING_BYTES = 32 * 1024 * 1024
# The most of a rejected original a dead letter keeps, so that it fits its topic.
MAX_DEAD_LETTER_ORIGINAL_BYTES = topics.MAX_CASE_BYTES


class CasePublisher:
    def __init__(self, bootstrap_servers: str, person_ids: PersonIds, client_id: str = "intake",
                 producer=None, max_pending_bytes: int = MAX_PENDING_BYTES):
        # ``producer``: a stand-in with KafkaProducer's send/flush/close, for tests; its
        # send returns a future with add_errback and get(timeout).
        self.producer = producer if producer is not None else make_producer(
            bootstrap_servers, client_id=client_id)
        self.person_ids = person_ids
        self.tracer = tracing.tracer("clearway.intake")
        self.stats = PublishStats()
        self.max_pending_bytes = max_pending_bytes
        # (future, value size) of every send not yet known to be settled, oldest first.
        self._pending: collections.deque = collections.deque()
        self._pending_bytes = 0
        self._pending_lock = threading.Lock()
        self._failure = ""  # kind of the first failed send, for the error message
        # For health: sends Kafka has neither acknowledged nor refused yet are work in
        # hand; each answer is progress (clearway.health.StallWatch).
        self.progress = Progress("intake:publisher")
        self._unanswered = 0
        self._unanswered_lock = threading.Lock()

    def publish_case(self, *, tenant: str, jurisdiction: str, case: intake_service_pb2.CaseInput,
                     batch_id: str = "", scheme: str = SUBJECT_ID_SCHEME,
                     evaluation: case_pb2.EvaluationRequest | None = None,
                     case_id: str = "", event_id: str = "",
                     on_submitted=None, receipts: list | None = None) -> case_pb2.CaseSubmitted:
        """Mint the opaque ids and publish one CaseSubmitted in a new trace of its own.

        ``case_id`` and ``event_id``: ids derived from a client's request id, so a
        retry publishes the same event (default: new ones).
        """
        message = self.new_case(tenant=tenant, jurisdiction=jurisdiction, batch_id=batch_id,
                                evaluation=evaluation, case_id=case_id, event_id=event_id)
        message.person.CopyFrom(case.person)
        message.record.CopyFrom(case.record)
        return self.publish_submitted(message, case.source_person_key, scheme=scheme,
                                      on_submitted=on_submitted, receipts=receipts)

    @staticmethod
    def new_case(*, tenant: str, jurisdiction: str, batch_id: str = "",
                 evaluation: case_pb2.EvaluationRequest | None = None,
                 case_id: str = "", event_id: str = "") -> case_pb2.CaseSubmitted:
        """A CaseSubmitted with a new case id and envelope. Fill its person and record in
        place (no copy; bulk intake builds them there), then publish_submitted."""
        return case_pb2.CaseSubmitted(
            envelope=events.new_envelope(tenant=tenant, jurisdiction=jurisdiction,
                                         case_id=case_id or events.new_id(), batch_id=batch_id,
                                         event_id=event_id or None),
            evaluation=evaluation)

    def publish_submitted(self, message: case_pb2.CaseSubmitted, source_person_key: str, *,
                          scheme: str = SUBJECT_ID_SCHEME, on_submitted=None,
                          receipts: list | None = None) -> case_pb2.CaseSubmitted:
        """Mint the opaque person id and publish ``message`` (from new_case) in a new trace.

        Raises CaseTooLarge, sending nothing, when the case is over MAX_CASE_BYTES.
        """
        envelope = message.envelope
        person = message.person
        person.person_id = self.person_ids.person_id(envelope.tenant, scheme, source_person_key)
        # Serialized once, here: the size check costs nothing more than the send.
        value = message.SerializeToString()
        if len(value) > topics.MAX_CASE_BYTES:
            raise CaseTooLarge(len(value))
        parent = trace.get_current_span().get_span_context()
        links = [Link(parent)] if parent.is_valid else []
        with self.tracer.start_as_current_span("intake case", context=trace.set_span_in_context(
                trace.INVALID_SPAN), links=links) as span:
            tracing.set_attributes(span, {
                "clearway.tenant": envelope.tenant, "clearway.jurisdiction": envelope.jurisdiction,
                "clearway.batch_id": envelope.batch_id, "clearway.case_id": envelope.case_id,
                "clearway.person_id": person.person_id,
                "clearway.event_id": envelope.event_id})
            if on_submitted is not None:
                on_submitted(message)
            self._send(Outgoing(topics.CASES, person.person_id, message), value, receipts)
        self.stats.add("accepted")
        return message

    def publish_rejection(self, letter: dead_letter_pb2.DeadLetter,
                          receipts: list | None = None) -> None:
        """Publish a dead letter; an original too large for the topic is cut, and the cut recorded."""
        if not letter.original_size:
            letter.original_size = len(letter.original)
        if len(letter.original) > MAX_DEAD_LETTER_ORIGINAL_BYTES:
            letter.original = letter.original[:MAX_DEAD_LETTER_ORIGINAL_BYTES]
            letter.original_truncated = True
        self._send(Outgoing(topics.INTAKE_REJECTED,
                            letter.envelope.batch_id or letter.envelope.event_id, letter),
                   receipts=receipts)
        self.stats.add("rejected")

    def publish_answer(self, answer: intake_request_pb2.IntakeRequestAnswered,
                       receipts: list | None = None) -> None:
        """Publish the answer to a client's request id, keyed by its opaque request key."""
        self._send(Outgoing(topics.INTAKE_REQUESTS, answer.request_key, answer), receipts=receipts)

    def publish_batch_closed(self, *, tenant: str, jurisdiction: str, batch_id: str,
                             case_count: int, row_count: int, rejected_row_count: int,
                             source_files: list[str],
                             evaluation: case_pb2.EvaluationRequest | None = None,
                             file_errors: Sequence[batch_pb2.FileError] = (),
                             ) -> batch_pb2.BatchClosed:
        """Publish BatchClosed, keyed by batch id; call it after the batch's cases are flushed."""
        message = batch_pb2.BatchClosed(
            envelope=events.new_envelope(tenant=tenant, jurisdiction=jurisdiction, case_id="",
                                         batch_id=batch_id),
            case_count=case_count, row_count=row_count, rejected_row_count=rejected_row_count,
            source_files=source_files, evaluation=evaluation, file_errors=file_errors)
        self._send(Outgoing(topics.BATCHES, batch_id, message))
        return message

    def _send(self, out: Outgoing, value: bytes | None = None,
              receipts: list | None = None) -> None:
        if value is None:
            value = out.message.SerializeToString()
        if receipts is not None:
            # The caller confirms these itself (confirm): not counted against other sends.
            receipts.append(self._watched(publish(self.producer, out, self.tracer, value=value)))
            return
        self._raise_if_failed()
        future = self._watched(publish(self.producer, out, self.tracer, value=value))
        future.add_errback(self._on_failure, out.topic)
        with self._pending_lock:
            self._pending.append((future, len(value)))
            self._pending_bytes += len(value)
            over = self._pending_bytes > self.max_pending_bytes
        if over:
            self._settle(self.max_pending_bytes // 2)

    def _watched(self, future):
        """``future``, counted as work in hand until Kafka answers it."""
        with self._unanswered_lock:
            self._unanswered += 1
        self.progress.working()
        future.add_both(self._answered)
        return future

    def _answered(self, _result) -> None:
        with self._unanswered_lock:
            self._unanswered -= 1
            left = self._unanswered
        self.progress.advanced(pending=left > 0)

    def _on_failure(self, topic: str, exc: BaseException) -> None:
        # Called on the producer's thread. The kind of error and the topic only: never the record.
        if not self._failure:
            self._failure = f"{type(exc).__name__} on {topic}"
        log.error("a record was not acknowledged by Kafka",
                  extra={"topic": topic, "reason": type(exc).__name__})
        self.stats.add("failed")

    def _settle(self, limit: int, timeout_s: float | None = None) -> None:
        """Wait for the oldest sends until at most ``limit`` bytes are unacknowledged.

        ``timeout_s`` bounds the whole wait (default CLEARWAY_KAFKA_TIMEOUT_S), not
        each send: with the broker gone, the first send not acknowledged in time
        ends it with DeliveryError.
        """
        deadline = time.monotonic() + (timeout_s or FaultSettings.from_env().kafka_timeout_s)
        while True:
            with self._pending_lock:
                if self._pending_bytes <= limit or not self._pending:
                    break
                future, size = self._pending.popleft()
                self._pending_bytes -= size
            try:
                future.get(timeout=max(deadline - time.monotonic(), 0.001))
            except Exception:  # counted by _on_failure (or a timeout: reported as such below)
                if not future.is_done:
                    self._failure = self._failure or "no acknowledgement in time"
                    self.stats.add("failed")
                    break
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self.stats.failed:
            raise DeliveryError(f"{self.stats.failed} records were not acknowledged by Kafka "
                                f"(first: {self._failure or 'unknown'})")

    def confirm(self, receipts: list, timeout_s: float = 30.0) -> None:
        """Wait for the sends of ``receipts``; raise DeliveryError if any was not acknowledged."""
        try:
            self.producer.flush(timeout=timeout_s)
        except KafkaTimeoutError:
            raise DeliveryError("no acknowledgement from Kafka in time") from None
        for future in receipts:
            if not future.is_done:
                raise DeliveryError("no acknowledgement from Kafka in time")
            if future.failed():
                log.error("a record was not acknowledged by Kafka",
                          extra={"reason": type(future.exception).__name__})
                raise DeliveryError(f"a record was not acknowledged by Kafka "
                                    f"({type(future.exception).__name__})")

    def flush(self, timeout_s: float | None = None) -> None:
        """Wait for every send; raise if any was not acknowledged (so nothing is lost silently).

        Waits at most ``timeout_s`` (default CLEARWAY_KAFKA_TIMEOUT_S).
        """
        timeout_s = timeout_s or FaultSettings.from_env().kafka_timeout_s
        try:
            self.producer.flush(timeout=timeout_s)
        except KafkaTimeoutError:
            raise DeliveryError(f"Kafka did not acknowledge every record within {timeout_s:g}s") from None
        with self._pending_lock:
            # After a flush every future is settled; failures were counted as they came.
            self._pending.clear()
            self._pending_bytes = 0
        self._raise_if_failed()

    def close(self, timeout_s: float = 10.0) -> None:
        """Send what is buffered and close, within ``timeout_s`` whatever Kafka does."""
        close_producer(self.producer, timeout_s)
