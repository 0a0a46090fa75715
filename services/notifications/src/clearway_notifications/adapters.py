"""Delivery channels: SMTP for email, an outbox folder for letters and SMS.

Letters and text messages are written as files for a print-and-mail vendor or an
SMS gateway to collect; only email is delivered directly in this version.
"""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

from clearway_notifications.config import SmtpSettings


class DeliveryFailed(Exception):
    pass


class SmtpMailer:
    def __init__(self, settings: SmtpSettings, attempts: int = 3, backoff_s: float = 1.0):
        self.settings = settings
        self.attempts = attempts
        self.backoff_s = backoff_s

    def send(self, message: EmailMessage) -> None:
        last: Exception | None = None
        for attempt in range(self.attempts):
            try:
                with smtplib.SMTP(self.settings.host, self.settings.port, timeout=10) as smtp:
                    if self.settings.starttls:
                        smtp.starttls()
                    if self.settings.user:
                        smtp.login(self.settings.user, self.settings.password)
                    smtp.send_message(message)
                return
            except (OSError, smtplib.SMTPException) as exc:
                last = exc
                time.sleep(self.backoff_s * (attempt + 1))
        raise DeliveryFailed(f"SMTP delivery failed after {self.attempts} attempts: {type(last).__name__}")


class OutboxFolder:
    """Writes one file per message, named by its stable message id (so a retry overwrites)."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, channel: str, message_id: str, text: str) -> Path:
        folder = self.root / channel
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (message_id.strip("<>").replace("@", "_") + ".txt")
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        return path
