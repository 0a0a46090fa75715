"""Notifications settings: retry and breaker defaults, overrides, and refusals naming the variable."""

from __future__ import annotations

import pytest

from clearway.settings import SettingError
from clearway_notifications.config import NotificationSettings, RetrySettings


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("CLEARWAY_HOME", str(tmp_path))
    settings = NotificationSettings.from_env()
    assert settings.retry == RetrySettings(first_delay_s=30, max_delay_s=300, give_up_s=86400,
                                           smtp_timeout_s=5, breaker_failures=3, breaker_cooldown_s=10)
    assert settings.sent_log == tmp_path / "notifications" / "sent-log"


def test_every_retry_setting_can_be_set(monkeypatch, tmp_path):
    for name, value in (("FIRST_S", "1"), ("MAX_S", "4"), ("GIVE_UP_S", "60")):
        monkeypatch.setenv(f"CLEARWAY_NOTIFY_RETRY_{name}", value)
    monkeypatch.setenv("CLEARWAY_NOTIFY_SMTP_TIMEOUT_S", "0.5")
    monkeypatch.setenv("CLEARWAY_NOTIFY_BREAKER_FAILURES", "2")
    monkeypatch.setenv("CLEARWAY_NOTIFY_BREAKER_COOLDOWN_S", "3")
    monkeypatch.setenv("CLEARWAY_NOTIFY_SENT_LOG", str(tmp_path / "x"))
    settings = NotificationSettings.from_env()
    assert settings.retry == RetrySettings(1, 4, 60, 0.5, 2, 3)
    assert settings.sent_log == tmp_path / "x"


@pytest.mark.parametrize("name, value", [
    ("CLEARWAY_NOTIFY_RETRY_FIRST_S", "0"), ("CLEARWAY_NOTIFY_RETRY_GIVE_UP_S", "-1"),
    ("CLEARWAY_NOTIFY_SMTP_TIMEOUT_S", "soon"), ("CLEARWAY_NOTIFY_BREAKER_FAILURES", "1.5"),
])
def test_an_unusable_value_is_refused_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=name):
        NotificationSettings.from_env()


def test_a_cap_below_the_first_delay_is_refused(monkeypatch):
    monkeypatch.setenv("CLEARWAY_NOTIFY_RETRY_FIRST_S", "60")
    monkeypatch.setenv("CLEARWAY_NOTIFY_RETRY_MAX_S", "30")
    with pytest.raises(SettingError, match="CLEARWAY_NOTIFY_RETRY_MAX_S"):
        NotificationSettings.from_env()


@pytest.mark.parametrize("sender", ["Clearway <a@b.org>\r\nBcc: eve@example.net", "nobody"])
def test_a_sender_that_is_not_one_address_on_one_line_is_refused(monkeypatch, sender):
    monkeypatch.setenv("CLEARWAY_MAIL_FROM", sender)
    with pytest.raises(SettingError, match="CLEARWAY_MAIL_FROM"):
        NotificationSettings.from_env()


def test_the_readme_starts_the_smtp_sink_by_hand_and_lists_every_notifications_setting():
    import re
    from pathlib import Path

    import clearway_notifications.config as config

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    by_hand = readme[readme.index("## Using the pieces"):readme.index("### California Prop 64")]
    assert re.search(r"python -m clearway_notifications\.smtp_sink --port 8025 ", by_hand)
    assert by_hand.index("smtp_sink") < by_hand.index("python -m clearway_notifications ")
    table = readme[readme.index("## Configuration"):readme.index("## How it holds together")]
    names = set(re.findall(r'"(CLEARWAY_[A-Z_]+)"', Path(config.__file__).read_text()))
    shorthand = {"CLEARWAY_SMTP_PORT", "CLEARWAY_SMTP_USER", "CLEARWAY_SMTP_PASSWORD", "CLEARWAY_SMTP_STARTTLS",
                 "CLEARWAY_NOTIFICATIONS_HEALTH_PORT"}  # written `CLEARWAY_SMTP_HOST` / `_PORT` ..., `CLEARWAY_*_HEALTH_PORT`
    assert {n for n in names - shorthand if f"`{n}`" not in table} == set()
