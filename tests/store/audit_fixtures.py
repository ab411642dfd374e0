"""A database with a real history, written through the API: hotspots registered, changed and
closed, a car with positions, a callout cleared into a proposal that is accepted, a visit
reported, users changed. For the audit-chain tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from smartspot.clock import FixedClock
from smartspot.demo import load_demo_hotspots
from smartspot.resources import SCENARIOS_DIR
from tests.api.conftest import NOW, add_users, login, make_settings, point_feature


@dataclass(frozen=True)
class Busy:
    db: Path
    hotspot: str  # changed and closed
    callout: str
    proposal: str | None


def busy_database(folder: Path) -> Busy:
    app = create_app(make_settings(folder), clock=FixedClock(NOW))
    add_users(app)
    services = services_of(app)
    load_demo_hotspots(services.hotspots, SCENARIOS_DIR)
    client = TestClient(app)
    analyst, operator, admin = (login(client, r) for r in ("analyst", "operator", "admin"))
    made = client.post("/hotspots", json=point_feature(), headers=analyst).json()
    changed = client.patch(
        f"/hotspots/{made['id']}",
        json={"expected_version": 1, "properties": {"priority": 5}},
        headers=analyst,
    )
    assert changed.status_code == 200, changed.text
    closed = client.post(
        f"/hotspots/{made['id']}/close",
        json={"reason": "Roligt efter indsatsen", "expected_version": 2},
        headers=analyst,
    )
    assert closed.status_code == 200, closed.text
    client.post("/patrols", json={"call_sign": "MV-21", "home_station": "st01"}, headers=operator)
    fix = {"call_sign": "MV-21", "lon": 8.97, "lat": 56.14, "at": NOW.isoformat()}
    client.post("/patrols/positions", json={"positions": [fix]}, headers=operator)
    callout = client.post(
        "/callouts", json={"urgent": True, "lon": 8.9, "lat": 56.2}, headers=operator
    ).json()
    client.post(f"/callouts/{callout['id']}/dispatch", json={"patrol": "MV-21"}, headers=operator)
    client.post(f"/callouts/{callout['id']}/arrive", headers=operator)
    cleared = client.post(f"/callouts/{callout['id']}/clear", headers=operator).json()
    proposals = [p for p in cleared.get("proposals", []) if p.get("stops")]
    proposal = proposals[0]["id"] if proposals else None
    if proposal:
        accepted = client.post(f"/proposals/{proposal}/accept", json={}, headers=operator)
        assert accepted.status_code == 200, accepted.text
        stop = proposals[0]["stops"][0]  # the car drives there and stays: a detected visit
        for minute in (1, 5, 9):
            at = NOW.replace(minute=minute).isoformat()
            there = {"call_sign": "MV-21", "lon": stop["lon"], "lat": stop["lat"], "at": at}
            client.post("/patrols/positions", json={"positions": [there]}, headers=operator)
    visit = {"hotspot": made["id"], "patrol": "MV-21", "arrived_at": NOW.isoformat()}
    reported = client.post("/visits", json=visit, headers=operator)  # a crew's own report
    assert reported.status_code == 201, reported.text
    client.patch("/users/planner", json={"role": "analyst"}, headers=admin)
    services.close()
    return Busy(folder / "smartspot.db", made["id"], callout["id"], proposal)
