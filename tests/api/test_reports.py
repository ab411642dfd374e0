"""Reports: urgent response times per kommune and politikreds; visits and dosage."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from smartspot.clock import FixedClock
from tests.api.conftest import NOW, point_feature

Headers = dict[str, dict[str, str]]
PERIOD = {
    "since": (NOW - timedelta(days=1)).isoformat(),
    "until": (NOW + timedelta(days=1)).isoformat(),
}


def _call(
    client: TestClient,
    op: dict[str, str],
    clock: FixedClock,
    lon: float,
    lat: float,
    minutes: float,
    *,
    urgent: bool = True,
) -> None:
    callout = client.post(
        "/callouts", json={"urgent": urgent, "lon": lon, "lat": lat}, headers=op
    ).json()
    client.post(f"/callouts/{callout['id']}/dispatch", json={"patrol": "MV-21"}, headers=op)
    clock.advance(minutes * 60)
    client.post(f"/callouts/{callout['id']}/arrive", headers=op)
    clock.advance(600)
    client.post(f"/callouts/{callout['id']}/clear", headers=op)
    clock.current = NOW


def test_response_times_per_kommune_and_politikreds(
    client: TestClient, as_role: Headers, clock: FixedClock
) -> None:
    op = as_role["operator"]
    client.post("/patrols", json={"call_sign": "MV-21", "home_station": "st01"}, headers=op)
    for minutes in (6, 8, 10, 20):
        _call(client, op, clock, 8.62, 56.36, minutes)  # Holstebro
    _call(client, op, clock, 10.2, 56.15, 12)  # Aarhus
    _call(client, op, clock, 8.62, 56.36, 99, urgent=False)  # not urgent: not counted
    by_kommune = client.get(
        "/reports/response-times", params={**PERIOD, "by": "kommune"}, headers=as_role["planner"]
    ).json()
    rows = {r["name"]: r for r in by_kommune["groups"]}
    holstebro = rows["Holstebro"]
    assert holstebro["count"] == 4
    assert holstebro["mean_s"] == 660.0
    assert holstebro["median_s"] == 540.0
    assert holstebro["p90_s"] == 1020.0  # linear interpolation between 600 and 1200 s
    assert holstebro["politikreds"] == "Midt- og Vestjyllands Politi"
    assert rows["Aarhus"]["count"] == 1
    by_kreds = client.get(
        "/reports/response-times",
        params={**PERIOD, "by": "politikreds"},
        headers=as_role["planner"],
    ).json()
    assert {r["name"]: r["count"] for r in by_kreds["groups"]} == {
        "Midt- og Vestjyllands Politi": 4,
        "Østjyllands Politi": 1,
    }


def test_a_period_that_ends_before_it_starts_is_422(client: TestClient, as_role: Headers) -> None:
    params = {"since": PERIOD["until"], "until": PERIOD["since"]}
    answer = client.get("/reports/response-times", params=params, headers=as_role["planner"])
    assert answer.status_code == 422
    assert "until" in answer.json()["detail"]


def test_visits_and_dosage_per_hotspot_kommune_and_week(
    client: TestClient, as_role: Headers
) -> None:
    a = client.post("/hotspots", json=point_feature(), headers=as_role["analyst"]).json()["id"]
    b = client.post(
        "/hotspots", json=point_feature(10.2108, 56.1529), headers=as_role["analyst"]
    ).json()["id"]
    op = as_role["operator"]
    client.post("/patrols", json={"call_sign": "MV-21", "home_station": "st01"}, headers=op)
    for hotspot, minutes in ((a, 12), (a, 15), (b, 10)):
        body = {
            "hotspot": hotspot,
            "patrol": "MV-21",
            "arrived_at": NOW.isoformat(),
            "left_at": (NOW + timedelta(minutes=minutes)).isoformat(),
        }
        assert client.post("/visits", json=body, headers=op).status_code == 201
    per_hotspot = client.get(
        "/reports/visits", params={**PERIOD, "by": "hotspot"}, headers=as_role["planner"]
    ).json()
    assert {r["key"]: (r["visits"], r["minutes"]) for r in per_hotspot["groups"]} == {
        a: (2, 27.0),
        b: (1, 10.0),
    }
    per_kommune = client.get(
        "/reports/visits", params={**PERIOD, "by": "kommune"}, headers=as_role["planner"]
    ).json()
    assert {r["name"]: r["visits"] for r in per_kommune["groups"]} == {"Holstebro": 2, "Aarhus": 1}
    per_week = client.get(
        "/reports/visits", params={**PERIOD, "by": "week"}, headers=as_role["planner"]
    ).json()
    assert [(r["key"], r["visits"], r["minutes"]) for r in per_week["groups"]] == [
        ("2026-W11", 3, 37.0)
    ]


def test_reports_are_read_by_every_role(client: TestClient, as_role: Headers) -> None:
    for role in as_role:
        assert (
            client.get("/reports/visits", params=PERIOD, headers=as_role[role]).status_code == 200
        )
