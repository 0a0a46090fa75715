"""What the person is told about their determination, and on which channel.

The message says in plain words how many convictions the law may clear and
whether papers were prepared for the court. It deliberately carries no date of
birth, case numbers or record identifiers: email is not a safe place for them,
and the person does not need them to understand the news.

Texts live in TEMPLATES keyed by language, so adding a language is adding data.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from clearway.addresses import normalized_email
from clearway.determinations import eligible_count
from clearway.v1 import case_pb2, determination_pb2, notification_pb2, petition_pb2

__all__ = [
    "DEFAULT_LANGUAGE",
    "TEMPLATES",
    "choose_channel",
    "compose_email",
    "count_outcomes",
    "message_id_for",
    "recipient_of",
    "resolve_language",
]

Outcome = determination_pb2.Outcome
Channel = notification_pb2.Channel

DEFAULT_LANGUAGE = "en"
MESSAGE_ID_DOMAIN = "clearway.invalid"
# A greeting names the person only with a word that is plainly a name.
MAX_GREETING_NAME = 40
NAME_PUNCTUATION = frozenset("'’-.")

# Plural keys end in ".one" / ".other": enough for English and Spanish; a
# language with more plural forms would add keys and a rule in _plural_key.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "subject": "News about your criminal record",
        "greeting": "Hello {given_name},",
        "greeting.no_name": "Hello,",
        "eligible.one": (
            "We checked your California criminal record. The law may clear 1 of your "
            "convictions: it can be dismissed, reduced or sealed."
        ),
        "eligible.other": (
            "We checked your California criminal record. The law may clear {count} of your "
            "convictions: they can be dismissed, reduced or sealed."
        ),
        "petition": (
            "We have prepared a petition asking the court to do this. "
            "You do not need to do anything right now."
        ),
        "review.one": (
            "1 of your convictions needs a closer look by a person before we can tell you more."
        ),
        "review.other": (
            "{count} of your convictions need a closer look by a person before we can tell you more."
        ),
        "none": (
            "We checked your California criminal record. None of your convictions "
            "qualified to be cleared under this law."
        ),
        "none_covered": (
            "We checked your California criminal record. It has no conviction that this "
            "law covers, so this law cannot clear anything on it."
        ),
        "closing": "If you have questions, reply to this email.",
        "signature": "Clearway",
    },
    "es": {
        "subject": "Noticias sobre sus antecedentes penales",
        "greeting": "Hola, {given_name}:",
        "greeting.no_name": "Hola:",
        "eligible.one": (
            "Revisamos sus antecedentes penales en California. La ley podría borrar 1 de sus "
            "condenas: se puede desestimar, reducir o sellar."
        ),
        "eligible.other": (
            "Revisamos sus antecedentes penales en California. La ley podría borrar {count} de "
            "sus condenas: se pueden desestimar, reducir o sellar."
        ),
        "petition": (
            "Preparamos una petición para pedirle al tribunal que lo haga. "
            "Por ahora no tiene que hacer nada."
        ),
        "review.one": (
            "1 de sus condenas necesita que una persona la revise con más cuidado antes de "
            "poder decirle más."
        ),
        "review.other": (
            "{count} de sus condenas necesitan que una persona las revise con más cuidado antes "
            "de poder decirle más."
        ),
        "none": (
            "Revisamos sus antecedentes penales en California. Ninguna de sus condenas reúne "
            "los requisitos para ser borrada bajo esta ley."
        ),
        "none_covered": (
            "Revisamos sus antecedentes penales en California. No tienen ninguna condena a "
            "la que se aplique esta ley, así que esta ley no puede borrar nada en ellos."
        ),
        "closing": "Si tiene preguntas, responda a este correo.",
        "signature": "Clearway",
    },
}

_EVENT_ID = re.compile(r"^[A-Za-z0-9._~!#$%&'*+/=?^`{|}-]+$")


def resolve_language(tag: str) -> str:
    """The template language for a BCP 47 tag: exact match, then primary subtag, then English."""
    normalized = tag.strip().replace("_", "-").lower()
    if normalized in TEMPLATES:
        return normalized
    primary = normalized.split("-", 1)[0]
    return primary if primary in TEMPLATES else DEFAULT_LANGUAGE


def message_id_for(event_id: str) -> str:
    """A Message-ID that is the same every time for the same determination, so duplicates can be dropped."""
    if not _EVENT_ID.match(event_id):
        raise ValueError(f"a Message-ID needs a non-empty event id without spaces or <>@: {event_id!r}")
    return f"<{event_id}@{MESSAGE_ID_DOMAIN}>"


def count_outcomes(determination: determination_pb2.DeterminationMade) -> tuple[int, int]:
    """(convictions the law may clear, convictions that need a person to review them)."""
    cleared = eligible_count(determination)
    review = sum(1 for c in determination.convictions if c.outcome == Outcome.OUTCOME_NEEDS_REVIEW)
    return cleared, review


def compose_text(
    person: case_pb2.Person,
    determination: determination_pb2.DeterminationMade,
    petition: petition_pb2.PetitionGenerated | None,
) -> tuple[str, str, str]:
    """(language, subject, body) of the message, whatever the channel that carries it."""
    language = resolve_language(person.preferred_language)
    texts = TEMPLATES[language]
    cleared, review = count_outcomes(determination)

    given_name = _given_name(person)
    paragraphs = [
        texts["greeting"].format(given_name=given_name) if given_name else texts["greeting.no_name"]
    ]
    if cleared:
        news = texts[f"eligible.{_plural_key(cleared)}"].format(count=cleared)
        if petition is not None:
            news += " " + texts["petition"]
        paragraphs.append(news)
    if review:
        paragraphs.append(texts[f"review.{_plural_key(review)}"].format(count=review))
    if not determination.convictions:
        # Nothing was judged: "none qualified" would be false for convictions under other laws.
        paragraphs.append(texts["none_covered"])
    elif not cleared and not review:
        paragraphs.append(texts["none"])
    paragraphs += [texts["closing"], texts["signature"]]
    return language, texts["subject"], "\n\n".join(paragraphs) + "\n"


def compose_email(
    person: case_pb2.Person,
    determination: determination_pb2.DeterminationMade,
    petition: petition_pb2.PetitionGenerated | None,
    sender: str,
    message_id: str | None = None,
) -> EmailMessage:
    """The plain-text email telling the person what the determination means for them.

    ``message_id`` defaults to one derived from the determination's event id. The
    recipient must be an address (``clearway.addresses``; ValueError otherwise, not
    quoting it); every header is built from checked parts, so no CR or LF from a
    record can reach one.
    """
    recipient = recipient_of(person)
    language, subject, body = compose_text(person, determination, petition)

    message = EmailMessage()
    message["From"] = sender
    local_part, _, domain = recipient.rpartition("@")
    message["To"] = Address(username=local_part, domain=domain)
    message["Subject"] = subject
    message["Message-ID"] = message_id or message_id_for(determination.envelope.event_id)
    # RFC 3834: tells auto-responders not to answer and start a loop.
    message["Auto-Submitted"] = "auto-generated"
    sent_at = _event_time(determination)
    if sent_at is not None:
        message["Date"] = format_datetime(sent_at)
    message.set_content(body)
    # After set_content, which drops every Content-* header set before it.
    message["Content-Language"] = language
    return message


def recipient_of(person: case_pb2.Person) -> str:
    """The person's email address, normalised; ValueError (not quoting it) if it is not one."""
    return normalized_email(person.contact.email.strip())


def choose_channel(person: case_pb2.Person) -> Channel.ValueType | None:
    """The first channel the person consented to and we can reach them on; None means do not contact."""
    consent, contact = person.consent, person.contact
    if consent.email and contact.email.strip():
        return Channel.CHANNEL_EMAIL
    if consent.sms and contact.phone.strip():
        return Channel.CHANNEL_SMS
    if consent.postal_mail and any(line.strip() for line in contact.postal_address.lines):
        return Channel.CHANNEL_POSTAL_MAIL
    return None


def _plural_key(count: int) -> str:
    return "one" if count == 1 else "other"


def _given_name(person: case_pb2.Person) -> str:
    """The first given name, in title case when the record shouts it ("DOE,JANE Q" -> "Jane").

    Empty (the greeting without a name) unless it is a name: letters, with ' - . between.
    """
    given = person.name.given_names.strip()
    if not given and "," in person.name.recorded:
        given = person.name.recorded.split(",", 1)[1].strip()
    first = given.split()[0] if given else ""
    if not _is_name(first):
        return ""
    return first.title() if first.isupper() else first


def _is_name(word: str) -> bool:
    if not word or len(word) > MAX_GREETING_NAME or not unicodedata.category(word[0]).startswith("L"):
        return False
    return all(unicodedata.category(ch)[0] in "LM" or ch in NAME_PUNCTUATION for ch in word)


def _event_time(determination: determination_pb2.DeterminationMade) -> datetime.datetime | None:
    """The Date header comes from the event, not the clock, so a replay composes the same message."""
    for stamp, is_set in (
        (determination.envelope.occurred_at, determination.envelope.HasField("occurred_at")),
        (determination.computed_at, determination.HasField("computed_at")),
    ):
        if is_set:
            return stamp.ToDatetime(tzinfo=datetime.timezone.utc)
    return None
