"""Tell each person what happened, once: determinations and petitions in, NotificationSent out.

A person with an eligible conviction is told when their petition exists (one
message naming it); a person with none is told on the determination. Each message
is keyed to the event it reports on, whose id the ledger remembers, and carries a
Message-ID derived from it, so a redelivery sends nothing twice.
"""

from __future__ import annotations

from clearway import events, topics
from clearway.determinations import eligible_count, names_one_person
from clearway.bus import Outgoing
from clearway.v1 import case_pb2, determination_pb2, notification_pb2, petition_pb2

from clearway_notifications.adapters import DeliveryFailed, OutboxFolder, SmtpMailer
from clearway_notifications.domain.messages import (
    choose_channel,
    compose_email,
    compose_text,
    message_id_for,
    resolve_language,
)

CHANNEL_FOLDERS = {notification_pb2.CHANNEL_SMS: "sms", notification_pb2.CHANNEL_POSTAL_MAIL: "letters"}


class Notifier:
    def __init__(self, mailer: SmtpMailer, outbox: OutboxFolder, sender: str):
        self.mailer = mailer
        self.outbox = outbox
        self.sender = sender

    def handle(self, topic: str, message) -> list[Outgoing]:
        if topic == topics.PETITIONS:
            petition: petition_pb2.PetitionGenerated = message
            return [self.notify(petition.envelope, petition.determination, petition)]
        made: determination_pb2.DeterminationMade = message
        if not names_one_person(made):
            return []  # nobody to tell: the rows may be several people's
        if eligible_count(made):
            return []  # the petition's event will carry the news, with the filing
        return [self.notify(made.envelope, made, None)]

    def notify(self, subject, made: determination_pb2.DeterminationMade,
               petition: petition_pb2.PetitionGenerated | None) -> Outgoing:
        person: case_pb2.Person = made.person
        sent = notification_pb2.NotificationSent(
            envelope=events.follow_on_envelope(subject, "notification"),
            person_id=made.person_id,
            subject_event_id=subject.event_id,
            language=resolve_language(person.preferred_language),
            message_id=message_id_for(subject.event_id),
        )
        channel = choose_channel(person)
        if channel is None:
            sent.channel = notification_pb2.CHANNEL_UNSPECIFIED
            sent.status = notification_pb2.NOTIFICATION_STATUS_SKIPPED_NO_CONSENT
            return Outgoing(topics.NOTIFICATIONS, made.person_id, sent)
        sent.channel = channel
        try:
            if channel == notification_pb2.CHANNEL_EMAIL:
                self.mailer.send(compose_email(person, made, petition, self.sender,
                                               message_id=sent.message_id))
            else:
                _language, _subject, body = compose_text(person, made, petition)
                self.outbox.put(CHANNEL_FOLDERS[channel], sent.message_id, body)
            sent.status = notification_pb2.NOTIFICATION_STATUS_SENT
        except DeliveryFailed:
            sent.status = notification_pb2.NOTIFICATION_STATUS_FAILED
        return Outgoing(topics.NOTIFICATIONS, made.person_id, sent)
