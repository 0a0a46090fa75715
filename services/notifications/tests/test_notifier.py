"""The Notifier tells each person once, on the channel they consented to; the SMTP sink keeps every delivery."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from clearway import events, topics
from clearway.ca_doj import SUBJECT_ID_SCHEME
from clearway.v1 import case_pb2, determination_pb2, notification_pb2, petition_pb2
from clearway_notifications.adapters import DeliveryFailed, OutboxFolder
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

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class FailingMailer(RecordingMailer):
    def send(self, message: EmailMessage) -> None:
        raise DeliveryFailed("SMTP delivery failed after 3 attempts: ConnectionRefusedError")


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
def test_rows_without_a_subject_id_notify_nobody(notifier, mailer, outbox, outcome):
    """gogen's pseudo-subject (its rule version only): the contact is one row's, the
    convictions may be several people's."""
    person = _person()
    person.identifiers.add(scheme=SUBJECT_ID_SCHEME, value="")
    assert notifier.handle(topics.DETERMINATIONS, _determination(outcome, person)) == []
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


def test_a_delivery_failure_is_reported_as_failed(outbox):
    notifier = Notifier(FailingMailer(), outbox, SENDER)
    sent = _only_notification(
        notifier.handle(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)))
    assert sent.status == notification_pb2.NOTIFICATION_STATUS_FAILED
    assert sent.channel == notification_pb2.CHANNEL_EMAIL
    assert sent.message_id == message_id_for(DETERMINATION_ID)


# --- the SMTP sink --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sink(tmp_path):
    folder = tmp_path / "email"
    controller = Controller(EmlWriter(folder), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, folder
    finally:
        controller.stop()


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
