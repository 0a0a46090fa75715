"""Delivery channels: SMTP for email, an outbox folder for letters and SMS; and the sent-log.

Letters and text messages are written as files for a print-and-mail vendor or an
SMS gateway to collect; only email is delivered directly in this version. Every
file here holds personal data and is written 0600 in 0700 folders.

A failed delivery is a ``PermanentDeliveryFailure`` (the address or the message was
refused: trying again cannot help) or a ``TransientDeliveryFailure`` (try later);
``ServerUnavailable`` is the transient kind that says the server itself could not
be used, which is what the circuit breaker counts. Reasons never quote an address.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Iterable

from clearway.private_files import open_private_append, private_dir, write_private

from clearway_notifications.config import SmtpSettings


EMAIL_FIELD = "person.contact.email"


class DeliveryFailed(Exception):
    """A message not delivered; ``reason`` says why without personal data."""

    transient = False

    def __init__(self, reason: str, field: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.field = field


class PermanentDeliveryFailure(DeliveryFailed):
    """Trying again cannot help: the recipient or the message was refused."""


class TransientDeliveryFailure(DeliveryFailed):
    """Not delivered for now; the same message may well go through later."""

    transient = True


class ServerUnavailable(TransientDeliveryFailure):
    """The server could not be reached, or would not take mail from us at all."""


class SmtpMailer:
    """Sends over one SMTP connection, kept open across messages and reopened after a failure.

    Every delivery names its one recipient explicitly (the envelope's RCPT TO), so no
    header can add a recipient. ``timeout_s`` bounds the connect and every reply.
    """

    # A connection idle this long is checked with NOOP before use: servers close idle ones.
    IDLE_CHECK_S = 2.0

    def __init__(self, settings: SmtpSettings, timeout_s: float = 5.0):
        self.settings = settings
        self.timeout_s = timeout_s
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def send(self, message: EmailMessage, recipient: str) -> None:
        with self._lock:
            smtp = self._connection()
            try:
                smtp.send_message(message, to_addrs=[recipient])
            except (OSError, smtplib.SMTPException) as exc:
                self._close()
                raise classify_send_failure(exc) from None
            self._last_used = time.monotonic()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None and time.monotonic() - self._last_used > self.IDLE_CHECK_S:
            try:
                alive = self._smtp.noop()[0] == 250
            except (OSError, smtplib.SMTPException):
                alive = False
            if not alive:
                self._close()
        if self._smtp is None:
            smtp = None
            try:
                smtp = smtplib.SMTP(self.settings.host, self.settings.port, timeout=self.timeout_s)
                if self.settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.settings.user:
                    smtp.login(self.settings.user, self.settings.password)
            except (OSError, smtplib.SMTPException) as exc:
                if smtp is not None:
                    _quietly_close(smtp)
                raise ServerUnavailable(f"could not use the SMTP server ({type(exc).__name__})") from None
            self._smtp = smtp
        return self._smtp

    def _close(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None


def classify_send_failure(exc: Exception) -> DeliveryFailed:
    """What a failure of one message's MAIL/RCPT/DATA means for that message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in exc.recipients.values()})
        kind = (TransientDeliveryFailure if all(400 <= code < 500 for code in codes)
                else PermanentDeliveryFailure)
        return kind(f"the SMTP server refused the recipient ({'/'.join(map(str, codes))})",
                    field=EMAIL_FIELD)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentDeliveryFailure(
            "the SMTP server does not take internationalised addresses (SMTPUTF8)",
            field=EMAIL_FIELD)
    if isinstance(exc, smtplib.SMTPDataError):
        if 500 <= exc.smtp_code < 600:
            return PermanentDeliveryFailure(f"the SMTP server refused the message ({exc.smtp_code})")
        return TransientDeliveryFailure(f"the SMTP server deferred the message ({exc.smtp_code})")
    if isinstance(exc, smtplib.SMTPResponseException):
        # The sender refused, or an answer to no recipient in particular: ours, not the person's.
        return ServerUnavailable(f"the SMTP server answered {exc.smtp_code}")
    return ServerUnavailable(f"could not use the SMTP server ({type(exc).__name__})")


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class OutboxFolder:
    """Writes one file per message, named by its stable message id (so a retry overwrites)."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, channel: str, message_id: str, text: str) -> Path:
        path = self.root / channel / (message_id.strip("<>").replace("@", "_") + ".txt")
        try:
            private_dir(self.root)
            return write_private(path, text.encode("utf-8"))
        except OSError as exc:
            raise TransientDeliveryFailure(f"could not write to the outbox ({type(exc).__name__})") from None


class SentLog:
    """Emails the SMTP server accepted whose NotificationSent may not be committed yet.

    Why: between the server taking a message and the Kafka transaction that records
    it, a crash would have the restarted service send it again. An entry is written
    right after the server accepts (and flushed to disk before the transaction
    commits), consulted before every send, and settled once the transaction holding
    the NotificationSent has committed, so the file stays small. An entry outliving its settlement (a crash in between) is
    still true (that email was sent); entries the notifications topic records as sent
    are dropped at start.

    One JSON line per entry: [input event id, subject event id].
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._subject_of: dict[str, str] = {}  # input event id -> subject event id
        self._subjects: set[str] = set()
        self._lines = 0
        self._unsynced = False
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    input_id, subject_id = json.loads(line)
                except (ValueError, TypeError):
                    continue  # a line cut short by a crash mid-write: its send was not recorded
                self._subject_of[str(input_id)] = str(subject_id)
                self._subjects.add(str(subject_id))
        self._fd = -1
        self._rewrite()

    def __contains__(self, subject_event_id: str) -> bool:
        with self._lock:
            return subject_event_id in self._subjects

    def __len__(self) -> int:
        with self._lock:
            return len(self._subjects)

    def record(self, input_event_id: str, subject_event_id: str) -> None:
        """Right after the server accepted: from here a kill -9 cannot lose the entry
        (it is in the kernel's hands); ``sync`` puts it on disk against a machine crash."""
        line = json.dumps([input_event_id, subject_event_id]).encode() + b"\n"
        with self._lock:
            os.write(self._fd, line)
            self._unsynced = True
            self._lines += 1
            self._subject_of[input_event_id] = subject_event_id
            self._subjects.add(subject_event_id)

    def sync(self) -> None:
        """Flush what was recorded to disk: before the transaction that reports it commits
        (once per batch, so one fsync, not one an email)."""
        with self._lock:
            if self._unsynced:
                os.fsync(self._fd)
                self._unsynced = False

    def settle(self, input_event_id: str) -> None:
        """The transaction of the input that sent an email has committed: forget the entry."""
        with self._lock:
            subject = self._subject_of.pop(input_event_id, None)
            if subject is None:
                return
            self._subjects.discard(subject)
            if not self._subject_of:
                os.ftruncate(self._fd, 0)
                self._lines = 0
            elif self._lines > 2 * len(self._subject_of) + 256:
                self._rewrite_locked()

    def forget_delivered(self, subject_event_ids: Iterable[str]) -> None:
        """Drop entries whose NotificationSent SENT is known to be committed."""
        delivered = set(subject_event_ids)
        with self._lock:
            for input_id, subject in list(self._subject_of.items()):
                if subject in delivered:
                    del self._subject_of[input_id]
                    self._subjects.discard(subject)
            self._rewrite_locked()

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def _rewrite(self) -> None:
        with self._lock:
            self._rewrite_locked()

    def _rewrite_locked(self) -> None:
        body = b"".join(json.dumps([i, s]).encode() + b"\n" for i, s in self._subject_of.items())
        if self._fd >= 0:
            os.close(self._fd)
        write_private(self.path, body)
        self._fd = open_private_append(self.path)
        self._lines = len(self._subject_of)
        self._unsynced = False
