"""SmtpMailer against a real SMTP server (aiosmtpd): one connection, bounded waits, failures sorted."""

from __future__ import annotations

import socket
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from clearway.devstack import free_port

from clearway_notifications.adapters import (
    PermanentDeliveryFailure,
    ServerUnavailable,
    SmtpMailer,
    TransientDeliveryFailure,
)
from clearway_notifications.config import SmtpSettings


class Handler:
    """Keeps what it accepts and the client ports it saw; answers RCPT with ``rcpt_reply``."""

    def __init__(self) -> None:
        self.envelopes = []
        self.peers = set()
        self.rcpt_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.peers.add(session.peer)
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def server(start_smtp):
    handler = Handler()
    return start_smtp(handler), handler


def _message(n: int = 0) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Clearway <notices@clearway.example>"
    message["To"] = "marisol@example.org"
    message["Subject"] = "News"
    message["Message-ID"] = f"<m{n}@clearway.invalid>"
    message.set_content("Hello")
    return message


def _mailer(port: int, timeout_s: float = 5.0) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, user=""), timeout_s=timeout_s)


def test_one_connection_carries_many_messages(server):
    controller, handler = server
    mailer = _mailer(controller.port)
    try:
        for n in range(5):
            mailer.send(_message(n), "marisol@example.org")
    finally:
        mailer.close()
    assert len(handler.envelopes) == 5
    assert len(handler.peers) == 1


def test_the_envelope_goes_only_to_the_named_recipient_whatever_the_headers_say(server):
    controller, handler = server
    message = _message()
    message["Cc"] = "eve@example.net"
    message["Bcc"] = "mallory@example.net"
    mailer = _mailer(controller.port)
    try:
        mailer.send(message, "marisol@example.org")
    finally:
        mailer.close()
    (envelope,) = handler.envelopes
    assert envelope.rcpt_tos == ["marisol@example.org"]
    assert b"mallory" not in envelope.original_content


def test_no_server_is_unavailable_at_once_after_one_try():
    mailer = _mailer(free_port())
    began = time.monotonic()
    with pytest.raises(ServerUnavailable) as failed:
        mailer.send(_message(), "marisol@example.org")
    assert time.monotonic() - began < 2, "it waited or tried again instead of failing over to the retry topic"
    assert "ConnectionRefusedError" in failed.value.reason


def test_a_server_that_never_answers_is_given_up_on_after_the_timeout():
    with socket.socket() as silent:  # accepts connections (backlog) but never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        mailer = _mailer(silent.getsockname()[1], timeout_s=0.5)
        began = time.monotonic()
        with pytest.raises(ServerUnavailable):
            mailer.send(_message(), "marisol@example.org")
        assert time.monotonic() - began < 3


@pytest.mark.parametrize("reply, kind", [
    ("550 5.1.1 No such user", PermanentDeliveryFailure),
    ("553 5.1.3 Bad address", PermanentDeliveryFailure),
    ("451 4.3.0 Try again later", TransientDeliveryFailure),
    ("452 4.2.2 Mailbox full", TransientDeliveryFailure),
])
def test_a_refused_recipient_is_permanent_on_5xx_and_transient_on_4xx(server, reply, kind):
    controller, handler = server
    handler.rcpt_reply = reply
    mailer = _mailer(controller.port)
    try:
        with pytest.raises(kind) as failed:
            mailer.send(_message(), "marisol@example.org")
    finally:
        mailer.close()
    assert not isinstance(failed.value, ServerUnavailable), "one address refused is not the server down"
    assert reply[:3] in failed.value.reason and "marisol" not in failed.value.reason
    assert failed.value.field == "person.contact.email"


def test_a_server_that_went_away_and_came_back_is_used_again():
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    mailer = _mailer(port)
    try:
        mailer.send(_message(1), "marisol@example.org")
        controller.stop()
        with pytest.raises(ServerUnavailable):
            mailer.send(_message(2), "marisol@example.org")
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        mailer.send(_message(3), "marisol@example.org")
    finally:
        mailer.close()
        controller.stop()
    assert [e.original_content.count(b"<m3@") for e in handler.envelopes] == [0, 1]


def test_an_idle_connection_the_server_dropped_is_replaced_before_sending(server, monkeypatch):
    controller, handler = server
    mailer = _mailer(controller.port)
    monkeypatch.setattr(SmtpMailer, "IDLE_CHECK_S", 0.0)
    try:
        mailer.send(_message(1), "marisol@example.org")
        mailer._smtp.sock.close()  # as a server's idle timeout would leave it
        mailer.send(_message(2), "marisol@example.org")
    finally:
        mailer.close()
    assert len(handler.envelopes) == 2
