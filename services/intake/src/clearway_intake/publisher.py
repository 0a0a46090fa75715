"""Publishes accepted cases, dead letters and batch closures; shared by the gRPC server and bulk submit.

Every case starts a trace of its own (one trace per case, through all four
services), linked to the span of the batch or call it arrived in.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field

from opentelemetry import trace
from opentelemetry.trace import Link

from clearway import events, topics, tracing
from clearway.bus import Outgoing, make_producer, publish
from clearway.v1 import batch_pb2, case_pb2, intake_service_pb2

from clearway_intake.domain.identity import PersonIds

log = logging.getLogger(__name__)
DOJ_SUBJECT_SCHEME = "ca-doj-subject-id"


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


class CasePublisher:
    def __init__(self, bootstrap_servers: str, person_ids: PersonIds, client_id: str = "intake",
                 producer=None):
        # ``producer``: a stand-in with KafkaProducer's send/flush/close, for tests.
        self.producer = producer if producer is not None else make_producer(
            bootstrap_servers, client_id=client_id)
        self.person_ids = person_ids
        self.tracer = tracing.tracer("clearway.intake")
        self.stats = PublishStats()

    def publish_case(self, *, tenant: str, jurisdiction: str, case: intake_service_pb2.CaseInput,
                     batch_id: str = "", scheme: str = DOJ_SUBJECT_SCHEME,
                     evaluation: case_pb2.EvaluationRequest | None = None,
                     on_submitted=None) -> case_pb2.CaseSubmitted:
        """Mint the opaque ids and publish one CaseSubmitted in a new trace of its own."""
        case_id = str(uuid.uuid4())
        message = case_pb2.CaseSubmitted(
            envelope=events.new_envelope(tenant=tenant, jurisdiction=jurisdiction,
                                         case_id=case_id, batch_id=batch_id),
            person=case.person, record=case.record, evaluation=evaluation)
        person = message.person
        person.person_id = self.person_ids.person_id(tenant, scheme, case.source_person_key)
        parent = trace.get_current_span().get_span_context()
        links = [Link(parent)] if parent.is_valid else []
        with self.tracer.start_as_current_span("intake case", context=trace.set_span_in_context(
                trace.INVALID_SPAN), links=links) as span:
            tracing.set_attributes(span, {
                "clearway.tenant": tenant, "clearway.jurisdiction": jurisdiction,
                "clearway.batch_id": batch_id, "clearway.case_id": case_id,
                "clearway.person_id": person.person_id,
                "clearway.event_id": message.envelope.event_id})
            if on_submitted is not None:
                on_submitted(message)
            self._send(Outgoing(topics.CASES, person.person_id, message))
        self.stats.add("accepted")
        return message

    def publish_rejection(self, letter) -> None:
        self._send(Outgoing(topics.INTAKE_REJECTED,
                            letter.envelope.batch_id or letter.envelope.event_id, letter))
        self.stats.add("rejected")

    def publish_batch_closed(self, *, tenant: str, jurisdiction: str, batch_id: str,
                             case_count: int, row_count: int, rejected_row_count: int,
                             source_files: list[str],
                             evaluation: case_pb2.EvaluationRequest | None = None,
                             ) -> batch_pb2.BatchClosed:
        """Publish BatchClosed, keyed by batch id; call it after the batch's cases are flushed."""
        message = batch_pb2.BatchClosed(
            envelope=events.new_envelope(tenant=tenant, jurisdiction=jurisdiction, case_id="",
                                         batch_id=batch_id),
            case_count=case_count, row_count=row_count, rejected_row_count=rejected_row_count,
            source_files=source_files, evaluation=evaluation)
        self._send(Outgoing(topics.BATCHES, batch_id, message))
        return message

    def _send(self, out: Outgoing) -> None:
        future = publish(self.producer, out, self.tracer)
        future.add_errback(lambda _exc: self.stats.add("failed"))

    def flush(self, timeout_s: float = 60.0) -> None:
        """Wait for every send; raise if any was not acknowledged (so nothing is lost silently)."""
        self.producer.flush(timeout=timeout_s)
        if self.stats.failed:
            raise DeliveryError(f"{self.stats.failed} records were not acknowledged by Kafka")

    def close(self) -> None:
        self.producer.flush(timeout=30)
        self.producer.close(timeout=10)
