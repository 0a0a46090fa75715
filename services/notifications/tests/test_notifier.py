"""The Notifier tells each person once, on the channel they consented to; the SMTP sink keeps every delivery."""

from __future__ import annotations

import datetime as dt
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from clearway import events, topics
from clearway.ca_doj import SUBJECT_ID_SCHEME
from clearway.v1 import case_pb2, determination_pb2, notification_pb2, petition_pb2
from clearway_notifications.adapters import OutboxFolder, ServerUnavailable
from clearway_notifications.delivery import CircuitBreaker, RetrySchedule
from clearway_notifications.domain.messages import message_id_for
from clearway_notifications.service import Notifier
from clearway_notifications.smtp_sink import EmlWriter

Outcome = determination_pb2.Outcome
SENDER = "Clearway <notices@clearway.example>"
DETERMINATION_ID = "2f4e6a8c-0b1d-4e3f-9a5b-7c9d1e3f5a7b"
OCCURRED = dt.datetime(2026, 11, 20, 11, 0, tzinfo=dt.timezone.utc)


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.recipients: list[str] = []

    def send(self, message: EmailMessage, recipient: str) -> None:
        self.sent.append(message)
        self.recipients.append(recipient)


class FailingMailer(RecordingMailer):
    """Fails every try with ``failure``, counting the tries."""

    def __init__(self, failure: Exception | None = None) -> None:
        super().__init__()
        self.failure = failure or ServerUnavailable("could not use the SMTP server (ConnectionRefusedError)")
        self.tries = 0

    def send(self, message: EmailMessage, recipient: str) -> None:
        self.tries += 1
        raise self.failure


def _person(*, email: str = "marisol@example.org", phone: str = "+19165550123",
            consent: case_pb2.Consent | None = None) -> case_pb2.Person:
    return case_pb2.Person(
        person_id="p_opaque",
        name=case_pb2.Name(recorded="QUILLFEATHER,MARISOL T"),
        contact=case_pb2.Contact(email=email, phone=phone),
        preferred_language="en",
        consent=consent if consent is not None else case_pb2.Consent(email=True, sms=True),
    )


def _determination(outcome: int, person: case_pb2.Person | None = None) -> determination_pb2.DeterminationMade:
    return determination_pb2.DeterminationMade(
        envelope=events.new_envelope(tenant="demo-coalition", jurisdiction="ca/sacramento",
                                     case_id="case-5", event_id=DETERMINATION_ID, occurred_at=OCCURRED),
        person_id="p_opaque",
        rule_pack=determination_pb2.RulePack(id="ca-prop64", version="2026.11-gogen-0.2.13"),
        convictions=[determination_pb2.ConvictionDetermination(
            conviction_id="c/1", code_section="11358 HS", outcome=outcome, reason="r")],
        person=person if person is not None else _person(),
    )


def _petition(made: determination_pb2.DeterminationMade) -> petition_pb2.PetitionGenerated:
    petition = petition_pb2.PetitionGenerated(
        envelope=events.follow_on_envelope(made.envelope, "petition", occurred_at=OCCURRED),
        person_id=made.person_id,
        determination_event_id=made.envelope.event_id,
        court="Superior Court of California, County of Sacramento",
        determination=made,
    )
    petition.documents.add(kind=petition_pb2.DOCUMENT_KIND_PETITION, media_type="application/pdf",
                           sha256="0" * 64, location="file:///tmp/x.pdf", size_bytes=1)
    return petition


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def outbox(tmp_path) -> OutboxFolder:
    return OutboxFolder(tmp_path / "outbox")


@pytest.fixture
def notifier(mailer, outbox) -> Notifier:
    return Notifier(mailer, outbox, SENDER)


def _only_notification(outgoing) -> notification_pb2.NotificationSent:
    (record,) = outgoing
    assert record.topic == topics.NOTIFICATIONS
    assert record.key == "p_opaque"
    assert isinstance(record.message, notification_pb2.NotificationSent)
    return record.message


def _outbox_files(outbox: OutboxFolder) -> list[Path]:
    return sorted(p for p in outbox.root.rglob("*") if p.is_file()) if outbox.root.exists() else []


# --- determinations ----------------------------------------------------------------


@pytest.mark.parametrize("outcome", [Outcome.OUTCOME_DISMISS, Outcome.OUTCOME_REDUCE, Outcome.OUTCOME_SEAL])
def test_an_eligible_determination_sends_nothing_the_petition_will_notify(notifier, mailer, outbox, outcome):
    assert notifier.handle(topics.DETERMINATIONS, _determination(outcome)) == []
    assert mailer.sent == []
    assert _outbox_files(outbox) == []


def test_a_not_eligible_determination_sends_one_email_and_reports_it_sent(notifier, mailer):
    made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
    sent = _only_notification(notifier.handle(topics.DETERMINATIONS, made))

    (email,) = mailer.sent
    assert email["To"] == "marisol@example.org"
    assert email["From"] == SENDER
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_SENT
    assert sent.channel == notification_pb2.CHANNEL_EMAIL
    assert sent.message_id == email["Message-ID"]
    assert sent.message_id == message_id_for(DETERMINATION_ID)
    assert sent.subject_event_id == DETERMINATION_ID
    assert sent.person_id == "p_opaque"
    assert sent.language == "en"


@pytest.mark.parametrize("outcome", [Outcome.OUTCOME_DISMISS, Outcome.OUTCOME_NOT_ELIGIBLE])
def test_rows_without_a_subject_id_are_withheld_and_nobody_is_told(notifier, mailer, outbox, outcome):
    """gogen's pseudo-subject (its rule version only): the contact is one row's, the
    convictions may be several people's. The case still ends with one settled notice."""
    person = _person()
    person.identifiers.add(scheme=SUBJECT_ID_SCHEME, value="")
    sent = _only_notification(notifier.handle(topics.DETERMINATIONS, _determination(outcome, person)))
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_WITHHELD
    assert sent.channel == notification_pb2.CHANNEL_UNSPECIFIED
    assert sent.envelope.event_id == events.derived_event_id(DETERMINATION_ID, "notification")
    assert mailer.sent == []
    assert _outbox_files(outbox) == []


def test_the_notification_event_id_is_derived_from_what_it_reports_on(notifier):
    made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
    sent = _only_notification(notifier.handle(topics.DETERMINATIONS, made))
    assert sent.envelope.event_id == events.derived_event_id(DETERMINATION_ID, "notification")
    assert sent.envelope.causation_id == DETERMINATION_ID
    assert sent.envelope.case_id == "case-5"


def test_a_redelivered_determination_gives_the_same_notification_identity(mailer, outbox):
    notifier = Notifier(mailer, outbox, SENDER)
    first = _only_notification(notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    again = _only_notification(notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    assert (first.envelope.event_id, first.message_id) == (again.envelope.event_id, again.message_id)
    assert mailer.sent[0]["Message-ID"] == mailer.sent[1]["Message-ID"]


def test_a_needs_review_determination_is_told_on_the_determination(notifier, mailer):
    sent = _only_notification(notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NEEDS_REVIEW)))
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_SENT
    assert len(mailer.sent) == 1


# --- petitions -----------------------------------------------------------------------


def test_a_petition_sends_an_email_mentioning_the_petition(notifier, mailer):
    petition = _petition(_determination(Outcome.OUTCOME_DISMISS))
    sent = _only_notification(notifier.handle(topics.PETITIONS, petition))

    (email,) = mailer.sent
    assert "petition" in email.get_content()
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_SENT
    assert sent.channel == notification_pb2.CHANNEL_EMAIL
    assert sent.subject_event_id == petition.envelope.event_id
    assert sent.message_id == email["Message-ID"] == message_id_for(petition.envelope.event_id)
    assert sent.envelope.event_id == events.derived_event_id(petition.envelope.event_id, "notification")


# --- consent and channels ---------------------------------------------------------


def test_a_person_without_consent_is_skipped_and_gets_no_email(mailer, outbox, notifier):
    person = _person(consent=case_pb2.Consent())
    sent = _only_notification(
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE, person)))
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_SKIPPED_NO_CONSENT
    assert sent.channel == notification_pb2.CHANNEL_UNSPECIFIED
    assert mailer.sent == []
    assert _outbox_files(outbox) == []


def test_sms_consent_only_writes_a_file_in_the_sms_outbox(mailer, outbox, notifier):
    person = _person(consent=case_pb2.Consent(sms=True))
    sent = _only_notification(
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE, person)))

    assert mailer.sent == []
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_SENT
    assert sent.channel == notification_pb2.CHANNEL_SMS
    (path,) = _outbox_files(outbox)
    assert path.parent == outbox.root / "sms"
    assert path.suffix == ".txt"
    assert DETERMINATION_ID in path.name
    assert "None of your convictions" in path.read_text(encoding="utf-8")


def test_a_redelivered_sms_overwrites_its_file(mailer, outbox, notifier):
    person = _person(consent=case_pb2.Consent(sms=True))
    for _ in range(2):
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE, person))
    assert len(_outbox_files(outbox)) == 1


def test_sms_consent_for_a_person_without_an_email_address_still_writes_the_sms(mailer, outbox, notifier):
    person = _person(email="", consent=case_pb2.Consent(sms=True))
    sent = _only_notification(
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE, person)))
    assert sent.channel == notification_pb2.CHANNEL_SMS
    assert len(_outbox_files(outbox)) == 1




# --- the SMTP sink --------------------------------------------------------------------


@pytest.fixture
def sink(tmp_path, start_smtp):
    folder = tmp_path / "email"
    return start_smtp(EmlWriter(folder)), folder


def test_eml_writer_creates_its_folder(tmp_path):
    EmlWriter(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()


def test_two_identical_messages_make_two_eml_files(sink, notifier, mailer):
    controller, folder = sink
    notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE))
    (message,) = mailer.sent

    for _ in range(2):
        with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
            client.send_message(message)

    deadline = time.monotonic() + 5
    while len(list(folder.glob("*.eml"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2  # a duplicate must stay visible
    first, second = (f.read_bytes() for f in files)
    assert first == second
    assert f"Message-ID: {message_id_for(DETERMINATION_ID)}".encode() in first
    assert b"To: marisol@example.org" in first


# --- delivery that fails for now: pending, retried, then sent or given up -----------------

NOW = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _retrying_notifier(mailer, outbox, clock, **kwargs) -> Notifier:
    return Notifier(mailer, outbox, SENDER, clock=clock,
                    schedule=RetrySchedule(first_delay_s=30, max_delay_s=300, give_up_s=3600),
                    **kwargs)


def _by_topic(outgoing) -> dict[str, list]:
    found: dict[str, list] = {}
    for record in outgoing:
        found.setdefault(record.topic, []).append(record.message)
    return found


def _seconds(stamp) -> float:
    return stamp.seconds + stamp.nanos / 1e9


def test_a_transient_failure_is_pending_and_a_retry_is_scheduled_in_the_same_output(outbox):
    clock = Clock()
    made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
    outgoing = _retrying_notifier(FailingMailer(), outbox, clock).handle(topics.DETERMINATIONS, made)

    by_topic = _by_topic(outgoing)
    assert set(by_topic) == {topics.NOTIFICATIONS, topics.NOTIFICATIONS_RETRY}
    (pending,) = by_topic[topics.NOTIFICATIONS]
    (retry,) = by_topic[topics.NOTIFICATIONS_RETRY]
    assert pending.status == notification_pb2.NOTIFICATION_STATUS_PENDING_RETRY
    assert pending.channel == notification_pb2.CHANNEL_EMAIL
    assert pending.envelope.event_id == events.derived_event_id(DETERMINATION_ID, "notification/pending")
    assert pending.subject_event_id == DETERMINATION_ID
    assert isinstance(retry, notification_pb2.NotificationRetry)
    assert retry.attempts == 1
    assert retry.subject_topic == topics.DETERMINATIONS
    assert retry.subject == made.SerializeToString()
    assert _seconds(retry.not_before) == pytest.approx(NOW + 30)
    assert _seconds(retry.give_up_at) == pytest.approx(NOW + 3600)
    assert retry.envelope.case_id == "case-5" and retry.person_id == "p_opaque"
    assert all(record.key == "p_opaque" for record in outgoing)


def test_a_transient_failure_is_logged_without_personal_data_and_marks_the_span_an_error(outbox, caplog):
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import StatusCode

    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("notifications process") as span:
        _retrying_notifier(FailingMailer(), outbox, Clock()).handle(
            topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE))

    assert span.status.status_code == StatusCode.ERROR
    assert "ConnectionRefusedError" in span.status.description
    (line,) = [r for r in caplog.records if r.name == "clearway_notifications.service"]
    assert line.status == "PENDING_RETRY" and line.case_id == "case-5"
    assert "marisol" not in line.getMessage().lower() and "marisol" not in line.reason.lower()


def test_while_the_server_is_down_the_rest_go_to_retry_without_trying_it(outbox):
    clock = Clock()
    mailer = FailingMailer()
    notifier = _retrying_notifier(mailer, outbox, clock,
                                  breaker=CircuitBreaker(failures_to_open=3, cooldown_s=10, clock=clock))
    statuses = []
    for n in range(20):
        made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
        made.envelope.event_id = f"determination-{n}"
        statuses += [m.status for m in _by_topic(notifier.handle(topics.DETERMINATIONS, made))[topics.NOTIFICATIONS]]

    assert mailer.tries == 3, "the breaker did not stop the tries"
    assert statuses == [notification_pb2.NOTIFICATION_STATUS_PENDING_RETRY] * 20

    clock.now += 10  # the cooldown is over: one email tests the server
    made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
    made.envelope.event_id = "determination-after-cooldown"
    notifier.handle(topics.DETERMINATIONS, made)
    assert mailer.tries == 4


def _retry_of(outgoing) -> notification_pb2.NotificationRetry:
    (retry,) = _by_topic(outgoing)[topics.NOTIFICATIONS_RETRY]
    return retry


def test_a_due_retry_that_goes_through_publishes_the_final_sent(outbox, mailer):
    clock = Clock()
    made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
    retry = _retry_of(_retrying_notifier(FailingMailer(), outbox, clock).handle(topics.DETERMINATIONS, made))

    clock.now += 30
    outgoing = _retrying_notifier(mailer, outbox, clock).handle_retry(topics.NOTIFICATIONS_RETRY, retry)

    sent = _only_notification(outgoing)
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_SENT
    assert sent.envelope.event_id == events.derived_event_id(DETERMINATION_ID, "notification")
    assert sent.subject_event_id == DETERMINATION_ID
    assert sent.message_id == message_id_for(DETERMINATION_ID)
    (email,) = mailer.sent
    assert email["Message-ID"] == message_id_for(DETERMINATION_ID)
    assert mailer.recipients == ["marisol@example.org"]


def test_a_petition_retry_tells_of_the_petition(outbox, mailer):
    clock = Clock()
    petition = _petition(_determination(Outcome.OUTCOME_DISMISS))
    retry = _retry_of(_retrying_notifier(FailingMailer(), outbox, clock).handle(topics.PETITIONS, petition))
    assert retry.subject_topic == topics.PETITIONS

    sent = _only_notification(_retrying_notifier(mailer, outbox, clock).handle_retry(topics.NOTIFICATIONS_RETRY, retry))
    assert sent.subject_event_id == petition.envelope.event_id
    assert "petition" in mailer.sent[0].get_content()


def test_a_retry_that_fails_again_waits_twice_as_long_and_says_pending_only_once(outbox):
    clock = Clock()
    notifier = _retrying_notifier(FailingMailer(), outbox, clock)
    retry = _retry_of(notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    delays = []
    for attempt in range(2, 7):
        clock.now = _seconds(retry.not_before)
        outgoing = notifier.handle_retry(topics.NOTIFICATIONS_RETRY, retry)
        assert topics.NOTIFICATIONS not in _by_topic(outgoing), "a second PENDING_RETRY"
        retry = _retry_of(outgoing)
        assert retry.attempts == attempt
        assert _seconds(retry.give_up_at) == pytest.approx(NOW + 3600), "give_up_at moved"
        delays.append(round(_seconds(retry.not_before) - clock.now))
    assert delays == [60, 120, 240, 300, 300]
    assert retry.envelope.event_id == events.derived_event_id(DETERMINATION_ID, "notification/retry/6")


def test_a_retry_past_give_up_fails_for_good_with_a_dead_letter(outbox):
    clock = Clock()
    notifier = _retrying_notifier(FailingMailer(), outbox, clock)
    made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
    retry = _retry_of(notifier.handle(topics.DETERMINATIONS, made))

    clock.now = NOW + 3600
    by_topic = _by_topic(notifier.handle_retry(topics.NOTIFICATIONS_RETRY, retry))

    assert set(by_topic) == {topics.NOTIFICATIONS, topics.NOTIFICATIONS_REJECTED}
    (failed,) = by_topic[topics.NOTIFICATIONS]
    (letter,) = by_topic[topics.NOTIFICATIONS_REJECTED]
    assert failed.status == notification_pb2.NOTIFICATION_STATUS_FAILED
    assert failed.envelope.event_id == events.derived_event_id(DETERMINATION_ID, "notification")
    assert letter.source == "notifications"
    assert letter.reason.startswith("gave up after 2 attempts")
    assert letter.original == made.SerializeToString()
    assert letter.original_topic == topics.DETERMINATIONS
    assert letter.envelope.case_id == "case-5"


def test_the_last_retry_is_due_at_give_up_not_after_it(outbox):
    clock = Clock()
    notifier = _retrying_notifier(FailingMailer(), outbox, clock)
    retry = _retry_of(notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    clock.now = NOW + 3500
    retry = _retry_of(notifier.handle_retry(topics.NOTIFICATIONS_RETRY, retry))
    assert _seconds(retry.not_before) == pytest.approx(NOW + 3600)


def test_a_retry_is_held_until_not_before_and_while_the_breaker_is_open(outbox):
    clock = Clock()
    breaker = CircuitBreaker(failures_to_open=1, cooldown_s=50, clock=clock)
    notifier = _retrying_notifier(FailingMailer(), outbox, clock, breaker=breaker)
    retry = _retry_of(notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))

    assert breaker.is_open
    assert notifier.hold_until(topics.NOTIFICATIONS_RETRY, retry) == pytest.approx(NOW + 50)
    breaker.succeeded()
    assert notifier.hold_until(topics.NOTIFICATIONS_RETRY, retry) == pytest.approx(NOW + 30)


@pytest.mark.parametrize("field", ["subject_topic", "subject", "give_up_at"])
def test_a_retry_that_cannot_be_read_is_rejected_naming_the_field(outbox, mailer, field):
    from clearway.bus import Rejected

    clock = Clock()
    retry = _retry_of(_retrying_notifier(FailingMailer(), outbox, clock).handle(
        topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    if field == "subject_topic":
        retry.subject_topic = topics.CASES
    elif field == "subject":
        retry.subject = b"\xff\xff\xff"
    else:
        retry.ClearField("give_up_at")
    with pytest.raises(Rejected) as refused:
        _retrying_notifier(mailer, outbox, clock).handle_retry(topics.NOTIFICATIONS_RETRY, retry)
    assert refused.value.field == field
    assert mailer.sent == []


# --- delivery that can never succeed: FAILED and a dead letter ---------------------------


def _failed_and_dead_letter(outgoing):
    by_topic = _by_topic(outgoing)
    assert set(by_topic) == {topics.NOTIFICATIONS, topics.NOTIFICATIONS_REJECTED}, by_topic.keys()
    (failed,) = by_topic[topics.NOTIFICATIONS]
    (letter,) = by_topic[topics.NOTIFICATIONS_REJECTED]
    assert failed.status == notification_pb2.NOTIFICATION_STATUS_FAILED
    return failed, letter


def test_a_refused_recipient_fails_for_good_with_the_reason(outbox):
    from clearway_notifications.adapters import PermanentDeliveryFailure

    mailer = FailingMailer(PermanentDeliveryFailure("the SMTP server refused the recipient (550)",
                                                    field="person.contact.email"))
    failed, letter = _failed_and_dead_letter(
        Notifier(mailer, outbox, SENDER).handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    assert failed.channel == notification_pb2.CHANNEL_EMAIL
    assert letter.reason == "the SMTP server refused the recipient (550)"
    assert letter.field == "person.contact.email"
    assert mailer.tries == 1


@pytest.mark.parametrize("address", [
    "x@", "@example.org", "no-at-sign", "marisol@example.org\r\nBcc: eve@example.net",
    "marisol@example.org\nBcc: eve@example.net", "marisol@example.org, eve@example.net",
])
def test_an_address_that_is_not_one_is_refused_before_composing_and_never_mailed(notifier, mailer, address):
    person = _person(email=address)
    failed, letter = _failed_and_dead_letter(
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE, person)))
    assert mailer.sent == []
    assert letter.field == "person.contact.email"
    assert letter.reason == "the email address is not a valid email address"
    assert "eve" not in letter.reason and "marisol" not in letter.reason


@pytest.mark.parametrize("name", [
    case_pb2.Name(given_names="\r\nBcc: eve@example.net"),
    case_pb2.Name(given_names="Bcc:\r\neve@example.net"),
    case_pb2.Name(recorded="QUILLFEATHER,\r\nBcc: eve@example.net"),
    case_pb2.Name(recorded="x\r\nBcc: eve@example.net,\r\nBcc: eve@example.net",
                  family_name="\r\nBcc: eve@example.net"),
])
def test_crlf_and_bcc_in_the_name_reach_no_header_and_not_the_greeting(notifier, mailer, name):
    person = _person()
    person.name.CopyFrom(name)
    sent = _only_notification(
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE, person)))
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_SENT
    (email,) = mailer.sent
    assert mailer.recipients == ["marisol@example.org"]
    assert email["Bcc"] is None
    assert sorted(email.keys()) == sorted(["From", "To", "Subject", "Message-ID", "Auto-Submitted",
                                           "Date", "Content-Type", "Content-Transfer-Encoding",
                                           "MIME-Version", "Content-Language"])
    assert "eve@" not in email.as_string()
    assert email.get_content().startswith("Hello,\n")


def test_a_determination_without_a_rule_pack_is_refused_and_nobody_is_told(notifier, mailer):
    made = _determination(Outcome.OUTCOME_NOT_ELIGIBLE)
    made.rule_pack.version = ""
    failed, letter = _failed_and_dead_letter(notifier.handle(topics.DETERMINATIONS, made))
    assert letter.field == "rule_pack" and "rule pack" in letter.reason
    assert mailer.sent == []

    petition = _petition(_determination(Outcome.OUTCOME_DISMISS))
    petition.determination.rule_pack.Clear()
    failed, letter = _failed_and_dead_letter(notifier.handle(topics.PETITIONS, petition))
    assert letter.field == "determination.rule_pack"
    assert mailer.sent == []


# --- files holding personal data are the service's own: 0600 in 0700 folders ------------


def _mode(path: Path) -> int:
    import stat

    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("consent, folder", [(case_pb2.Consent(sms=True), "sms"),
                                             (case_pb2.Consent(postal_mail=True), "letters")])
def test_outbox_letters_and_sms_are_0600_in_0700_folders(mailer, outbox, notifier, consent, folder):
    person = _person(consent=consent)
    person.contact.postal_address.lines.append("1 Capitol Mall")
    notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE, person))
    (path,) = _outbox_files(outbox)
    assert path.parent == outbox.root / folder
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(outbox.root) == 0o700


def test_eml_files_are_0600_in_a_0700_folder(sink, notifier, mailer):
    controller, folder = sink
    notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE))
    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        client.send_message(mailer.sent[0])
    (path,) = folder.glob("*.eml")
    assert _mode(path) == 0o600
    assert _mode(folder) == 0o700
    assert list(folder.iterdir()) == [path], "a temporary file was left behind"


def test_a_due_retry_is_due_whatever_the_clock_reads_when_asked(outbox):
    """hold_until is compared with a "now" read before it is called: a due retry must
    not come back as "now", which is always a little later."""
    clock = Clock()
    notifier = _retrying_notifier(FailingMailer(), outbox, clock)
    retry = _retry_of(notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    notifier.breaker.succeeded()
    clock.now = NOW + 1000
    assert notifier.hold_until(topics.NOTIFICATIONS_RETRY, retry) == pytest.approx(NOW + 30)
    notifier.breaker = CircuitBreaker(failures_to_open=1, cooldown_s=5, clock=clock)
    notifier.breaker.failed()
    clock.now += 5  # the cooldown is over: a trial may go now
    assert notifier.hold_until(topics.NOTIFICATIONS_RETRY, retry) == pytest.approx(NOW + 30)


def test_a_try_that_breaks_unexpectedly_does_not_leave_the_breaker_waiting_for_ever(outbox):
    clock = Clock()
    breaker = CircuitBreaker(failures_to_open=1, cooldown_s=5, clock=clock)
    breaker.failed()
    clock.now += 5
    notifier = _retrying_notifier(FailingMailer(RuntimeError("a bug")), outbox, clock, breaker=breaker)
    with pytest.raises(RuntimeError):
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE))
    clock.now += 5
    assert breaker.allow(), "the trial never ended"
