"""Reports: urgent response times per kommune and politikreds; visits and dosage."""

from __future__ import annotations

from datetime import timedelta

import pytest
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


def test_a_visits_report_over_centuries_answers_with_the_last_year_of_weeks(
    client: TestClient, as_role: Headers
) -> None:
    client.post("/hotspots", json=point_feature(), headers=as_role["analyst"])
    params = {"since": "1970-01-01T00:00:00Z", "until": "3050-05-21T12:00:00Z", "by": "kommune"}
    answer = client.get("/reports/visits", params=params, headers=as_role["planner"])
    assert answer.status_code == 200
    assert 52 <= len(answer.json()["fulfilment"]["weeks"]) <= 54


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


def test_visits_report_gives_fulfilment_per_hotspot_kommune_and_district(
    client: TestClient, as_role: Headers
) -> None:
    """NOW is Saturday 14 March 2026, 22:00 in Copenhagen, in week 11 (9–15 March)."""
    analyst, op = as_role["analyst"], as_role["operator"]
    since = {"valid_from": "2026-03-09"}

    def add(lon: float, lat: float, per_week: int) -> str:
        feature = point_feature(lon, lat, visits_per_week=per_week, **since)
        answer = client.post("/hotspots", json=feature, headers=analyst)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    town = add(8.6246, 56.3706, 3)  # next to Holstebro station
    behind = add(8.9800, 56.1400, 3)  # Herning, by its station
    harbo = add(8.1870, 56.6170, 1)  # Harboøre: about 30 min from Lemvig and Struer
    client.post("/patrols", json={"call_sign": "MV-21", "home_station": "st01"}, headers=op)
    visits = [(town, -4), (town, -2.5), (town, -1), (behind, -4), (behind, -8)]
    for hotspot, days in visits:  # the last one is in week 10
        arrived = NOW + timedelta(days=days)
        body = {
            "hotspot": hotspot,
            "patrol": "MV-21",
            "arrived_at": arrived.isoformat(),
            "left_at": (arrived + timedelta(minutes=15)).isoformat(),
        }
        assert client.post("/visits", json=body, headers=op).status_code == 201
    week = {"since": "2026-03-09T00:00:00+01:00", "until": "2026-03-16T00:00:00+01:00"}
    report = client.get("/reports/visits", params=week, headers=as_role["planner"]).json()
    result = report["fulfilment"]
    assert [w["week"] for w in result["weeks"]] == ["2026-W11"]
    rows = {r["hotspot"]: r for r in result["hotspots"]}
    assert (rows[town]["achieved"], rows[town]["met"], rows[town]["behind"]) == (3, True, False)
    assert (rows[behind]["achieved"], rows[behind]["met"], rows[behind]["behind"]) == (
        1,
        False,
        True,  # 3 × 5 days 22 h / 7 days = 2.5 due by now, 1 made
    )
    assert rows[behind]["due"] == pytest.approx(3 * (5 + 22 / 24) / 7, abs=1e-3)
    assert rows[harbo]["outlying"] and not rows[town]["outlying"]
    assert rows[harbo]["achieved"] == 0 and rows[harbo]["title"] == "Knallerter ved Trekanten"
    district = result["politikredse"]["Midt- og Vestjyllands Politi"]
    assert (district["all"]["hotspots"], district["all"]["met"]) == (3, 1)
    assert district["outlying"]["share"] == 0.0 and district["town"]["share"] == 0.5
    assert district["all"]["never_visited"] == 1
    assert result["kommuner"]["0661"]["all"]["share"] == 1.0  # Holstebro
    assert result["kommuner"]["0661"]["name"] == "Holstebro"


def test_followups_report_in_the_seeds_breakdown_without_personal_data(
    app: object, client: TestClient, as_role: Headers, clock: FixedClock
) -> None:
    from smartspot.followups import AttemptOutcome, FollowUpStatus, LeftBehind
    from tests.followup_fixtures import NAME, PHONE, draft

    engine = app.state.services.engine  # type: ignore[attr-defined]
    engine.add_patrol("MV-21", "st01", actor="op")
    made = [
        engine.register_followup(
            draft(windows=[], due_by=NOW.date() + timedelta(days=14)),
            {"type": "Point", "coordinates": [8.3125, 56.5486]},  # Lemvig
            actor="analytiker",
        )
        for _ in range(5)
    ]
    engine.record_attempt(made[0].id, patrol="MV-21", outcome=AttemptOutcome.REACHED, actor="op")
    for _ in range(2):  # two failed attempts: to the phone queue, then reached by phone
        engine.record_attempt(
            made[1].id,
            patrol="MV-21",
            outcome=AttemptOutcome.NOT_HOME,
            left=LeftBehind.LEAFLET,
            actor="op",
        )
    engine.close_followup(made[1].id, FollowUpStatus.DONE_BY_PHONE, actor="op")
    engine.close_followup(made[2].id, FollowUpStatus.DONE_BY_PHONE, actor="op")
    engine.close_followup(made[3].id, FollowUpStatus.NOT_REACHED, actor="op")  # made[4] open
    answer = client.get("/reports/followups", params=PERIOD, headers=as_role["planner"])
    assert answer.status_code == 200, answer.text
    [row] = answer.json()["groups"]
    assert row["name"] == "Midt- og Vestjyllands Politi"
    assert (row["total"], row["in_person"], row["by_phone"], row["not_reached"]) == (4, 1, 2, 1)
    assert (row["in_person_before_due"], row["attempts"], row["not_home"]) == (1, 3, 2)
    by_kommune = client.get(
        "/reports/followups", params={**PERIOD, "by": "kommune"}, headers=as_role["planner"]
    ).json()
    assert [r["name"] for r in by_kommune["groups"]] == ["Lemvig"]
    assert NAME not in answer.text and PHONE not in answer.text
    later = {"since": PERIOD["until"], "until": (NOW + timedelta(days=3)).isoformat()}
    assert (
        client.get("/reports/followups", params=later, headers=as_role["planner"]).json()["groups"]
        == []
    )
