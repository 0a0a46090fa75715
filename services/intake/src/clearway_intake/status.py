"""Where each case is: a read model built by following the downstream topics.

Why: GetCaseStatus must answer without asking the other services. The board follows
determinations, petitions and notifications (from the beginning, read_committed)
and keeps a small record per case id. It lives in memory and is rebuilt at start,
bounded by the topics' retention.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from clearway import events, topics
from clearway.bus import backoff_delays, consumer_settings
from clearway.settings import FaultSettings
from clearway.determinations import eligible_count
from clearway.v1 import determination_pb2, intake_service_pb2, notification_pb2, petition_pb2

log = logging.getLogger(__name__)

FOLLOWED = {
    topics.DETERMINATIONS: determination_pb2.DeterminationMade,
    topics.PETITIONS: petition_pb2.PetitionGenerated,
    topics.NOTIFICATIONS: notification_pb2.NotificationSent,
}


# A notice is settled when the person was told, or there was no channel they consented
# to; only then is the case NOTIFIED. Pending, failed and withheld notices are shown
# as such (notification_status) and leave the stage where it was.
SETTLED_NOTICES = frozenset({notification_pb2.NOTIFICATION_STATUS_SENT,
                             notification_pb2.NOTIFICATION_STATUS_SKIPPED_NO_CONSENT})
FINAL_NOTICES = SETTLED_NOTICES | {notification_pb2.NOTIFICATION_STATUS_FAILED,
                                   notification_pb2.NOTIFICATION_STATUS_WITHHELD}


@dataclass
class CaseStatus:
    stage: int = intake_service_pb2.CASE_STAGE_SUBMITTED
    convictions_determined: int = 0
    convictions_eligible: int = 0
    documents: int = 0
    notifications: int = 0  # settled notices (a pending one is counted once it is sent)
    notification_status: int = notification_pb2.NOTIFICATION_STATUS_UNSPECIFIED


class StatusBoard:
    def __init__(self):
        self._cases: dict[str, CaseStatus] = {}
        self._lock = threading.Lock()

    def submitted(self, case_id: str) -> None:
        with self._lock:
            self._cases.setdefault(case_id, CaseStatus())

    def get(self, case_id: str) -> CaseStatus | None:
        with self._lock:
            return self._cases.get(case_id)

    def apply(self, topic: str, message) -> None:
        case_id = message.envelope.case_id
        with self._lock:
            status = self._cases.setdefault(case_id, CaseStatus())
            if topic == topics.DETERMINATIONS:
                status.convictions_determined = len(message.convictions)
                status.convictions_eligible = eligible_count(message)
                stage = intake_service_pb2.CASE_STAGE_DETERMINED
            elif topic == topics.PETITIONS:
                status.documents = len(message.documents)
                stage = intake_service_pb2.CASE_STAGE_PETITION_GENERATED
            else:
                notice = message.status
                if status.notification_status in FINAL_NOTICES and notice not in FINAL_NOTICES:
                    return  # a late "pending" never hides how the notice ended
                status.notification_status = notice
                if notice not in SETTLED_NOTICES:
                    return
                status.notifications += 1
                stage = intake_service_pb2.CASE_STAGE_NOTIFIED
            status.stage = max(status.stage, stage)

    def follow(self, bootstrap_servers: str, stop: threading.Event) -> None:
        """Consume the downstream topics until ``stop``; meant for a daemon thread.

        Kafka going away does not end it: the consumer reconnects by itself, and one
        that cannot be made (the broker down at start) is tried again with a pause.
        """
        faults = FaultSettings.from_env()
        for delay in backoff_delays(faults.retry_backoff_s):
            if stop.is_set():
                return
            try:
                consumer = self._consumer(bootstrap_servers, faults)
            except KafkaError as exc:
                log.warning("Kafka unreachable; trying again", extra={
                    "step": "status board", "reason": type(exc).__name__, "delay_s": delay})
                stop.wait(delay)
                continue
            try:
                self._follow(consumer, stop)
            finally:
                consumer.close(timeout_ms=1000)

    @staticmethod
    def _consumer(bootstrap_servers: str, faults: FaultSettings) -> KafkaConsumer:
        # A fetch waits up to half a second for 256 KiB: while a batch flows, the board reads
        # many records per fetch instead of polling the broker for every one or two
        # (each fetch of 13 partitions costs both sides more than the records in it).
        return KafkaConsumer(*FOLLOWED, bootstrap_servers=bootstrap_servers, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             isolation_level="read_committed", client_id="intake-status",
                             fetch_min_bytes=256 * 1024, fetch_max_wait_ms=500,
                             **consumer_settings(faults.kafka_timeout_s))

    def _follow(self, consumer: KafkaConsumer, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                batch = consumer.poll(timeout_ms=500)
            except KafkaError as exc:
                log.warning("status board poll failed; polling again", extra={"reason": type(exc).__name__})
                stop.wait(1.0)
                continue
            for records in batch.values():
                for record in records:
                    try:
                        message = events.decode(FOLLOWED[record.topic], record.value, record.headers)
                    except events.UndecodableRecord:
                        continue  # the owning service dead-letters it; not ours to judge
                    self.apply(record.topic, message)
