"""Patrols, callouts, proposals and visits: the vagtcentral's live flow over HTTP."""

from __future__ import annotations

import gc
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import services_of
from smartspot.clock import FixedClock
from smartspot.demo import load_demo_hotspots
from smartspot.i18n import translator
from smartspot.reasons import Reason, message
from smartspot.resources import SCENARIOS_DIR
from tests.api.conftest import NOW

# The routes' store work, on SQLite and on PostGIS (tests/conftest.py).
pytestmark = pytest.mark.both_backends

Headers = dict[str, dict[str, str]]
HERNING = (8.97, 56.14)
CALL_PLACE = (8.9, 56.2)


@pytest.fixture
def demo(app: FastAPI, client: TestClient, as_role: Headers) -> TestClient:
    """The demo hotspots and one car, MV-21 (home Holstebro), last seen in Herning."""
    load_demo_hotspots(services_of(app).hotspots, SCENARIOS_DIR)
    op = as_role["operator"]
    assert (
        client.post(
            "/patrols", json={"call_sign": "MV-21", "home_station": "st01"}, headers=op
        ).status_code
        == 201
    )
    fix = {"call_sign": "MV-21", "lon": HERNING[0], "lat": HERNING[1], "at": NOW.isoformat()}
    assert (
        client.post("/patrols/positions", json={"positions": [fix]}, headers=op).status_code == 200
    )
    return client


def _callout_to_clear(client: TestClient, op: dict[str, str], car: str = "MV-21") -> str:
    callout = client.post(
        "/callouts", json={"urgent": True, "lon": CALL_PLACE[0], "lat": CALL_PLACE[1]}, headers=op
    ).json()
    assert (
        client.post(
            f"/callouts/{callout['id']}/dispatch", json={"patrol": car}, headers=op
        ).status_code
        == 200
    )
    assert client.post(f"/callouts/{callout['id']}/arrive", headers=op).status_code == 200
    return str(callout["id"])


def _clear(client: TestClient, op: dict[str, str]) -> dict[str, Any]:
    callout_id = _callout_to_clear(client, op)
    answer = client.post(f"/callouts/{callout_id}/clear", headers=op)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_batch_of_positions_moves_many_cars_at_once(demo: TestClient, as_role: Headers) -> None:
    op = as_role["operator"]
    demo.post("/patrols", json={"call_sign": "MV-22", "home_station": "st02"}, headers=op)
    batch = [
        {
            "call_sign": "MV-21",
            "lon": 8.60,
            "lat": 56.36,
            "at": (NOW + timedelta(seconds=5)).isoformat(),
        },
        {
            "call_sign": "MV-22",
            "lon": 9.00,
            "lat": 56.10,
            "at": (NOW + timedelta(seconds=5)).isoformat(),
        },
    ]
    answer = demo.post("/patrols/positions", json={"positions": batch}, headers=op)
    assert answer.json() == {"stored": 2, "refused": [], "proposals": []}  # idle off here
    cars = {p["call_sign"]: p for p in demo.get("/patrols", headers=op).json()}
    assert (cars["MV-21"]["lon"], cars["MV-21"]["lat"]) == (8.6, 56.36)
    assert (cars["MV-22"]["lon"], cars["MV-22"]["lat"]) == (9.0, 56.1)


def test_a_fix_of_an_unknown_car_is_refused_and_the_rest_of_the_batch_stored(
    demo: TestClient, as_role: Headers
) -> None:
    batch = [
        {
            "call_sign": "MV-21",
            "lon": 8.60,
            "lat": 56.36,
            "at": (NOW + timedelta(seconds=9)).isoformat(),
        },
        {"call_sign": "XX-99", "lon": 9.00, "lat": 56.10, "at": NOW.isoformat()},
    ]
    answer = demo.post("/patrols/positions", json={"positions": batch}, headers=as_role["operator"])
    assert answer.status_code == 200
    [refused] = answer.json()["refused"]
    assert (refused["index"], refused["call_sign"], refused["status"]) == (1, "XX-99", 404)
    car = demo.get("/patrols/MV-21", headers=as_role["operator"]).json()
    assert (car["lon"], car["lat"]) == (8.6, 56.36)
    alone = demo.post(
        "/patrols/positions", json={"positions": batch[1:]}, headers=as_role["operator"]
    )
    assert alone.status_code == 404
    assert "XX-99" in alone.json()["detail"]


@pytest.mark.parametrize(
    ("offset", "words"), [(timedelta(days=1), "ude i fremtiden"), (-timedelta(days=2), "ældre")]
)
def test_a_fix_far_in_the_future_or_past_is_refused_by_name(
    demo: TestClient, as_role: Headers, offset: timedelta, words: str
) -> None:
    good = {"call_sign": "MV-21", "lon": 8.60, "lat": 56.36, "at": NOW.isoformat()}
    odd = {**good, "lon": 8.7, "at": (NOW + offset).isoformat()}
    op = as_role["operator"]
    answer = demo.post("/patrols/positions", json={"positions": [good, odd]}, headers=op)
    assert answer.status_code == 200
    [refused] = answer.json()["refused"]
    assert refused["index"] == 1 and refused["status"] == 422 and words in refused["reason"]
    car = demo.get("/patrols/MV-21", headers=op).json()
    assert (car["lon"], car["position_at"]) == (8.6, "2026-03-14T21:00:00Z")  # not frozen ahead
    alone = demo.post("/patrols/positions", json={"positions": [odd]}, headers=op)
    assert alone.status_code == 422 and "positions[0]" in alone.json()["detail"]


@pytest.mark.parametrize("year", ["0001", "9999", "1969"])
def test_a_fix_dated_outside_1970_to_2100_is_422(
    demo: TestClient, as_role: Headers, year: str
) -> None:
    fix = {"call_sign": "MV-21", "lon": 8.6, "lat": 56.3, "at": f"{year}-03-14T21:00:00+00:00"}
    answer = demo.post("/patrols/positions", json={"positions": [fix]}, headers=as_role["operator"])
    assert answer.status_code == 422


def test_a_position_without_timezone_or_outside_denmark_is_422(
    demo: TestClient, as_role: Headers
) -> None:
    naive = {"call_sign": "MV-21", "lon": 8.6, "lat": 56.3, "at": "2026-03-14T21:00:00"}
    assert (
        demo.post(
            "/patrols/positions", json={"positions": [naive]}, headers=as_role["operator"]
        ).status_code
        == 422
    )
    berlin = {"call_sign": "MV-21", "lon": 13.4, "lat": 52.5, "at": NOW.isoformat()}
    answer = demo.post(
        "/patrols/positions", json={"positions": [berlin]}, headers=as_role["operator"]
    )
    assert answer.status_code == 422
    assert "uden for Danmark" in answer.json()["detail"]


def test_a_patrol_with_an_unknown_station_is_422(client: TestClient, as_role: Headers) -> None:
    answer = client.post(
        "/patrols", json={"call_sign": "X-1", "home_station": "st999"}, headers=as_role["operator"]
    )
    assert answer.status_code == 422
    assert "st999" in answer.json()["detail"]


def test_a_cleared_callout_gives_the_car_a_proposal_it_can_act_on(
    demo: TestClient, as_role: Headers
) -> None:
    cleared = _clear(demo, as_role["operator"])
    assert cleared["callout"]["cleared_at"] is not None
    [proposal] = cleared["proposals"]
    assert proposal["patrol"] == "MV-21"
    assert proposal["status"] == "pending"
    assert proposal["stops"], proposal
    for stop in proposal["stops"]:
        assert stop["why"] and stop["title"] and stop["eta"]
    assert proposal["detour_min"] <= 30.0 + 1e-6  # the default detour budget
    current = demo.get("/patrols/MV-21/proposal", headers=as_role["planner"]).json()
    assert current["id"] == proposal["id"]
    car = demo.get("/patrols/MV-21", headers=as_role["planner"]).json()
    assert car["status"] == "returning"


def test_a_clear_answers_the_rounds_left_out_hotspots_once_for_all_its_cars(
    demo: TestClient, as_role: Headers
) -> None:
    op = as_role["operator"]
    demo.post("/patrols", json={"call_sign": "MV-22", "home_station": "st02"}, headers=op)
    fix = {"call_sign": "MV-22", "lon": 8.93, "lat": 56.17, "at": NOW.isoformat()}
    demo.post("/patrols/positions", json={"positions": [fix]}, headers=op)
    first = _callout_to_clear(demo, op, "MV-22")
    demo.post(f"/callouts/{first}/clear", headers=op)  # MV-22 heads home: planned with MV-21
    cleared = _clear(demo, op)
    proposals = cleared["proposals"]
    assert sorted(p["patrol"] for p in proposals) == ["MV-21", "MV-22"]
    assert cleared["left_out"], cleared
    for proposal in proposals:
        assert "left_out" not in proposal
        counts: dict[str, int] = {}
        for reason in cleared["left_out"].values():
            counts[reason["code"]] = counts.get(reason["code"], 0) + 1
        assert proposal["left_out_counts"] == counts
        # each stored proposal keeps its own copy, in the reader's words
        stored = demo.get(f"/proposals/{proposal['id']}", headers=op).json()
        assert stored["left_out"] == cleared["left_out"]
    stops = {s["hotspot"] for p in proposals for s in p["stops"]}
    assert not stops & set(cleared["left_out"])


def test_accepting_puts_the_car_on_task(demo: TestClient, as_role: Headers) -> None:
    proposal = _clear(demo, as_role["operator"])["proposals"][0]
    answer = demo.post(f"/proposals/{proposal['id']}/accept", json={}, headers=as_role["operator"])
    assert answer.status_code == 200
    assert answer.json()["status"] == "accepted"
    assert answer.json()["decided_by"] == "operator"
    _counts_the_left_out(demo, as_role["operator"], answer.json())
    assert demo.get("/patrols/MV-21", headers=as_role["operator"]).json()["status"] == "on_task"
    again = demo.post(f"/proposals/{proposal['id']}/accept", json={}, headers=as_role["operator"])
    assert again.status_code == 409


def test_accept_with_a_stop_removed_records_which(demo: TestClient, as_role: Headers) -> None:
    proposal = _clear(demo, as_role["operator"])["proposals"][0]
    stops = [s["hotspot"] for s in proposal["stops"]]
    assert len(stops) >= 2, "the demo call should give a plan of two or more stops"
    answer = demo.post(
        f"/proposals/{proposal['id']}/accept",
        json={"remove": [stops[0]]},
        headers=as_role["operator"],
    )
    assert answer.status_code == 200
    accepted = answer.json()
    assert accepted["removed_stops"] == [stops[0]]
    assert [s["hotspot"] for s in accepted["stops"]] == stops[1:]
    # re-timed on the solver's timeline: the car gets to the remaining stops sooner
    assert accepted["stops"][0]["eta"] < proposal["stops"][1]["eta"]
    assert accepted["home_at"] < proposal["home_at"]
    assert accepted["detour_min"] < proposal["detour_min"]


def test_removing_an_unknown_stop_or_every_stop_is_422(demo: TestClient, as_role: Headers) -> None:
    proposal = _clear(demo, as_role["operator"])["proposals"][0]
    url = f"/proposals/{proposal['id']}/accept"
    assert (
        demo.post(url, json={"remove": ["HS-999999"]}, headers=as_role["operator"]).status_code
        == 422
    )
    every = [s["hotspot"] for s in proposal["stops"]]
    answer = demo.post(url, json={"remove": every}, headers=as_role["operator"])
    assert answer.status_code == 422
    assert "afvis" in answer.json()["detail"]


def test_reject_needs_a_reason_and_records_it(demo: TestClient, as_role: Headers) -> None:
    proposal = _clear(demo, as_role["operator"])["proposals"][0]
    url = f"/proposals/{proposal['id']}/reject"
    assert demo.post(url, json={"reason": ""}, headers=as_role["operator"]).status_code == 422
    answer = demo.post(url, json={"reason": "Vagtskifte om lidt"}, headers=as_role["operator"])
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["reason"]) == ("rejected", "Vagtskifte om lidt")
    _counts_the_left_out(demo, as_role["operator"], answer.json())


def _counts_the_left_out(client: TestClient, op: dict[str, str], decided: dict[str, Any]) -> None:
    """A decision's answer counts the left-out hotspots per reason; the reasons themselves, in
    the reader's words, are the stored proposal's."""
    assert "left_out" not in decided
    stored = client.get(f"/proposals/{decided['id']}", headers=op).json()
    assert stored["left_out"], stored
    counts: dict[str, int] = {}
    for reason in stored["left_out"].values():
        counts[reason["code"]] = counts.get(reason["code"], 0) + 1
    assert decided["left_out_counts"] == counts
    assert {k: v for k, v in stored.items() if k != "left_out"} == {
        k: v for k, v in decided.items() if k != "left_out_counts"
    }


def test_dispatching_the_car_voids_its_proposal_at_once(demo: TestClient, as_role: Headers) -> None:
    op = as_role["operator"]
    proposal = _clear(demo, op)["proposals"][0]
    urgent = demo.post(
        "/callouts", json={"urgent": True, "lon": 8.62, "lat": 56.36}, headers=op
    ).json()
    demo.post(f"/callouts/{urgent['id']}/dispatch", json={"patrol": "MV-21"}, headers=op)
    voided = demo.get(f"/proposals/{proposal['id']}", headers=op).json()
    assert voided["status"] == "voided"
    assert urgent["id"] in voided["reason"]
    assert demo.post(f"/proposals/{proposal['id']}/accept", json={}, headers=op).status_code == 409


def test_an_urgent_call_voids_the_accepted_task_the_car_was_on(
    demo: TestClient, as_role: Headers
) -> None:
    op = as_role["operator"]
    proposal = _clear(demo, op)["proposals"][0]
    demo.post(f"/proposals/{proposal['id']}/accept", json={}, headers=op)
    assert demo.get("/patrols/MV-21", headers=op).json()["status"] == "on_task"
    urgent = demo.post(
        "/callouts", json={"urgent": True, "lon": 8.62, "lat": 56.36}, headers=op
    ).json()
    demo.post(f"/callouts/{urgent['id']}/dispatch", json={"patrol": "MV-21"}, headers=op)
    voided = demo.get(f"/proposals/{proposal['id']}", headers=op).json()
    assert voided["status"] == "voided"
    assert urgent["id"] in voided["reason"]
    assert demo.get("/patrols/MV-21", headers=op).json()["status"] == "dispatched"


def test_replay_solves_the_stored_problem_to_the_same_answer(
    demo: TestClient, as_role: Headers
) -> None:
    proposal = _clear(demo, as_role["operator"])["proposals"][0]
    replay = demo.get(f"/proposals/{proposal['id']}/replay", headers=as_role["planner"]).json()
    assert replay["same"] is True
    assert replay["replayed"]["plans"] == replay["stored"]["plans"]
    problem = demo.get(f"/proposals/{proposal['id']}/problem", headers=as_role["planner"]).json()
    assert set(problem) == {"cars", "hotspots", "travel_s"}


def test_no_proposal_while_an_urgent_call_waits_in_the_district(
    demo: TestClient, as_role: Headers
) -> None:
    op = as_role["operator"]
    callout_id = _callout_to_clear(demo, op)
    demo.post("/callouts", json={"urgent": True, "lon": 8.62, "lat": 56.36}, headers=op)  # waits
    cleared = demo.post(f"/callouts/{callout_id}/clear", headers=op).json()
    [empty] = cleared["proposals"]
    assert (empty["status"], empty["stops"]) == ("empty", [])
    assert empty["blocked"]["code"] == "urgent_queue"
    codes = {r["code"] for r in cleared["left_out"].values()}
    assert "urgent_queue" in codes and codes <= {"urgent_queue", "not_active_now", "not_valid"}


def test_callout_steps_out_of_order_are_409(demo: TestClient, as_role: Headers) -> None:
    op = as_role["operator"]
    callout = demo.post(
        "/callouts", json={"urgent": False, "lon": 8.62, "lat": 56.36}, headers=op
    ).json()
    assert demo.post(f"/callouts/{callout['id']}/arrive", headers=op).status_code == 409
    assert demo.post(f"/callouts/{callout['id']}/clear", headers=op).status_code == 409
    assert demo.post("/callouts/CO-999999/arrive", headers=op).status_code == 404


def test_a_reported_visit_with_its_outcome(demo: TestClient, as_role: Headers) -> None:
    op = as_role["operator"]
    body = {"hotspot": "HS-000001", "patrol": "MV-21", "arrived_at": NOW.isoformat()}
    visit = demo.post("/visits", json=body, headers=op).json()
    left = (NOW + timedelta(minutes=12)).isoformat()
    change = {
        "left_at": left,
        "outcome": "observed",
        "persons": 4,
        "action": "samtale",
        "note": "rolig stemning",
    }
    answer = demo.patch(f"/visits/{visit['id']}", json=change, headers=op)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert (out["minutes_on_site"], out["outcome"], out["persons"], out["detected"]) == (
        12.0,
        "observed",
        4,
        False,
    )
    assert demo.get("/visits/last", headers=op).json()["HS-000001"].startswith("2026-03-14T21:00")
    unknown = demo.post("/visits", json={**body, "hotspot": "HS-999999"}, headers=op)
    assert unknown.status_code == 404


def _hotspot_point(
    demo: TestClient, headers: dict[str, str], hotspot_id: str
) -> tuple[float, float]:
    feature = demo.get(f"/hotspots/{hotspot_id}", headers=headers).json()
    geometry = feature["geometry"]
    if geometry["type"] == "Point":
        return tuple(geometry["coordinates"])  # type: ignore[return-value]
    ring = geometry["coordinates"][0]
    return (
        sum(p[0] for p in ring[:-1]) / (len(ring) - 1),
        sum(p[1] for p in ring[:-1]) / (len(ring) - 1),
    )


@pytest.mark.parametrize(("minutes", "expected"), [(4, 1), (2, 0)])
def test_positions_at_a_hotspot_for_three_minutes_count_as_a_visit(
    app: FastAPI,
    demo: TestClient,
    as_role: Headers,
    clock: FixedClock,
    minutes: int,
    expected: int,
) -> None:
    op = as_role["operator"]
    lon, lat = _hotspot_point(demo, op, "HS-000002")
    start = NOW + timedelta(minutes=1)
    fixes = [
        {
            "call_sign": "MV-21",
            "lon": lon,
            "lat": lat,
            "at": (start + timedelta(seconds=30 * k)).isoformat(),
        }
        for k in range(minutes * 2 + 1)
    ]
    away = start + timedelta(minutes=minutes, seconds=30)
    fixes.append({"call_sign": "MV-21", "lon": 8.62, "lat": 56.36, "at": away.isoformat()})
    clock.current = away  # the batch arrives as the last fix is made
    assert demo.post("/patrols/positions", json={"positions": fixes}, headers=op).status_code == 200
    visits = demo.get("/visits", params={"hotspot": "HS-000002"}, headers=op).json()
    assert len(visits) == expected
    if expected:
        assert visits[0]["detected"] is True
        assert visits[0]["minutes_on_site"] == pytest.approx(minutes)


def test_a_car_that_goes_quiet_at_a_hotspot_still_gets_its_visit(
    app: FastAPI, demo: TestClient, as_role: Headers, clock: FixedClock
) -> None:
    op = as_role["operator"]
    lon, lat = _hotspot_point(demo, op, "HS-000002")
    first = [
        {
            "call_sign": "MV-21",
            "lon": lon,
            "lat": lat,
            "at": (NOW + timedelta(minutes=m)).isoformat(),
        }
        for m in (1, 3, 5)
    ]
    clock.current = NOW + timedelta(minutes=5)
    demo.post("/patrols/positions", json={"positions": first}, headers=op)
    clock.current = NOW + timedelta(minutes=40)
    later = {
        "call_sign": "MV-21",
        "lon": lon,
        "lat": lat,
        "at": (NOW + timedelta(minutes=40)).isoformat(),
    }
    demo.post("/patrols/positions", json={"positions": [later]}, headers=op)
    visits = demo.get("/visits", params={"hotspot": "HS-000002"}, headers=op).json()
    assert [v["minutes_on_site"] for v in visits] == [4.0]


@pytest.mark.slow
def test_proposals_can_use_the_travel_layers_district_model(tmp_path: Any) -> None:
    from api import create_app
    from smartspot.live.positions import Fix
    from tests.api.conftest import make_settings

    app = create_app(make_settings(tmp_path, travel="district"), clock=FixedClock(NOW))
    services = services_of(app)
    load_demo_hotspots(services.hotspots, SCENARIOS_DIR)
    engine = services.engine
    engine.add_patrol("MV-21", "st02", actor="test")
    engine.record_positions([Fix("MV-21", HERNING[0], HERNING[1], NOW)])
    [proposal] = engine.propose(["MV-21"], actor="test")
    assert proposal.kept
    assert engine.replay(proposal.id)["same"] is True
    services.close()


def test_a_proposals_reasons_are_danish_for_a_danish_reader_and_english_on_request(
    demo: TestClient, as_role: Headers
) -> None:
    proposal = _clear(demo, as_role["operator"])["proposals"][0]  # no Accept-Language: Danish
    reasons = [r for s in proposal["stops"] for r in s["reasons"]]
    assert reasons
    for reason in reasons:  # each text is the Danish of its code and parameters
        danish = translator("da")(message(Reason.from_dict(reason)))
        assert reason["text"] == danish != translator("en")(message(Reason.from_dict(reason)))
    for stop in proposal["stops"]:
        assert stop["why"] == "; ".join(r["text"] for r in stop["reasons"])
    english = demo.get(
        f"/proposals/{proposal['id']}", headers={**as_role["operator"], "Accept-Language": "en"}
    ).json()
    for stop in english["stops"]:
        assert stop["why"] == "; ".join(
            translator("en")(message(Reason.from_dict(r))) for r in stop["reasons"]
        )
    # the codes and parameters a program reads are the same in both
    assert [r["code"] for s in english["stops"] for r in s["reasons"]] == [
        r["code"] for r in reasons
    ]
    assert [r["params"] for s in english["stops"] for r in s["reasons"]] == [
        r["params"] for r in reasons
    ]


def test_an_avl_batch_answers_with_the_proposal_for_a_car_idle_at_its_station(
    tmp_path: Any,
) -> None:
    import shutil

    from api import create_app
    from api.auth import new_account
    from tests.api.conftest import PASSWORD, make_settings

    policies = tmp_path / "policies"
    shutil.copytree(Path(__file__).parent / "policies", policies)
    mv = policies / "mv" / "policy.toml"
    mv.write_text(mv.read_text(encoding="utf-8") + "idle_after_min = 20\n", encoding="utf-8")
    clock = FixedClock(NOW)
    app = create_app(make_settings(tmp_path / "idle", policy_dir=policies), clock=clock)
    services = services_of(app)
    load_demo_hotspots(services.hotspots, SCENARIOS_DIR)
    account = new_account(
        "op", "operator", PASSWORD, now=NOW, districts=("Midt- og Vestjyllands Politi",)
    )
    services.store.users.add(account, actor="test")
    client = TestClient(app)
    token = client.post("/auth/token", data={"username": "op", "password": PASSWORD}).json()
    op = {"Authorization": f"Bearer {token['access_token']}"}
    client.post("/patrols", json={"call_sign": "MV-22", "home_station": "st02"}, headers=op)
    station = (8.97662, 56.13615)  # Herning politigård

    def parked(minutes: int) -> dict[str, Any]:
        at = (NOW + timedelta(minutes=minutes)).isoformat()
        fix = {"call_sign": "MV-22", "lon": station[0], "lat": station[1], "at": at}
        clock.current = NOW + timedelta(minutes=minutes)
        answer = client.post("/patrols/positions", json={"positions": [fix]}, headers=op)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    assert parked(0)["proposals"] == parked(10)["proposals"] == []
    [proposal] = parked(21)["proposals"]
    assert proposal["status"] == "pending" and proposal["stops"]
    assert proposal["stops"][0]["reasons"][0]["code"] == "idle"
    assert proposal["stops"][0]["why"].startswith("ledig på posten i 21 min")
    listed = client.get("/proposals", params={"patrol": "MV-22"}, headers=op).json()
    assert [p["id"] for p in listed] == [proposal["id"]]
    services.close()


def test_a_clear_and_a_batch_answer_their_documented_json(
    demo: TestClient, as_role: Headers
) -> None:
    """Both routes write their answer themselves (no second validation hop, no JSON on the
    event loop): still exactly their response models, as JSON."""
    from api.live_schemas import ClearedOut, PositionsStored

    op = as_role["operator"]
    fix = {"call_sign": "MV-21", "lon": 8.61, "lat": 56.14, "at": NOW.isoformat()}
    ghost = {**fix, "call_sign": "GHOST-1"}
    batch = demo.post("/patrols/positions", json={"positions": [fix, ghost]}, headers=op)
    assert batch.status_code == 200
    assert batch.headers["content-type"] == "application/json"
    assert PositionsStored.model_validate_json(batch.content).model_dump(mode="json") == (
        batch.json()
    )
    assert batch.json()["stored"] == 1
    assert [r["call_sign"] for r in batch.json()["refused"]] == ["GHOST-1"]
    callout_id = _callout_to_clear(demo, op)
    cleared = demo.post(f"/callouts/{callout_id}/clear", headers=op)
    assert cleared.status_code == 200
    assert cleared.headers["content-type"] == "application/json"
    body = cleared.json()
    assert ClearedOut.model_validate_json(cleared.content).model_dump(mode="json") == body
    assert body["callout"]["id"] == callout_id and body["proposals"][0]["patrol"] == "MV-21"


def test_a_clears_answer_is_made_and_sent_with_the_collector_paused_and_it_resumes_after(
    app: FastAPI, demo: TestClient, as_role: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The young collection the clear's planning postponed runs after the answer is sent (it
    ran in the route's answer, 11.6-16.6 ms, issue 10 §7); a refused clear resumes it too."""
    from api.routers import live

    seen: list[str] = []
    made = live.round_view

    def round_view(*args: Any) -> Any:  # the route's own work on the answer, watched
        seen.append(f"answer made, collector on: {gc.isenabled()}")
        return made(*args)

    async def watched(scope: Any, receive: Any, send: Any) -> None:  # the server's side
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.body" and scope["path"].endswith("/clear"):
                seen.append(f"answer sent, collector on: {gc.isenabled()}")
            await send(message)

        await app(scope, receive, sending)

    monkeypatch.setattr(live, "round_view", round_view)
    client = TestClient(watched)
    assert gc.isenabled()
    op = as_role["operator"]
    callout_id = _callout_to_clear(demo, op)
    assert client.post(f"/callouts/{callout_id}/clear", headers=op).status_code == 200
    assert seen == ["answer made, collector on: False", "answer sent, collector on: False"]
    assert gc.isenabled()  # on again once it was sent
    assert client.post(f"/callouts/{callout_id}/clear", headers=op).status_code == 409
    assert gc.isenabled()
