"""Tell each person what happened, once: determinations and petitions in, NotificationSent out.

A person with an eligible conviction is told when their petition exists (one
message naming it); a person with none is told on the determination. Each message
is keyed to the event it reports on, whose id the ledger remembers, and carries a
Message-ID derived from it, so a redelivery sends nothing twice.

Every notice ends in one settled NotificationSent: SENT, SKIPPED_NO_CONSENT,
WITHHELD (the record cannot be tied to one person, so nobody is told), or FAILED
(refused for good, with a dead letter saying why). A delivery that fails for now
is first PENDING_RETRY: a NotificationRetry goes to the retry topic in the same
transaction, and ``handle_retry`` (the service's second processor) tries again on
its schedule, so an unreachable server holds up nobody else's message.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from google.protobuf.message import Message
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from clearway import events, topics, tracing
from clearway.bus import Ledger, Outgoing, Rejected
from clearway.determinations import eligible_count, names_one_person
from clearway.v1 import case_pb2, determination_pb2, notification_pb2, petition_pb2

from clearway_notifications.adapters import (
    EMAIL_FIELD,
    DeliveryFailed,
    OutboxFolder,
    PermanentDeliveryFailure,
    SentLog,
    ServerUnavailable,
    TransientDeliveryFailure,
)
from clearway_notifications.delivery import CircuitBreaker, RetrySchedule
from clearway_notifications.domain.messages import (
    choose_channel,
    compose_email,
    compose_text,
    message_id_for,
    recipient_of,
    resolve_language,
)

log = logging.getLogger(__name__)

NotificationStatus = notification_pb2.NotificationStatus
SENT = notification_pb2.NOTIFICATION_STATUS_SENT
SKIPPED_NO_CONSENT = notification_pb2.NOTIFICATION_STATUS_SKIPPED_NO_CONSENT
FAILED = notification_pb2.NOTIFICATION_STATUS_FAILED
PENDING_RETRY = notification_pb2.NOTIFICATION_STATUS_PENDING_RETRY
WITHHELD = notification_pb2.NOTIFICATION_STATUS_WITHHELD

CHANNEL_FOLDERS = {notification_pb2.CHANNEL_SMS: "sms", notification_pb2.CHANNEL_POSTAL_MAIL: "letters"}
SUBJECT_TYPES: dict[str, type[Message]] = {
    topics.DETERMINATIONS: determination_pb2.DeterminationMade,
    topics.PETITIONS: petition_pb2.PetitionGenerated,
}


@dataclass(frozen=True)
class Notice:
    """One notice to give: the event it reports on, and how often it was tried."""

    topic: str                       # the subject's topic: determinations or petitions
    subject: Message                 # DeterminationMade or PetitionGenerated
    original: bytes                  # the subject's bytes if at hand (see subject_bytes)
    input_event_id: str              # the record being handled: the subject, or its retry
    attempts: int = 0                # failed tries so far
    give_up_at: float | None = None  # epoch seconds; None until the first failure

    @property
    def petition(self) -> petition_pb2.PetitionGenerated | None:
        return self.subject if self.topic == topics.PETITIONS else None

    @property
    def made(self) -> determination_pb2.DeterminationMade:
        return self.subject.determination if self.topic == topics.PETITIONS else self.subject

    @property
    def subject_event_id(self) -> str:
        return self.subject.envelope.event_id

    def subject_bytes(self) -> bytes:
        """For a retry or a dead letter: serialized only when one is needed."""
        return self.original or self.subject.SerializeToString()


class Notifier:
    def __init__(self, mailer, outbox: OutboxFolder, sender: str, *,
                 sent_log: SentLog | None = None, schedule: RetrySchedule | None = None,
                 breaker: CircuitBreaker | None = None, clock: Callable[[], float] = time.time):
        """``mailer.send(message, recipient)`` delivers one email or raises DeliveryFailed."""
        self.mailer = mailer
        self.outbox = outbox
        self.sender = sender
        self.sent_log = sent_log
        self.schedule = schedule or RetrySchedule()
        self.breaker = breaker or CircuitBreaker()
        self.clock = clock

    def handle(self, topic: str, message) -> list[Outgoing]:
        """The main flow: one DeterminationMade or PetitionGenerated."""
        notice = _with_person(Notice(topic, message, b"", message.envelope.event_id))
        if topic == topics.DETERMINATIONS:
            if not names_one_person(message):
                # The rows may be several people's: telling "the" person would be false.
                return [self._settled(notice, WITHHELD, notification_pb2.CHANNEL_UNSPECIFIED)]
            if eligible_count(message):
                return []  # the petition's event will carry the news, with the filing
        return self._notify(notice)

    def handle_retry(self, topic: str, retry: notification_pb2.NotificationRetry) -> list[Outgoing]:
        """The retry flow: one NotificationRetry that is due (see ``hold_until``)."""
        subject_type = SUBJECT_TYPES.get(retry.subject_topic)
        if subject_type is None:
            raise Rejected("the retry's subject_topic is not one notifications reads",
                           field="subject_topic")
        if not retry.HasField("give_up_at"):
            raise Rejected("the retry has no give_up_at", field="give_up_at")
        try:
            subject = events.decode(subject_type, retry.subject)
        except events.UndecodableRecord as exc:
            raise Rejected(f"the retry's subject: {exc}", field="subject") from None
        return self._notify(_with_person(Notice(retry.subject_topic, subject, retry.subject,
                                                retry.envelope.event_id, retry.attempts,
                                                _seconds(retry.give_up_at))))

    def hold_until(self, topic: str, retry: notification_pb2.NotificationRetry) -> float:
        """When a retry is due: its not_before, or later while the SMTP server is known down."""
        not_before = _seconds(retry.not_before)
        wait = self.breaker.seconds_until_trial()
        return max(not_before, self.clock() + wait) if wait > 0 else not_before

    # --- one notice ------------------------------------------------------------------

    def _notify(self, notice: Notice) -> list[Outgoing]:
        made = notice.made
        problem = rule_pack_problem(made)
        if problem:
            field = "determination.rule_pack" if notice.petition is not None else "rule_pack"
            return self._refused(notice, problem, field, notification_pb2.CHANNEL_UNSPECIFIED)
        try:
            message_id_for(notice.subject_event_id)
        except ValueError:
            return self._refused(notice, "the event id cannot make a Message-ID",
                                 "envelope.event_id", notification_pb2.CHANNEL_UNSPECIFIED)
        channel = choose_channel(made.person)
        if channel is None:
            return [self._settled(notice, SKIPPED_NO_CONSENT, notification_pb2.CHANNEL_UNSPECIFIED)]
        try:
            self._deliver(notice, channel)
        except PermanentDeliveryFailure as failure:
            return self._refused(notice, failure.reason, failure.field, channel)
        except TransientDeliveryFailure as failure:
            return self._later(notice, failure, channel)
        return [self._settled(notice, SENT, channel)]

    def _deliver(self, notice: Notice, channel: int) -> None:
        person: case_pb2.Person = notice.made.person
        message_id = message_id_for(notice.subject_event_id)
        if channel != notification_pb2.CHANNEL_EMAIL:
            _language, _subject, body = compose_text(person, notice.made, notice.petition)
            self.outbox.put(CHANNEL_FOLDERS[channel], message_id, body)
            return
        try:
            recipient = recipient_of(person)  # email-validator, before anything is composed
        except ValueError:
            raise PermanentDeliveryFailure("the email address is not a valid email address",
                                           field=EMAIL_FIELD) from None
        if self.sent_log is not None and notice.subject_event_id in self.sent_log:
            return  # the server took it before a crash; the record of it was not committed
        if not self.breaker.allow():
            raise ServerUnavailable("the SMTP server keeps failing; not tried (circuit open)")
        try:
            email = compose_email(person, notice.made, notice.petition, self.sender,
                                  message_id=message_id)
            self.mailer.send(email, recipient)
        except DeliveryFailed as failure:
            if isinstance(failure, ServerUnavailable):
                self.breaker.failed()
            else:
                self.breaker.succeeded()  # the server answered: it is up
            raise
        except BaseException:
            self.breaker.failed()  # never leave the breaker waiting on a trial that ended
            raise
        self.breaker.succeeded()
        if self.sent_log is not None:
            self.sent_log.record(notice.input_event_id, notice.subject_event_id)

    def _later(self, notice: Notice, failure: DeliveryFailed, channel: int) -> list[Outgoing]:
        now = self.clock()
        attempts = notice.attempts + 1
        give_up_at = notice.give_up_at if notice.give_up_at is not None else now + self.schedule.give_up_s
        if now >= give_up_at:
            return self._refused(notice, f"gave up after {attempts} attempts: {failure.reason}",
                                 failure.field, channel)
        made = notice.made
        retry = notification_pb2.NotificationRetry(
            envelope=events.follow_on_envelope(notice.subject.envelope, f"notification/retry/{attempts}"),
            person_id=made.person_id, subject_topic=notice.topic, subject=notice.subject_bytes(),
            attempts=attempts)
        retry.not_before.FromNanoseconds(int(min(now + self.schedule.delay(attempts), give_up_at) * 1e9))
        retry.give_up_at.FromNanoseconds(int(give_up_at * 1e9))
        self._report_failure(notice, PENDING_RETRY, failure.reason, attempts,
                             "notice not delivered; trying again later")
        out = [Outgoing(topics.NOTIFICATIONS_RETRY, made.person_id, retry)]
        if notice.attempts == 0:  # the first failure is told once; the retries' own are not
            out.insert(0, self._settled(notice, PENDING_RETRY, channel, purpose="notification/pending"))
        return out

    def _refused(self, notice: Notice, reason: str, field: str, channel: int) -> list[Outgoing]:
        self._report_failure(notice, FAILED, reason, notice.attempts,
                             "notice failed for good; dead-lettered")
        letter = events.dead_letter(
            source="notifications", reason=reason, original=notice.subject_bytes(), field=field,
            original_topic=notice.topic, cause=notice.subject.envelope)
        return [self._settled(notice, FAILED, channel),
                Outgoing(topics.NOTIFICATIONS_REJECTED, events.dead_letter_key(letter), letter)]

    def _settled(self, notice: Notice, status: int, channel: int,
                 purpose: str = "notification") -> Outgoing:
        made = notice.made
        sent = notification_pb2.NotificationSent(
            envelope=events.follow_on_envelope(notice.subject.envelope, purpose),
            person_id=made.person_id,
            subject_event_id=notice.subject_event_id,
            channel=channel,
            status=status,
            language=resolve_language(made.person.preferred_language),
        )
        try:
            sent.message_id = message_id_for(notice.subject_event_id)
        except ValueError:
            pass  # refused for that reason (see _notify)
        tracing.set_attributes(trace.get_current_span(), {
            "clearway.status": status_name(status),
            "clearway.channel": notification_pb2.Channel.Name(channel)})
        return Outgoing(topics.NOTIFICATIONS, made.person_id, sent)

    def _report_failure(self, notice: Notice, status: int, reason: str, attempts: int,
                        message: str) -> None:
        trace.get_current_span().set_status(Status(StatusCode.ERROR, reason))
        log.warning(message, extra={
            "case_id": notice.subject.envelope.case_id, "event_id": notice.subject_event_id,
            "status": status_name(status), "reason": reason, "count": attempts})


def _with_person(notice: Notice) -> Notice:
    """The notice, if its determination names the person; else Rejected (dead-lettered)."""
    if not notice.made.person_id:
        # Nobody to tell, and no key to keep this person's events in order.
        field = "determination.person_id" if notice.petition is not None else "person_id"
        raise Rejected("the determination names no person_id", field=field)
    return notice


def rule_pack_problem(made: determination_pb2.DeterminationMade) -> str | None:
    """Why a determination cannot be told to anyone: it must say which law judged it."""
    if not made.rule_pack.id.strip() or not made.rule_pack.version.strip():
        return "the determination names no rule pack id and version"
    return None


def status_name(status: int) -> str:
    return NotificationStatus.Name(status).removeprefix("NOTIFICATION_STATUS_")


class SettlingLedger(Ledger):
    """A ledger that also settles the sent-log.

    The processor adds an input's event id only once the transaction holding its
    NotificationSent has committed: from then on the topic, not the sent-log, says
    the email went.
    """

    def __init__(self, ids: Iterable[str] = (), sent_log: SentLog | None = None):
        super().__init__(ids)
        self.sent_log = sent_log

    def add(self, event_id: str) -> None:
        super().add(event_id)
        if self.sent_log is not None:
            self.sent_log.settle(event_id)


def notice_history(notices: Iterable[notification_pb2.NotificationSent]) -> tuple[set[str], set[str]]:
    """(subjects already handled, subjects whose message was SENT), from the notifications topic."""
    handled, delivered = set(), set()
    for sent in notices:
        handled.add(sent.subject_event_id)
        if sent.status == SENT:
            delivered.add(sent.subject_event_id)
    return handled, delivered


def _seconds(stamp) -> float:
    return stamp.seconds + stamp.nanos / 1e9
