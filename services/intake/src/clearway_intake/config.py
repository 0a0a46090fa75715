"""Intake settings, from environment variables with defaults for a local run.

The person-id key is a secret: it comes from CLEARWAY_PERSON_ID_KEY (hex or any
string of 16+ bytes). For local runs without it, a random key is generated once
and kept in .local/secrets (git-ignored), never in the repository.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from clearway.settings import BusSettings, SettingError, env_str, local_state_dir


@dataclass(frozen=True)
class IntakeSettings:
    bus: BusSettings
    grpc_address: str
    default_jurisdiction: str
    person_id_key: bytes

    @classmethod
    def from_env(cls) -> "IntakeSettings":
        return cls(
            bus=BusSettings.from_env(),
            grpc_address=env_str("CLEARWAY_INTAKE_GRPC_ADDRESS", "127.0.0.1:50051"),
            default_jurisdiction=env_str("CLEARWAY_JURISDICTION", "ca/sacramento"),
            person_id_key=person_id_key(),
        )

    def __repr__(self) -> str:  # the key is never printed
        return (f"IntakeSettings(bus={self.bus!r}, grpc_address={self.grpc_address!r}, "
                f"default_jurisdiction={self.default_jurisdiction!r})")


def person_id_key() -> bytes:
    configured = env_str("CLEARWAY_PERSON_ID_KEY", "")
    if configured:
        key = configured.encode()
        if len(key) < 16:
            raise SettingError("CLEARWAY_PERSON_ID_KEY must be at least 16 characters")
        return key
    path: Path = local_state_dir() / "secrets" / "person-id.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip().encode()
