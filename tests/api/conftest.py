"""API fixtures: an app on a temporary database, one login per role."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from api.auth import issue_token, new_account
from api.settings import Settings
from smartspot.clock import FixedClock
from smartspot.store.records import UserAccount

PASSWORD = "correct horse battery"
ROLES = ("operator", "analyst", "planner", "admin")
# A Saturday evening in March, inside "fri,sat 20:00-02:00".
NOW = datetime(2026, 3, 14, 21, 0, tzinfo=UTC)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "db": tmp_path / "smartspot.db",
        "secret_key": "test-secret-key-that-is-long-enough",
        "max_body_bytes": 50_000,
        "busy_timeout_s": 0.2,
        # Contract tests do not depend on the travel model; the instant one keeps them fast.
        # test_live.py runs proposals on the real district model.
        "travel": "straight",
        "policy_dir": Path(__file__).parent / "policies",
    }
    values.update(overrides)
    return Settings(**values)


@functools.cache
def _national_account() -> UserAccount:
    """One argon2 hash of PASSWORD for the whole session (each costs ~0.1 s of CPU)."""
    # every politikreds, as a national user: tests/api/test_districts.py tests the districts
    return new_account("operator", "operator", PASSWORD, now=NOW, districts=("*",))


def add_users(app: FastAPI) -> None:
    users = services_of(app).store.users
    account = _national_account()
    for role in ROLES:
        users.add(replace(account, name=role, role=role), actor="test")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(tmp_path: Path, database: str | Path, clock: FixedClock) -> Iterator[FastAPI]:
    """The app on a fresh database: SQLite, and PostGIS in modules marked both_backends."""
    application = create_app(make_settings(tmp_path, db=database), clock=clock)
    add_users(application)
    yield application
    services_of(application).close()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def login(client: TestClient, name: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/auth/token", data={"username": name, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def token_for(app: FastAPI, name: str) -> dict[str, str]:
    """Authorization headers for the stored user ``name``, signed as ``POST /auth/token``
    signs them (same key, lifetime and token generation) without its password check:
    tests/api/test_auth.py and test_login_throttle.py test the login itself."""
    services = services_of(app)
    user = services.store.users.get(name)
    token = issue_token(
        user.name,
        user.role,
        secret=services.settings.secret_key,
        minutes=services.settings.token_minutes,
        generation=services.store.users.token_generation(user.name),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def as_role(app: FastAPI, client: TestClient) -> dict[str, dict[str, str]]:
    """Authorization headers for each role, by role name."""
    return {role: token_for(app, role) for role in ROLES}


def point_feature(lon: float = 8.6246, lat: float = 56.3706, **props: Any) -> dict[str, Any]:
    """A valid hotspot Feature (a Point in Holstebro unless told otherwise)."""
    properties: dict[str, Any] = {
        "title": "Knallerter ved Trekanten",
        "category": "mopeds_traffic",
        "description": "Unge kører på knallert på stierne om aftenen",
        "instruction": "Kør forbi langsomt, tal med de unge, noter knallerternes numre",
        "steps": ["Parker synligt", "Gå stien igennem"],
        "minutes_on_site": 15,
        "priority": 4,
        "windows": ["fri,sat 20:00-02:00"],
        "visits_per_week": 3,
        "source": "lokalraad",
        "source_ref": "LR-2026-03",
    }
    properties.update(props)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def square(lon: float, lat: float, half: float = 0.002) -> list[list[list[float]]]:
    return [
        [
            [lon - half, lat - half],
            [lon + half, lat - half],
            [lon + half, lat + half],
            [lon - half, lat + half],
            [lon - half, lat - half],
        ]
    ]


def polygon_feature(lon: float = 8.6246, lat: float = 56.3706, **props: Any) -> dict[str, Any]:
    feature = point_feature(**props)
    feature["geometry"] = {"type": "Polygon", "coordinates": square(lon, lat)}
    return feature


@pytest.fixture
def hotspot(client: TestClient, as_role: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One registered hotspot (as returned by POST /hotspots)."""
    answer = client.post("/hotspots", json=point_feature(), headers=as_role["analyst"])
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created
