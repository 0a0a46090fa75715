"""Notifications settings, from environment variables with defaults for a local run.

SMTP credentials come only from the environment (CLEARWAY_SMTP_USER and
CLEARWAY_SMTP_PASSWORD); the local default is the demo's SMTP sink without auth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clearway.settings import BusSettings, env_int, env_path, env_str, local_state_dir


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str = ""
    starttls: bool = False

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, user={'set' if self.user else ''})"


@dataclass(frozen=True)
class NotificationSettings:
    bus: BusSettings
    smtp: SmtpSettings
    sender: str
    # Letters and SMS are written here for a print shop or SMS gateway to pick up.
    outbox_dir: Path
    health_port: int

    @classmethod
    def from_env(cls) -> "NotificationSettings":
        return cls(
            bus=BusSettings.from_env(),
            smtp=SmtpSettings(
                host=env_str("CLEARWAY_SMTP_HOST", "127.0.0.1"),
                port=env_int("CLEARWAY_SMTP_PORT", 8025),
                user=env_str("CLEARWAY_SMTP_USER", ""),
                password=env_str("CLEARWAY_SMTP_PASSWORD", ""),
                starttls=env_str("CLEARWAY_SMTP_STARTTLS", "false").lower() == "true",
            ),
            sender=env_str("CLEARWAY_MAIL_FROM", "Clearway <noreply@clearway.invalid>"),
            outbox_dir=env_path("CLEARWAY_OUTBOX_DIR", local_state_dir() / "outbox"),
            health_port=env_int("CLEARWAY_NOTIFICATIONS_HEALTH_PORT", 8083),
        )
