"""The notification email: plain words in the person's language, no record details, stable Message-ID."""

from __future__ import annotations

import email
import email.policy
import smtplib

import pytest
from aiosmtpd.controller import Controller

from clearway.v1 import case_pb2, determination_pb2, envelope_pb2, notification_pb2, petition_pb2
from clearway_notifications.domain.messages import (
    TEMPLATES,
    choose_channel,
    compose_email,
    message_id_for,
    resolve_language,
)

Outcome = determination_pb2.Outcome
Channel = notification_pb2.Channel
SENDER = "Clearway <notices@clearway.example>"
EVENT_ID = "8d1f6a52-3c1e-4b7a-9f0e-2a6b5c4d3e21"


@pytest.fixture
def person() -> case_pb2.Person:
    return case_pb2.Person(
        person_id="p-31c9e7",
        name=case_pb2.Name(recorded="QUILLFEATHER,MARISOL T", family_name="QUILLFEATHER", given_names="MARISOL T"),
        date_of_birth=envelope_pb2.SourceDate(year=1971, month=4, day=9, raw="19710409", valid=True),
        contact=case_pb2.Contact(
            email="marisol@example.org",
            phone="+19165550123",
            postal_address=case_pb2.PostalAddress(
                lines=["1 Capitol Mall"], locality="Sacramento", region="CA", postal_code="95814", country="US"
            ),
        ),
        preferred_language="en",
        consent=case_pb2.Consent(email=True, sms=True, postal_mail=True),
        identifiers=[case_pb2.Identifier(scheme="ca-cii", value="A12345678")],
    )


def _conviction(section: str, outcome: int, case_number: str) -> determination_pb2.ConvictionDetermination:
    return determination_pb2.ConvictionDetermination(
        code_section=section, outcome=outcome, case_numbers=[case_number], reason="r"
    )


@pytest.fixture
def determination() -> determination_pb2.DeterminationMade:
    made = determination_pb2.DeterminationMade(
        envelope=envelope_pb2.Envelope(event_id=EVENT_ID),
        person_id="p-31c9e7",
        rule_pack=determination_pb2.RulePack(id="ca-prop64", version="2026.11-gogen-0.2.13"),
        convictions=[
            _conviction("11358 HS", Outcome.OUTCOME_DISMISS, "98F04417"),
            _conviction("11359 HS", Outcome.OUTCOME_REDUCE, "04F01234"),
            _conviction("11352 HS", Outcome.OUTCOME_NOT_ELIGIBLE, "09F77777"),
        ],
    )
    made.envelope.occurred_at.FromSeconds(1_790_000_000)
    return made


@pytest.fixture
def petition() -> petition_pb2.PetitionGenerated:
    return petition_pb2.PetitionGenerated(
        person_id="p-31c9e7",
        determination_event_id=EVENT_ID,
        court="Superior Court of California, County of Sacramento",
    )


def _body(message) -> str:
    return message.get_content()


def test_english_message_counts_what_the_law_may_clear(person, determination, petition):
    message = compose_email(person, determination, petition, SENDER)

    body = _body(message)
    assert message["To"] == "marisol@example.org"
    assert message["From"] == SENDER
    assert message["Content-Language"] == "en"
    assert message["Subject"] == TEMPLATES["en"]["subject"]
    assert body.startswith("Hello Marisol,")
    assert "The law may clear 2 of your convictions" in body
    assert "We have prepared a petition" in body


def test_spanish_message(person, determination, petition):
    person.preferred_language = "es-MX"

    message = compose_email(person, determination, petition, SENDER)

    body = _body(message)
    assert message["Content-Language"] == "es"
    assert message["Subject"] == "Noticias sobre sus antecedentes penales"
    assert body.startswith("Hola, Marisol:")
    assert "La ley podría borrar 2 de sus condenas" in body
    assert "Preparamos una petición" in body


def test_without_a_petition_the_court_papers_are_not_mentioned(person, determination):
    body = _body(compose_email(person, determination, None, SENDER))

    assert "The law may clear 2 of your convictions" in body
    assert "petition" not in body


def test_one_conviction_reads_in_the_singular(person, determination):
    del determination.convictions[1]

    body = _body(compose_email(person, determination, None, SENDER))

    assert "The law may clear 1 of your convictions: it can be" in body


def test_says_when_no_conviction_qualified(person, determination):
    for conviction in determination.convictions:
        conviction.outcome = Outcome.OUTCOME_NOT_ELIGIBLE

    english = _body(compose_email(person, determination, None, SENDER))
    person.preferred_language = "es"
    spanish = _body(compose_email(person, determination, None, SENDER))

    assert "None of your convictions qualified" in english
    assert "may clear" not in english
    assert "Ninguna de sus condenas" in spanish


def test_convictions_needing_review_are_not_called_ineligible(person, determination):
    for conviction in determination.convictions:
        conviction.outcome = Outcome.OUTCOME_NEEDS_REVIEW

    body = _body(compose_email(person, determination, None, SENDER))

    assert "3 of your convictions need a closer look" in body
    assert "None of your convictions" not in body


@pytest.mark.parametrize("tag", ["fr", "zh-Hant-TW", "", "x-klingon"])
def test_unknown_languages_fall_back_to_english(person, determination, tag):
    person.preferred_language = tag

    message = compose_email(person, determination, None, SENDER)

    assert message["Content-Language"] == "en"
    assert _body(message).startswith("Hello Marisol,")


def test_resolve_language():
    assert resolve_language("ES") == "es"
    assert resolve_language("es_US") == "es"
    assert resolve_language("en-GB") == "en"
    assert resolve_language("pt-BR") == "en"


def test_message_id_is_derived_from_the_determination_event(person, determination, petition):
    first = compose_email(person, determination, petition, SENDER)
    again = compose_email(person, determination, petition, SENDER)

    assert first["Message-ID"] == f"<{EVENT_ID}@clearway.invalid>" == message_id_for(EVENT_ID)
    assert first.as_bytes() == again.as_bytes()

    determination.envelope.event_id = "another-event"
    assert compose_email(person, determination, petition, SENDER)["Message-ID"] != first["Message-ID"]


@pytest.mark.parametrize("event_id", ["", "has space", "a<b", "a@b"])
def test_message_id_needs_a_usable_event_id(event_id):
    with pytest.raises(ValueError):
        message_id_for(event_id)


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_date_of_birth_case_numbers_or_identifiers_in_the_message(person, determination, petition, language):
    person.preferred_language = language

    raw = compose_email(person, determination, petition, SENDER)
    text = raw.as_string() + _body(raw)

    for secret in ("1971", "19710409", "04/09", "98F04417", "04F01234", "09F77777",
                   "A12345678", "p-31c9e7", "QUILLFEATHER", "11358", "+19165550123", "95814"):
        assert secret not in text


def test_no_email_address_no_email(person, determination):
    person.contact.email = ""

    with pytest.raises(ValueError):
        compose_email(person, determination, None, SENDER)


def test_channel_follows_consent_in_order_email_sms_post(person):
    assert choose_channel(person) == Channel.CHANNEL_EMAIL

    person.consent.email = False
    assert choose_channel(person) == Channel.CHANNEL_SMS

    person.consent.sms = False
    assert choose_channel(person) == Channel.CHANNEL_POSTAL_MAIL

    person.consent.postal_mail = False
    assert choose_channel(person) is None


def test_consent_without_a_way_to_reach_the_person_is_skipped(person):
    person.contact.email = ""
    assert choose_channel(person) == Channel.CHANNEL_SMS

    person.contact.phone = ""
    assert choose_channel(person) == Channel.CHANNEL_POSTAL_MAIL

    del person.contact.postal_address.lines[:]
    assert choose_channel(person) is None


def test_no_consent_means_no_message(person):
    person.consent.Clear()

    assert choose_channel(person) is None


class RecordingHandler:
    """An SMTP handler that keeps every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(start_smtp) -> tuple[Controller, RecordingHandler]:
    handler = RecordingHandler()
    return start_smtp(handler), handler


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_real_smtp_server_receives_the_message(person, determination, petition, smtp_server, language):
    controller, handler = smtp_server
    person.preferred_language = language
    message = compose_email(person, determination, petition, "notices@clearway.example")

    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        refused = client.send_message(message)

    assert refused == {}
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.rcpt_tos == ["marisol@example.org"]
    assert envelope.mail_from == "notices@clearway.example"
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert received["Message-ID"] == f"<{EVENT_ID}@clearway.invalid>"
    assert received["Content-Language"] == language
    # SMTP carries CRLF line ends; the text is otherwise what was composed.
    assert received.get_content().replace("\r\n", "\n") == message.get_content()


@pytest.mark.parametrize("language", sorted(TEMPLATES))
def test_a_record_with_no_conviction_this_law_covers_is_not_told_none_qualified(person, determination, language):
    """Nothing judged is not "none qualified": the person may have convictions under other laws."""
    del determination.convictions[:]
    person.preferred_language = language

    body = _body(compose_email(person, determination, None, SENDER))

    assert TEMPLATES[language]["none"] not in body
    assert "may clear" not in body and "podría borrar" not in body
    covered = {"en": "no conviction that this law covers", "es": "ninguna condena a la que se aplique esta ley"}
    assert covered[language] in body


def test_every_language_has_every_text():
    assert all(set(texts) == set(TEMPLATES["en"]) for texts in TEMPLATES.values())


@pytest.mark.parametrize("given", ["Bcc:", "eve@example.net", "<b>", "Ma\u0000ri", "a" * 41, "1234"])
def test_a_given_name_that_is_not_a_name_gives_the_greeting_without_one(person, determination, given):
    person.name.given_names = given
    assert _body(compose_email(person, determination, None, SENDER)).startswith("Hello,\n")


@pytest.mark.parametrize("given, greeted", [("JOSÉ", "José"), ("Mary-Jane", "Mary-Jane"), ("O'NEIL", "O'Neil"),
                                            ("Zoë", "Zoë"), ("J.", "J.")])
def test_names_with_accents_hyphens_and_apostrophes_are_greeted(person, determination, given, greeted):
    person.name.given_names = given
    assert _body(compose_email(person, determination, None, SENDER)).startswith(f"Hello {greeted},")


@pytest.mark.parametrize("address", ["x@", "a@b.com\r\nBcc: eve@example.net", ""])
def test_compose_refuses_an_address_that_is_not_one_without_quoting_it(person, determination, address):
    person.contact.email = address
    with pytest.raises(ValueError) as refused:
        compose_email(person, determination, None, SENDER)
    assert "eve" not in str(refused.value) and "x@" not in str(refused.value)


def test_the_recipient_header_is_the_normalised_address_alone(person, determination):
    person.contact.email = "  Marisol@EXAMPLE.org "
    message = compose_email(person, determination, None, SENDER)
    assert message["To"] == "Marisol@example.org"
    assert message["To"].addresses[0].display_name == ""
