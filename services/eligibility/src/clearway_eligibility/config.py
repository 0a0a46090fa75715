"""Eligibility settings, from environment variables with defaults for a local run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from clearway.settings import BusSettings, SettingError, env_float, env_int, env_str
from clearway import topics

DEFAULT_POLICY = Path(__file__).parent / "policies" / "default.json"


@dataclass(frozen=True)
class EligibilitySettings:
    bus: BusSettings
    # County/prosecutor policy (gogen's options JSON) applied by the Prop 64 pack.
    policy_path: Path
    # Date the law is applied as of; None means "today (UTC)" at the time of each case.
    compute_date: dt.date | None
    court_feeds: tuple[str, ...]
    partitions: int
    store: str
    health_port: int
    session_timeout_s: float

    @classmethod
    def from_env(cls) -> "EligibilitySettings":
        raw_date = env_str("CLEARWAY_COMPUTE_DATE", "")
        try:
            compute_date = dt.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            raise SettingError(f"CLEARWAY_COMPUTE_DATE must be YYYY-MM-DD, got {raw_date!r}") from None
        feeds = env_str("CLEARWAY_COURT_FEEDS", ",".join(topics.DEFAULT_COURT_FEEDS))
        return cls(
            bus=BusSettings.from_env(),
            policy_path=Path(env_str("CLEARWAY_ELIGIBILITY_POLICY", str(DEFAULT_POLICY))),
            compute_date=compute_date,
            court_feeds=tuple(f.strip() for f in feeds.split(",") if f.strip()),
            partitions=env_int("CLEARWAY_ELIGIBILITY_PARTITIONS", 6),
            store=env_str("CLEARWAY_ELIGIBILITY_STORE", "memory://"),
            health_port=env_int("CLEARWAY_ELIGIBILITY_HEALTH_PORT", 8081),
            session_timeout_s=env_float("CLEARWAY_ELIGIBILITY_SESSION_TIMEOUT_S", 10.0),
        )
