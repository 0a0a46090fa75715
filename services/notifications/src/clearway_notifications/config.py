"""Notifications settings, from environment variables with defaults for a local run.

SMTP credentials come only from the environment (CLEARWAY_SMTP_USER and
CLEARWAY_SMTP_PASSWORD); the local default is the demo's SMTP sink without auth.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from clearway.settings import (
    BusSettings,
    SettingError,
    env_float,
    env_int,
    env_path,
    env_str,
    local_state_dir,
)


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
class RetrySettings:
    """How a notice that could not be delivered for now is tried again (see README)."""

    # Each later try waits twice as long as the one before, from first_delay_s up to
    # max_delay_s, until give_up_s after the first failure: then FAILED.
    first_delay_s: float = 30.0
    max_delay_s: float = 300.0
    give_up_s: float = 24 * 3600.0
    # The one inline attempt's bound on connecting and on each SMTP reply.
    smtp_timeout_s: float = 5.0
    # After this many failures in a row to reach the server, emails go straight to
    # the retry topic, and one try every breaker_cooldown_s tests the server.
    breaker_failures: int = 3
    breaker_cooldown_s: float = 10.0

    @classmethod
    def from_env(cls) -> "RetrySettings":
        settings = cls(
            first_delay_s=env_float("CLEARWAY_NOTIFY_RETRY_FIRST_S", cls.first_delay_s),
            max_delay_s=env_float("CLEARWAY_NOTIFY_RETRY_MAX_S", cls.max_delay_s),
            give_up_s=env_float("CLEARWAY_NOTIFY_RETRY_GIVE_UP_S", cls.give_up_s),
            smtp_timeout_s=env_float("CLEARWAY_NOTIFY_SMTP_TIMEOUT_S", cls.smtp_timeout_s),
            breaker_failures=env_int("CLEARWAY_NOTIFY_BREAKER_FAILURES", cls.breaker_failures),
            breaker_cooldown_s=env_float("CLEARWAY_NOTIFY_BREAKER_COOLDOWN_S",
                                         cls.breaker_cooldown_s),
        )
        for name, value in (("CLEARWAY_NOTIFY_RETRY_FIRST_S", settings.first_delay_s),
                            ("CLEARWAY_NOTIFY_RETRY_MAX_S", settings.max_delay_s),
                            ("CLEARWAY_NOTIFY_RETRY_GIVE_UP_S", settings.give_up_s),
                            ("CLEARWAY_NOTIFY_SMTP_TIMEOUT_S", settings.smtp_timeout_s),
                            ("CLEARWAY_NOTIFY_BREAKER_FAILURES", settings.breaker_failures),
                            ("CLEARWAY_NOTIFY_BREAKER_COOLDOWN_S", settings.breaker_cooldown_s)):
            if value <= 0:
                raise SettingError(f"{name} must be greater than 0, got {value}")
        if settings.max_delay_s < settings.first_delay_s:
            raise SettingError("CLEARWAY_NOTIFY_RETRY_MAX_S must be at least "
                               "CLEARWAY_NOTIFY_RETRY_FIRST_S")
        return settings


@dataclass(frozen=True)
class NotificationSettings:
    bus: BusSettings
    smtp: SmtpSettings
    sender: str
    # Letters and SMS are written here for a print shop or SMS gateway to pick up.
    outbox_dir: Path
    health_port: int
    retry: RetrySettings
    # Message-IDs the SMTP server accepted whose NotificationSent is not committed yet,
    # so a restart after a crash does not send them again. Must outlive the process.
    sent_log: Path

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
            sender=mail_from(env_str("CLEARWAY_MAIL_FROM", "Clearway <noreply@clearway.invalid>")),
            outbox_dir=env_path("CLEARWAY_OUTBOX_DIR", local_state_dir() / "outbox"),
            health_port=env_int("CLEARWAY_NOTIFICATIONS_HEALTH_PORT", 8083),
            retry=RetrySettings.from_env(),
            sent_log=env_path("CLEARWAY_NOTIFY_SENT_LOG",
                              local_state_dir() / "notifications" / "sent-log"),
        )


def mail_from(value: str) -> str:
    """CLEARWAY_MAIL_FROM as a From header, refused unless it is one address on one line."""
    if "\r" in value or "\n" in value or "@" not in parseaddr(value)[1]:
        raise SettingError("CLEARWAY_MAIL_FROM must be one address, e.g. "
                           "'Clearway <noreply@example.org>'")
    return value
