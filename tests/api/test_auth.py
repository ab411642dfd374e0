"""Logging in, tokens and the role rules of every endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from api.auth import issue_token
from tests.api.conftest import PASSWORD, ROLES, login, point_feature

DANISH_ROLES = {"operator": "operatør", "analyst": "analytiker", "planner": "planlægger"}


def test_health_needs_no_login(client: TestClient) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_login_gives_a_short_lived_bearer_token_naming_the_role(client: TestClient) -> None:
    answer = client.post("/auth/token", data={"username": "analyst", "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["role"] == "analyst"
    assert body["expires_in"] == 30 * 60
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"name": "analyst", "role": "analyst", "districts": ["*"]}


@pytest.mark.parametrize(
    ("name", "password"), [("analyst", "wrong password"), ("nobody", PASSWORD)]
)
def test_wrong_credentials_are_refused_with_401(
    client: TestClient, name: str, password: str
) -> None:
    answer = client.post("/auth/token", data={"username": name, "password": password})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "forkert brugernavn eller adgangskode"


def test_login_without_a_form_is_a_422_naming_the_missing_field(client: TestClient) -> None:
    answer = client.post("/auth/token", data={"username": "analyst"})
    assert answer.status_code == 422
    assert "password" in answer.json()["detail"]


def test_endpoints_without_a_token_answer_401(client: TestClient) -> None:
    answer = client.get("/hotspots")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert "log ind først" in answer.json()["detail"]


def test_a_forged_token_is_refused(client: TestClient) -> None:
    forged = jwt.encode({"sub": "admin", "role": "admin", "exp": 9_999_999_999}, "guess" * 8)
    answer = client.get("/hotspots", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401
    assert "ikke gyldig" in answer.json()["detail"]


def test_an_expired_token_is_refused(client: TestClient) -> None:
    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    old = datetime.now(UTC) - timedelta(hours=2)
    token = issue_token("admin", "admin", secret=secret, minutes=30, now=old)
    answer = client.get("/hotspots", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert "udløbet" in answer.json()["detail"]


def test_admin_creates_users_who_can_then_log_in(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    body = {"name": "vagthavende", "role": "operator", "password": "en god adgangskode"}
    answer = client.post("/users", json=body, headers=as_role["admin"])
    assert answer.status_code == 201
    assert login(client, "vagthavende", "en god adgangskode")
    again = client.post("/users", json=body, headers=as_role["admin"])
    assert again.status_code == 409
    names = [u["name"] for u in client.get("/users", headers=as_role["admin"]).json()]
    assert "vagthavende" in names


def test_user_creation_is_audited_with_who_did_it(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    from api.app import services_of

    body = {"name": "ny-analytiker", "role": "analyst", "password": "en god adgangskode"}
    client.post("/users", json=body, headers=as_role["admin"])
    entries = services_of(client.app).store.audit.entries(entity="user", entity_id="ny-analytiker")  # type: ignore[arg-type]
    assert [(e.actor, e.action) for e in entries] == [("admin", "create")]
    assert "password" not in str(entries[0].after)


def test_a_short_password_is_refused_with_422(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    body = {"name": "kort", "role": "operator", "password": "kort"}
    assert client.post("/users", json=body, headers=as_role["admin"]).status_code == 422


# -- the role rules, endpoint by endpoint ----------------------------------------------------

READ_ALL = set(ROLES)
HOTSPOT_WRITERS = {"analyst", "admin"}
ADMINS = {"admin"}
OPERATORS = {"operator", "admin"}  # live work: patrols, callouts, visits, proposal decisions


def _requests(hotspot_id: str) -> list[tuple[str, str, dict[str, Any] | None, set[str]]]:
    return [
        ("GET", "/hotspots", None, READ_ALL),
        ("GET", f"/hotspots/{hotspot_id}", None, READ_ALL),
        ("GET", f"/hotspots/{hotspot_id}/history", None, READ_ALL),
        ("GET", "/hotspots/export", None, READ_ALL),
        ("GET", "/boundaries/kommune", None, READ_ALL),
        ("GET", "/config", None, READ_ALL),
        ("GET", "/auth/me", None, READ_ALL),
        ("POST", "/hotspots", point_feature(), HOTSPOT_WRITERS),
        (
            "PATCH",
            f"/hotspots/{hotspot_id}",
            {"expected_version": 99, "properties": {"priority": 2}},
            HOTSPOT_WRITERS,
        ),
        (
            "POST",
            f"/hotspots/{hotspot_id}/close",
            {"reason": "løst", "expected_version": 99},
            HOTSPOT_WRITERS,
        ),
        ("GET", "/patrols", None, READ_ALL),
        ("GET", "/patrols/MV-1", None, READ_ALL),
        ("GET", "/patrols/MV-1/proposal", None, READ_ALL),
        ("GET", "/callouts", None, READ_ALL),
        ("GET", "/callouts/CO-1", None, READ_ALL),
        ("GET", "/proposals", None, READ_ALL),
        ("GET", "/proposals/PR-1", None, READ_ALL),
        ("GET", "/proposals/PR-1/problem", None, READ_ALL),
        ("GET", "/proposals/PR-1/replay", None, READ_ALL),
        ("GET", "/visits", None, READ_ALL),
        ("GET", "/visits/last", None, READ_ALL),
        ("POST", "/patrols", {"call_sign": "MV-1", "home_station": "st01"}, OPERATORS),
        (
            "POST",
            "/patrols/positions",
            {
                "positions": [
                    {"call_sign": "MV-1", "lon": 8.6, "lat": 56.3, "at": "2026-03-14T21:00:00Z"}
                ]
            },
            OPERATORS,
        ),
        ("POST", "/patrols/MV-1/status", {"status": "available"}, OPERATORS),
        ("POST", "/callouts", {"urgent": False, "lon": 8.6, "lat": 56.3}, OPERATORS),
        ("POST", "/callouts/CO-1/dispatch", {"patrol": "MV-1"}, OPERATORS),
        ("POST", "/callouts/CO-1/arrive", None, OPERATORS),
        ("POST", "/callouts/CO-1/clear", None, OPERATORS),
        ("POST", "/proposals", {"patrols": ["MV-1"]}, OPERATORS),
        ("POST", "/proposals/PR-1/accept", {}, OPERATORS),
        ("POST", "/proposals/PR-1/reject", {"reason": "nej"}, OPERATORS),
        (
            "POST",
            "/visits",
            {"hotspot": "HS-1", "patrol": "MV-1", "arrived_at": "2026-03-14T21:00:00Z"},
            OPERATORS,
        ),
        ("PATCH", "/visits/VI-1", {"note": "x"}, OPERATORS),
        ("GET", "/users", None, ADMINS),
        ("POST", "/users", {"name": "x-user", "role": "planner", "password": "12345678"}, ADMINS),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_its_rules_allow(
    client: TestClient,
    as_role: dict[str, dict[str, str]],
    hotspot: dict[str, Any],
    role: str,
) -> None:
    for method, path, body, allowed in _requests(hotspot["id"]):
        answer = client.request(method, path, json=body, headers=as_role[role])
        if role in allowed:
            # Allowed: anything but 401/403 (a stale version still answers 409, etc.).
            assert answer.status_code not in (401, 403), (role, method, path, answer.text)
        else:
            assert answer.status_code == 403, (role, method, path, answer.text)
            assert f"en {DANISH_ROLES[role]} må ikke" in answer.json()["detail"]
