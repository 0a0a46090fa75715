"""Topic names, partitions and retention; environment settings that name the bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearway import settings, topics


# --- topics ----------------------------------------------------------------------


def test_court_feed_names_the_jurisdiction_with_dots():
    assert topics.court_feed("ca/los-angeles") == "clearway.determinations.v1.ca.los-angeles"


def test_court_feed_ignores_leading_and_trailing_slashes():
    assert topics.court_feed("/ca/yolo/") == "clearway.determinations.v1.ca.yolo"


def test_all_topics_have_unique_names():
    names = [spec.name for spec in topics.all_topics()]
    assert len(names) == len(set(names))


def test_all_topics_include_the_main_flow_and_every_dead_letter_topic():
    names = {spec.name for spec in topics.all_topics()}
    assert {topics.CASES, topics.DETERMINATIONS, topics.PETITIONS, topics.NOTIFICATIONS} <= names
    assert {
        "clearway.intake.rejected.v1",
        "clearway.eligibility.rejected.v1",
        "clearway.petitions.rejected.v1",
        "clearway.notifications.rejected.v1",
    } <= names


def test_all_topics_include_a_court_feed_per_default_jurisdiction():
    names = {spec.name for spec in topics.all_topics()}
    for jurisdiction in topics.DEFAULT_COURT_FEEDS:
        assert topics.court_feed(jurisdiction) in names
    assert "clearway.determinations.v1.ca.sacramento" in names


def test_all_topics_with_given_court_feeds_uses_only_those():
    specs = topics.all_topics(("ca/fresno",))
    feeds = [s.name for s in specs if s.name.startswith(topics.DETERMINATIONS + ".")]
    assert feeds == ["clearway.determinations.v1.ca.fresno"]


def test_retention_config_is_in_milliseconds():
    by_name = {spec.name: spec for spec in topics.all_topics()}
    day_ms = 86_400_000
    assert by_name[topics.CASES].config()["retention.ms"] == str(7 * day_ms)
    assert by_name[topics.DETERMINATIONS].config()["retention.ms"] == str(30 * day_ms)
    assert by_name[topics.NOTIFICATIONS].config()["retention.ms"] == str(90 * day_ms)
    assert by_name[topics.INTAKE_REJECTED].config()["retention.ms"] == str(30 * day_ms)
    assert by_name[topics.court_feed("ca/yolo")].config()["retention.ms"] == "2592000000"


def test_every_topic_but_the_request_answers_deletes_by_retention_and_is_a_string_config():
    for spec in topics.all_topics():
        config = spec.config()
        expected = "compact,delete" if spec.name == topics.INTAKE_REQUESTS else "delete"
        assert config["cleanup.policy"] == expected, spec.name
        assert all(isinstance(v, str) for v in config.values())
        assert int(config["retention.ms"]) == spec.retention_days * topics.DAY_MS


def test_every_topic_takes_the_largest_case_and_what_is_made_from_it():
    assert topics.MAX_CASE_BYTES < topics.MAX_MESSAGE_BYTES
    for spec in topics.all_topics():
        assert int(spec.config()["max.message.bytes"]) == topics.MAX_MESSAGE_BYTES, spec.name
    broker = (Path(__file__).resolve().parents[2] / "deploy" / "local" / "kafka"
              / "server.properties.in").read_text()
    assert f"message.max.bytes={topics.MAX_MESSAGE_BYTES}" in broker


def test_notifications_outlive_every_input_they_deduplicate():
    by_name = {spec.name: spec for spec in topics.all_topics()}
    ledger = by_name[topics.NOTIFICATIONS].retention_days
    assert ledger > by_name[topics.DETERMINATIONS].retention_days
    assert ledger > by_name[topics.PETITIONS].retention_days


def test_main_flow_has_six_partitions_and_dead_letters_three():
    assert all(spec.partitions == 6 for spec in topics.MAIN_FLOW)
    assert all(spec.partitions == 3 for spec in topics.DEAD_LETTERS)


# --- settings --------------------------------------------------------------------


def test_env_int_raises_a_setting_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CLEARWAY_TEST_WORKERS", "six")
    with pytest.raises(settings.SettingError, match="CLEARWAY_TEST_WORKERS"):
        settings.env_int("CLEARWAY_TEST_WORKERS", 1)


def test_setting_error_is_a_value_error():
    assert issubclass(settings.SettingError, ValueError)


def test_env_int_reads_an_integer_and_strips_spaces(monkeypatch):
    monkeypatch.setenv("CLEARWAY_TEST_WORKERS", " 12 ")
    assert settings.env_int("CLEARWAY_TEST_WORKERS", 1) == 12


def test_env_int_uses_the_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("CLEARWAY_TEST_WORKERS", raising=False)
    assert settings.env_int("CLEARWAY_TEST_WORKERS", 4) == 4
    monkeypatch.setenv("CLEARWAY_TEST_WORKERS", "   ")
    assert settings.env_int("CLEARWAY_TEST_WORKERS", 4) == 4


def test_env_float_raises_a_setting_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CLEARWAY_TEST_TIMEOUT", "soon")
    with pytest.raises(settings.SettingError, match="CLEARWAY_TEST_TIMEOUT"):
        settings.env_float("CLEARWAY_TEST_TIMEOUT", 1.0)


def test_env_str_blank_means_default(monkeypatch):
    monkeypatch.setenv("CLEARWAY_TEST_NAME", "  ")
    assert settings.env_str("CLEARWAY_TEST_NAME", "fallback") == "fallback"


def test_env_path_is_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("CLEARWAY_TEST_DIR", str(tmp_path / "x" / ".." / "y"))
    assert settings.env_path("CLEARWAY_TEST_DIR", Path("unused")) == (tmp_path / "y").resolve()


def test_bus_settings_from_env(monkeypatch):
    monkeypatch.setenv("CLEARWAY_KAFKA_BOOTSTRAP", "10.0.0.1:9093")
    monkeypatch.setenv("CLEARWAY_TENANT", "coalition-b")
    assert settings.BusSettings.from_env() == settings.BusSettings("10.0.0.1:9093", "coalition-b")


def test_fault_settings_have_defaults_that_stop_within_the_kubernetes_grace_period(monkeypatch):
    import yaml

    for name in ("CLEARWAY_KAFKA_TIMEOUT_S", "CLEARWAY_KAFKA_DELIVERY_TIMEOUT_S",
                 "CLEARWAY_RETRY_BACKOFF_S", "CLEARWAY_STALL_S", "CLEARWAY_SHUTDOWN_GRACE_S"):
        monkeypatch.delenv(name, raising=False)
    faults = settings.FaultSettings.from_env()
    assert (faults.kafka_timeout_s, faults.delivery_timeout_s, faults.retry_backoff_s,
            faults.stall_s, faults.shutdown_grace_s) == (30, 120, 5, 60, 20)
    k8s = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
    for manifest in ("intake", "eligibility", "petitions", "notifications"):
        for doc in yaml.safe_load_all((k8s / f"{manifest}.yaml").read_text()):
            if doc and doc.get("kind") == "Deployment":
                grace = doc["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
                assert faults.shutdown_grace_s < grace, manifest


def test_fault_settings_refuse_a_duration_that_is_not_positive_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CLEARWAY_STALL_S", "0")
    with pytest.raises(settings.SettingError, match="CLEARWAY_STALL_S"):
        settings.FaultSettings.from_env()
    monkeypatch.setenv("CLEARWAY_STALL_S", "soon")
    with pytest.raises(settings.SettingError, match="CLEARWAY_STALL_S"):
        settings.FaultSettings.from_env()
