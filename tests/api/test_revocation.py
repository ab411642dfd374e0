"""Deactivating a user, changing a role or a password ends their tokens at once."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from api.auth import AccountCache, Principal, Role, check_current
from api.events_auth import while_authorised
from smartspot.cli.main import main
from tests.api.conftest import NOW, PASSWORD, add_users, login, make_settings


def _change(client: TestClient, admin: dict[str, str], name: str, **body: object) -> int:
    return client.patch(f"/users/{name}", json=body, headers=admin).status_code


def test_a_deactivated_users_token_stops_working_at_once(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    operator = as_role["operator"]
    assert client.get("/hotspots", headers=operator).status_code == 200
    assert _change(client, as_role["admin"], "operator", active=False) == 200
    answer = client.get("/hotspots", headers=operator)
    assert answer.status_code == 401
    assert "log ind igen" in answer.json()["detail"]
    refused = client.post("/auth/token", data={"username": "operator", "password": PASSWORD})
    assert refused.status_code == 401


def test_reactivating_does_not_bring_old_tokens_back(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    old = as_role["operator"]
    _change(client, as_role["admin"], "operator", active=False)
    _change(client, as_role["admin"], "operator", active=True)
    assert client.get("/hotspots", headers=old).status_code == 401
    assert client.get("/hotspots", headers=login(client, "operator")).status_code == 200


def test_a_new_role_ends_the_old_tokens_and_a_new_login_carries_it(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    planner = as_role["planner"]
    assert _change(client, as_role["admin"], "planner", role="analyst") == 200
    assert client.get("/auth/me", headers=planner).status_code == 401
    fresh = login(client, "planner")
    assert client.get("/auth/me", headers=fresh).json() == {
        "name": "planner",
        "role": "analyst",
        "districts": ["*"],
    }


def test_a_new_password_ends_the_old_tokens(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    old = as_role["analyst"]
    assert _change(client, as_role["admin"], "analyst", password="et helt nyt kodeord 7") == 200
    assert client.get("/auth/me", headers=old).status_code == 401
    assert login(client, "analyst", "et helt nyt kodeord 7")


def test_a_common_new_password_is_refused_and_changes_nothing(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    assert _change(client, as_role["admin"], "analyst", password="password12345") == 422
    assert client.get("/auth/me", headers=as_role["analyst"]).status_code == 200


def test_only_admins_change_users(client: TestClient, as_role: dict[str, dict[str, str]]) -> None:
    assert _change(client, as_role["analyst"], "analyst", role="admin") == 403
    assert _change(client, as_role["admin"], "ingen", active=False) == 404


def test_every_change_is_audited_without_the_password(
    client: TestClient, as_role: dict[str, dict[str, str]], app: FastAPI
) -> None:
    _change(client, as_role["admin"], "planner", role="analyst", password="et helt nyt kodeord 7")
    entries = services_of(app).store.audit.entries(entity="user", entity_id="planner")
    assert [(e.actor, e.action) for e in entries] == [
        ("test", "create"),
        ("admin", "set-role"),
        ("admin", "set-password"),
    ]
    assert "kodeord" not in str([(e.before, e.after) for e in entries])


def test_a_deactivation_from_the_cli_ends_a_running_services_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(make_settings(tmp_path, auth_cache_s=0))
    add_users(app)
    client = TestClient(app)
    headers = login(client, "operator")
    assert client.get("/auth/me", headers=headers).status_code == 200
    db = str(app.state.settings.db)
    assert main(["users", "deactivate", "operator", "--db", db, "--by", "vagtchef"]) == 0
    assert client.get("/auth/me", headers=headers).status_code == 401
    assert main(["users", "activate", "operator", "--db", db]) == 0
    assert main(["users", "set-role", "operator", "planner", "--db", db]) == 0
    fresh = login(client, "operator")
    assert client.get("/auth/me", headers=fresh).json()["role"] == "planner"
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    assert main(["users", "set-password", "operator", "--password-stdin", "--db", db]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("fjord og hede i vest\n"))
    assert main(["users", "set-password", "operator", "--password-stdin", "--db", db]) == 0
    assert client.get("/auth/me", headers=fresh).status_code == 401
    services_of(app).close()


def test_an_open_event_stream_ends_when_the_login_is_revoked(app: FastAPI) -> None:
    services = services_of(app)
    accounts = AccountCache(services.store.users, ttl_s=0)
    principal = check_current(
        Principal("operator", Role.OPERATOR, services.store.users.token_generation("operator")),
        accounts,
    )

    async def events() -> AsyncIterator[str]:
        yield "event: a\n\n"
        services.store.users.set_active("operator", False, actor="admin", at=NOW)
        yield "event: b\n\n"
        yield "event: c\n\n"

    async def read() -> list[str]:
        return [c async for c in while_authorised(events(), principal, accounts, every_s=0)]

    assert asyncio.run(read()) == ["event: a\n\n", "event: logout\ndata: {}\n\n"]


def test_an_open_event_stream_ends_when_the_users_districts_change(app: FastAPI) -> None:
    """So the browser reconnects (with Last-Event-ID) and gets the new districts' events."""
    services = services_of(app)
    accounts = AccountCache(services.store.users, ttl_s=0)
    principal = check_current(
        Principal("operator", Role.OPERATOR, services.store.users.token_generation("operator")),
        accounts,
    )
    mv = ["Midt- og Vestjyllands Politi"]

    async def events() -> AsyncIterator[str]:
        yield "event: a\n\n"
        services.store.users.set_districts("operator", mv, actor="admin", at=NOW)
        yield "event: b\n\n"

    async def read() -> list[str]:
        return [c async for c in while_authorised(events(), principal, accounts, every_s=0)]

    assert asyncio.run(read()) == ["event: a\n\n"]
