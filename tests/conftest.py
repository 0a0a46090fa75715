"""Fixtures for the cross-service tests.

The broker-backed tests share one genuine Kafka broker and one running pipeline
per session (``stack``), on free ports under a temporary folder, so they never
touch a demo's broker. Everything is stopped at the end, also after a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clearway.devstack import LocalStack

COMPUTE_DATE = "2026-11-20"
# Notices that fail for now are tried again within seconds, not minutes, so a test can
# take SMTP away and see every email through once it is back.
QUICK_RETRIES = {"CLEARWAY_NOTIFY_RETRY_FIRST_S": "1", "CLEARWAY_NOTIFY_RETRY_MAX_S": "2",
                 "CLEARWAY_NOTIFY_BREAKER_COOLDOWN_S": "1", "CLEARWAY_NOTIFY_SMTP_TIMEOUT_S": "2"}


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> LocalStack:
    home: Path = tmp_path_factory.mktemp("clearway")
    # Two eligibility workers share the cases' partitions, as replicas do in production.
    # Health turns NOT_SERVING after 10 s without progress, and a stop takes at most 8 s,
    # so that tests of faults need not wait out the production defaults.
    with LocalStack(home, kafka_port=0, broker_home=home / "kafka",
                    compute_date=COMPUTE_DATE, eligibility_workers=2,
                    extra_env={**QUICK_RETRIES, "CLEARWAY_STALL_S": "10",
                               "CLEARWAY_SHUTDOWN_GRACE_S": "8"}) as running:
        yield running


@pytest.fixture()
def sample(stack, tmp_path):
    """A function that writes a seeded synthetic DOJ file of fabricated people."""

    def make(people: int, seed: int) -> tuple[Path, Path]:
        out = tmp_path / f"sample-{seed}"
        stack.clearway("generate", "--people", str(people), "--seed", str(seed), "--out", str(out))
        return out / "doj_research_file.csv", out / "contacts.csv"

    return make
