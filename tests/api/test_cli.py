"""``smartspot users add`` and the demo fleet behind ``smartspot serve --demo``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from smartspot.cli.main import main
from smartspot.clock import FixedClock
from smartspot.live.demo_fleet import DemoDriver, seed_demo_fleet
from smartspot.live.positions import Fix
from tests.api.conftest import NOW, login, make_settings

pytestmark = pytest.mark.sqlite_only  # the CLI on its embedded database


def _add(monkeypatch: pytest.MonkeyPatch, db: Path, name: str, role: str, password: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["users", "add", name, "--role", role, "--password-stdin", "--db", str(db)])


def test_users_add_creates_a_login_the_service_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    assert _add(monkeypatch, settings.db, "vagt1", "operator", "en lang adgangskode") == 0
    assert _add(monkeypatch, settings.db, "vagt1", "analyst", "en lang adgangskode") == 4
    assert _add(monkeypatch, settings.db, "kort", "analyst", "kort") == 2
    app = create_app(settings)
    client = TestClient(app)
    headers = login(client, "vagt1", "en lang adgangskode")
    me = client.get("/auth/me", headers=headers).json()
    assert me == {"name": "vagt1", "role": "operator", "districts": [settings.district]}
    services_of(app).close()


def test_users_add_refuses_an_unknown_role(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["users", "add", "x", "--role", "chief", "--db", str(tmp_path / "x.db")])


def test_the_demo_fleet_is_added_once_and_drives_about(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), clock=FixedClock(NOW))
    engine = services_of(app).engine
    added = seed_demo_fleet(engine, NOW)
    assert len(added) == 12
    assert seed_demo_fleet(engine, NOW) == []
    engine.add_patrol("VAGT-1", "st01", actor="operator")  # a real car, not the demo's
    engine.record_positions([Fix("VAGT-1", 8.62, 56.36, NOW)])
    before = {p.call_sign: p.position for p in engine.ctx.store.patrols.list()}
    assert DemoDriver(engine).tick() == 12
    after = {p.call_sign: p.position for p in engine.ctx.store.patrols.list()}
    assert after.pop("VAGT-1") == before.pop("VAGT-1")
    assert all(before[k] != after[k] for k in before)
    services_of(app).close()
