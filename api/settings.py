"""The service's settings: one object, read from ``SMARTSPOT_*`` environment variables.

Every variable is documented in the README ("Configuration"). Nothing else in ``api/`` or
``smartspot/`` reads the environment.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_db_path() -> Path:
    """The embedded database in the user's data directory."""
    return platformdirs.user_data_path("smartspot") / "smartspot.db"


class Settings(BaseSettings):
    """Smart Spot service settings (environment variables ``SMARTSPOT_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="SMARTSPOT_", extra="ignore", frozen=True)

    db: Path = Field(default_factory=default_db_path, description="SQLite database file")
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        min_length=16,
        description="key that signs login tokens; random per process when unset, so tokens "
        "die with the server",
    )
    token_minutes: int = Field(default=30, ge=1, le=24 * 60, description="token lifetime")
    max_body_bytes: int = Field(
        default=2_000_000, ge=1_000, description="largest request body accepted (else 413)"
    )
    busy_timeout_s: float = Field(
        default=5.0, gt=0, le=120, description="how long a write waits for a locked database"
    )
    tile_url: str = Field(
        default="",
        description="optional online tile URL for the map, e.g. "
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty = boundaries only, no internet",
    )
    district: str = Field(
        default="Midt- og Vestjyllands Politi",
        description="politikreds the map opens on",
    )
    solver_time_limit_s: float = Field(
        default=0.05, gt=0, le=30, description="optimiser deadline for one proposal"
    )
    travel: Literal["straight", "district"] = Field(
        default="district",
        description="travel times for proposals: 'straight' (crow flies × 1.3 at 60 km/h, "
        "instant) or 'district' (the travel layer's model per politikreds: road graph or "
        "land-aware fallback; built on first use, ~20 s a district, then cached)",
    )
    create_db: bool = Field(
        default=True, description="create the database file when it does not exist"
    )

    @field_validator("db")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()
