"""The service's settings: one object, read from ``SMARTSPOT_*`` environment variables.

Every variable is documented in the README ("Configuration"). Nothing else in ``api/`` or
``smartspot/`` reads the environment.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from smartspot.resources import SCENARIOS_DIR
from smartspot.store.open import is_postgres, sqlite_path


def default_db_path() -> Path:
    """The embedded database in the user's data directory."""
    return platformdirs.user_data_path("smartspot") / "smartspot.db"


MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    """Smart Spot service settings (environment variables ``SMARTSPOT_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="SMARTSPOT_", extra="ignore", frozen=True)

    db: Path | str = Field(
        default_factory=default_db_path,
        description="the database: an SQLite file (a path or sqlite:///path), or "
        "postgresql://user:password@host/database for PostgreSQL + PostGIS",
    )
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description="key that signs login tokens, at least 32 bytes; random per process when "
        "unset, so tokens die with the server (refused with several workers)",
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
    policy_dir: Path = Field(
        default=SCENARIOS_DIR,
        description="folder of district folders, each with a policy.toml (the planning policy "
        "of that politikreds, shared with the simulation); districts without one plan with "
        "the documented defaults",
    )
    avl_max_future_s: float = Field(
        default=120.0, ge=0, le=3600, description="an AVL fix further ahead is refused"
    )
    avl_max_age_h: float = Field(
        default=24.0, gt=0, le=720, description="an AVL fix older than this is refused"
    )
    followup_due_days: int = Field(
        default=14, ge=1, le=365, description="days until a new follow-up is due, by default"
    )
    followup_max_failed_attempts: int = Field(
        default=2, ge=1, le=10, description="not-home attempts before a follow-up goes to phone"
    )
    followup_retention_days: int = Field(
        default=90,
        ge=0,
        le=3650,
        description="days after closing until a follow-up's name and phone number are erased",
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        description="root of the planning rounds' random streams (value jitter, solver seeds); "
        "unset: derived from secret_key, so every worker and every restart plans alike while "
        "outsiders cannot predict the jitter",
    )
    clock: Literal["system", "replay"] = Field(
        default="system",
        description="'system' (the wall clock) or 'replay', for a digital twin or a replay of "
        "recorded AVL only: now is the newest AVL fix stored (never before replay_start), so "
        "the sender of the fixes sets the time (at most avl_max_future_s ahead per batch)",
    )
    replay_start: datetime | None = Field(
        default=None,
        description="with clock=replay (and only then, required): the time before the first fix",
    )
    travel: Literal["straight", "district"] = Field(
        default="district",
        description="travel times for proposals: 'straight' (crow flies × 1.3 at 60 km/h, "
        "instant) or 'district' (the travel layer's model per politikreds: road graph or "
        "land-aware fallback; built on first use, ~20 s a district, then cached)",
    )
    language: Literal["da", "en"] = Field(
        default="da",
        description="language of answers for people when the browser's Accept-Language names "
        "none Smart Spot has (da or en); codes, ids and JSON keys are never translated",
    )
    create_db: bool = Field(
        default=True, description="create the database file when it does not exist"
    )
    open_docs: bool = Field(
        default=False,
        description="serve /openapi.json without a login (the /docs page itself is only a "
        "viewer; it fetches the schema with the map's login)",
    )
    auth_cache_s: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="how long a request may trust a cached account state; a change made by "
        "this service applies at once, one made elsewhere (the CLI) within this time",
    )
    worker_healthcheck_s: float = Field(
        default=30.0,
        ge=1,
        le=600,
        description="with several workers, how long a worker may leave the supervisor's ping "
        "unanswered before it is taken for hung, killed and replaced (uvicorn's own default of "
        "5 s killed busy workers during their warm-up)",
    )
    login_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="password checks (argon2) run at once at most, on low-priority threads",
    )

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(
                f"SMARTSPOT_SECRET_KEY needs at least {MIN_SECRET_BYTES} bytes; make one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return value

    @model_validator(mode="after")
    def _replay_explicit(self) -> Settings:
        if self.clock == "replay" and (
            self.replay_start is None or self.replay_start.tzinfo is None
        ):
            raise ValueError("SMARTSPOT_CLOCK=replay needs SMARTSPOT_REPLAY_START with a timezone")
        if self.clock != "replay" and self.replay_start is not None:
            raise ValueError("SMARTSPOT_REPLAY_START is only for SMARTSPOT_CLOCK=replay")
        return self

    @property
    def backend(self) -> Literal["sqlite", "postgresql"]:
        """Which store ``db`` names: a PostgreSQL URL, else an SQLite file."""
        return "postgresql" if is_postgres(self.db) else "sqlite"

    @property
    def planning_seed(self) -> int:
        """``seed``, or when unset a number derived from ``secret_key``."""
        if self.seed is not None:
            return self.seed
        return int.from_bytes(hashlib.blake2b(self.secret_key.encode(), digest_size=8).digest())

    @property
    def secret_key_given(self) -> bool:
        """Whether the key was configured (rather than made up for this process)."""
        return "secret_key" in self.model_fields_set

    @field_validator("db")
    @classmethod
    def _expand(cls, value: Path | str) -> Path | str:
        return str(value) if is_postgres(value) else sqlite_path(value)


def deployment_problem(settings: Settings, *, workers: int, demo: bool) -> str | None:
    """Why the service must not start this way, or None.

    SQLite serves one worker process (its writers would queue on one file lock and each
    worker would hold its own event stream). Outside ``--demo``, several
    workers or PostgreSQL need a configured ``SMARTSPOT_SECRET_KEY``: a key made up per
    process would make each worker refuse the others' tokens.
    """
    if workers < 1:
        return f"--workers must be at least 1, not {workers}"
    if workers > 1 and settings.backend == "sqlite":
        return (
            f"--workers {workers}: the embedded SQLite database serves one worker; run one "
            "worker, or put the store on PostgreSQL (SMARTSPOT_DB=postgresql://…) for several"
        )
    shared = workers > 1 or settings.backend == "postgresql"
    if not demo and shared and not settings.secret_key_given:
        return (
            "set SMARTSPOT_SECRET_KEY (at least 32 bytes, the same for every worker) before "
            "serving with several workers or on PostgreSQL, e.g. "
            "`export SMARTSPOT_SECRET_KEY=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')`"
        )
    return None
