"""Petitions settings, from environment variables with defaults for a local run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clearway.settings import BusSettings, env_int, env_path, local_state_dir


@dataclass(frozen=True)
class PetitionSettings:
    bus: BusSettings
    # Root of the content-addressed document store (PDFs by sha256).
    documents_dir: Path
    # One folder per batch with gogen's result bundle (CSVs, gogen.json, impact report).
    bundles_dir: Path
    health_port: int

    @classmethod
    def from_env(cls) -> "PetitionSettings":
        return cls(
            bus=BusSettings.from_env(),
            documents_dir=env_path("CLEARWAY_DOCUMENTS_DIR", local_state_dir() / "documents"),
            bundles_dir=env_path("CLEARWAY_BUNDLES_DIR", local_state_dir() / "bundles"),
            health_port=env_int("CLEARWAY_PETITIONS_HEALTH_PORT", 8082),
        )
