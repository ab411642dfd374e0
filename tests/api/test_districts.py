"""Users belong to districts: over the matrix role × district × endpoint, a user of Midt- og
Vestjyllands Politi reads and changes what lies there and is refused (403) everything of
Østjyllands Politi (hotspots, cars, callouts, proposals, visits, follow-ups); lists, reports,
/ogc and the event stream show only their districts; the map opens on the user's own
district; a national user sees both."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.access import event_filter
from api.app import services_of
from api.auth import GRANTS, Permission, Principal, Role, new_account
from smartspot.access import Districts
from smartspot.clock import FixedClock
from tests.api.conftest import NOW, PASSWORD, add_users, make_settings, point_feature
from tests.api.conftest import login as login_once

MV, OJ = "Midt- og Vestjyllands Politi", "Østjyllands Politi"
_TOKENS: dict[tuple[int, str], dict[str, str]] = {}


def login(client: TestClient, user: str) -> dict[str, str]:
    """Each user logs in once per app (a password check costs argon2's CPU time)."""
    key = (id(client.app), user)
    if key not in _TOKENS:
        _TOKENS[key] = login_once(client, user)
    return _TOKENS[key]


ROLES = ("operator", "analyst", "planner", "admin")
OUTSIDE = "uden for dine kredse"  # the Danish of "outside your districts"


@dataclass(frozen=True)
class Place:
    """One district's objects, made by national users."""

    politikreds: str
    lon: float
    lat: float
    station: str
    hotspot: str
    car: str
    callout: str  # received, not yet dispatched
    proposal: str
    visit: str
    followup: str  # open, in the visit queue
    closed_followup: str  # closed by phone at NOW (for the follow-up report)


def _followup(lon: float, lat: float, serial: int) -> dict[str, Any]:
    properties = {
        "case_ref": f"4100-76543-{serial:05d}-26",
        "category": "burglary",
        "task": "Tryghedsopfølgning efter indbrud",
        "name": "Jens Jensen",
        "phone": "+45 20 30 40 50",
        "address": "Adressen",
        "windows": ["mon-sun 08:00-20:00"],
    }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def _make_place(client: TestClient, name: str, lon: float, lat: float, station: str) -> Place:
    analyst, operator = login(client, "analyst"), login(client, "operator")
    feature = point_feature(lon + 0.01, lat, title=f"Knallerter i {name}")
    hotspot = client.post("/hotspots", json=feature, headers=analyst).json()["id"]
    car = f"{name}-1"
    assert client.post(
        "/patrols", json={"call_sign": car, "home_station": station}, headers=operator
    ).is_success
    fix = {"call_sign": car, "lon": lon, "lat": lat, "at": NOW.isoformat()}
    assert client.post("/patrols/positions", json={"positions": [fix]}, headers=operator).is_success
    here = {"urgent": True, "lon": lon + 0.02, "lat": lat}
    done = client.post("/callouts", json=here, headers=operator).json()["id"]
    client.post(f"/callouts/{done}/dispatch", json={"patrol": car}, headers=operator)
    client.post(f"/callouts/{done}/arrive", headers=operator)
    cleared = client.post(f"/callouts/{done}/clear", headers=operator).json()
    proposal = cleared["proposals"][0]["id"]
    callout = client.post("/callouts", json=here, headers=operator).json()["id"]
    visit = {"hotspot": hotspot, "patrol": car, "arrived_at": NOW.isoformat()}
    made = client.post("/visits", json=visit, headers=operator)
    assert made.status_code == 201, made.text
    politikreds = client.get(f"/hotspots/{hotspot}", headers=analyst).json()["properties"]
    followups = []
    for serial in (1, 2):
        made_followup = client.post(
            "/followups", json=_followup(lon + 0.015, lat, serial), headers=analyst
        )
        assert made_followup.status_code == 201, made_followup.text
        followups.append(made_followup.json()["id"])
    closed = client.post(
        f"/followups/{followups[1]}/close", json={"status": "done_by_phone"}, headers=operator
    )
    assert closed.is_success, closed.text
    return Place(
        politikreds["politikreds"],
        lon,
        lat,
        station,
        hotspot,
        car,
        callout,
        proposal,
        made.json()["id"],
        *followups,
    )


@dataclass(frozen=True)
class World:
    app: FastAPI
    client: TestClient
    mv: Place
    oj: Place


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = create_app(make_settings(tmp_path_factory.mktemp("districts")), clock=FixedClock(NOW))
    add_users(app)  # operator, analyst, planner, admin: national
    users = services_of(app).store.users
    local = new_account("x-mv", "operator", PASSWORD, now=NOW, districts=(MV,))
    for role in ROLES:
        users.add(replace(local, name=f"{role}-mv", role=role), actor="test")
    client = TestClient(app)
    mv = _make_place(client, "MV", 8.6246, 56.3706, "st01")
    oj = _make_place(client, "OJ", 10.2108, 56.1529, "st12")
    assert (mv.politikreds, oj.politikreds) == (MV, OJ)
    yield World(app, client, mv, oj)
    services_of(app).close()


# -- the matrix ------------------------------------------------------------------------------

Request = tuple[str, str, dict[str, Any] | None]


@dataclass(frozen=True)
class Endpoint:
    name: str
    permission: Permission
    request: Callable[[Place, str], Request]  # (the district's objects, the role) -> request


READ, EDIT, OPERATE = Permission.READ, Permission.EDIT_HOTSPOTS, Permission.OPERATE
DECIDE, AUDIT = Permission.DECIDE_PROPOSALS, Permission.READ_AUDIT
FOLLOW, RECORD = Permission.EDIT_FOLLOWUPS, Permission.RECORD_FOLLOWUPS


def _fix(p: Place) -> dict[str, Any]:
    return {"positions": [{"call_sign": p.car, "lon": p.lon, "lat": p.lat, "at": NOW.isoformat()}]}


# Reads first, then writes; a write on the user's own district may change it (closing a
# hotspot, deciding a proposal): later requests then answer 409, never a district's 403.
ENDPOINTS = (
    Endpoint("hotspot", READ, lambda p, r: ("GET", f"/hotspots/{p.hotspot}", None)),
    Endpoint("history", READ, lambda p, r: ("GET", f"/hotspots/{p.hotspot}/history", None)),
    Endpoint(
        "hotspots of a kreds",
        READ,
        lambda p, r: ("GET", f"/hotspots?politikreds={p.politikreds}", None),
    ),
    Endpoint(
        "export", READ, lambda p, r: ("GET", f"/hotspots/export?politikreds={p.politikreds}", None)
    ),
    Endpoint("patrol", READ, lambda p, r: ("GET", f"/patrols/{p.car}", None)),
    Endpoint("car's proposal", READ, lambda p, r: ("GET", f"/patrols/{p.car}/proposal", None)),
    Endpoint("callout", READ, lambda p, r: ("GET", f"/callouts/{p.callout}", None)),
    Endpoint("proposal", READ, lambda p, r: ("GET", f"/proposals/{p.proposal}", None)),
    Endpoint("problem", READ, lambda p, r: ("GET", f"/proposals/{p.proposal}/problem", None)),
    Endpoint("replay", READ, lambda p, r: ("GET", f"/proposals/{p.proposal}/replay", None)),
    Endpoint("car's proposals", READ, lambda p, r: ("GET", f"/proposals?patrol={p.car}", None)),
    Endpoint("hotspot's visits", READ, lambda p, r: ("GET", f"/visits?hotspot={p.hotspot}", None)),
    Endpoint("car's visits", READ, lambda p, r: ("GET", f"/visits?patrol={p.car}", None)),
    Endpoint(
        "ogc item",
        READ,
        lambda p, r: ("GET", f"/ogc/collections/hotspot_points/items/{p.hotspot}", None),
    ),
    Endpoint("follow-up", READ, lambda p, r: ("GET", f"/followups/{p.followup}", None)),
    Endpoint(
        "follow-up's attempts",
        READ,
        lambda p, r: ("GET", f"/followups/{p.followup}/attempts", None),
    ),
    Endpoint(
        "follow-ups of a kreds",
        READ,
        lambda p, r: ("GET", f"/followups?politikreds={p.politikreds}", None),
    ),
    Endpoint("audit", AUDIT, lambda p, r: ("GET", f"/audit?object={p.hotspot}", None)),
    Endpoint(
        "edit hotspot",
        EDIT,
        lambda p, r: ("PATCH", f"/hotspots/{p.hotspot}", {"properties": {"priority": 2}}),
    ),
    Endpoint(
        "register hotspot",
        EDIT,
        lambda p, r: ("POST", "/hotspots", point_feature(p.lon + 0.03, p.lat, title=f"Ny {r}")),
    ),
    Endpoint(
        "register car",
        OPERATE,
        lambda p, r: (
            "POST",
            "/patrols",
            {"call_sign": f"{p.car}-{r}", "home_station": p.station},
        ),
    ),
    Endpoint("AVL", OPERATE, lambda p, r: ("POST", "/patrols/positions", _fix(p))),
    Endpoint(
        "car status",
        OPERATE,
        lambda p, r: ("POST", f"/patrols/{p.car}/status", {"status": "available"}),
    ),
    Endpoint(
        "receive call",
        OPERATE,
        lambda p, r: ("POST", "/callouts", {"urgent": False, "lon": p.lon, "lat": p.lat}),
    ),
    Endpoint("propose", OPERATE, lambda p, r: ("POST", "/proposals", {"patrols": [p.car]})),
    Endpoint(
        "report visit",
        OPERATE,
        lambda p, r: (
            "POST",
            "/visits",
            {"hotspot": p.hotspot, "patrol": p.car, "arrived_at": NOW.isoformat()},
        ),
    ),
    Endpoint("amend visit", OPERATE, lambda p, r: ("PATCH", f"/visits/{p.visit}", {"note": r})),
    Endpoint(
        "reject", DECIDE, lambda p, r: ("POST", f"/proposals/{p.proposal}/reject", {"reason": r})
    ),
    Endpoint("accept", DECIDE, lambda p, r: ("POST", f"/proposals/{p.proposal}/accept", {})),
    Endpoint(
        "dispatch",
        OPERATE,
        lambda p, r: ("POST", f"/callouts/{p.callout}/dispatch", {"patrol": p.car}),
    ),
    Endpoint("arrive", OPERATE, lambda p, r: ("POST", f"/callouts/{p.callout}/arrive", None)),
    Endpoint("clear", OPERATE, lambda p, r: ("POST", f"/callouts/{p.callout}/clear", None)),
    Endpoint(
        "register follow-up",
        FOLLOW,
        lambda p, r: ("POST", "/followups", _followup(p.lon + 0.03, p.lat, 900 + len(r))),
    ),
    Endpoint(
        "follow-up attempt",
        RECORD,
        lambda p, r: (
            "POST",
            f"/followups/{p.followup}/attempts",
            {"patrol": p.car, "outcome": "not_home", "left": "leaflet"},
        ),
    ),
    Endpoint(
        "follow-up contact", DECIDE, lambda p, r: ("GET", f"/followups/{p.followup}/contact", None)
    ),
    Endpoint(
        "follow-up to phone", RECORD, lambda p, r: ("POST", f"/followups/{p.followup}/phone", None)
    ),
    Endpoint(
        "close follow-up",
        RECORD,
        lambda p, r: (
            "POST",
            f"/followups/{p.followup}/close",
            {"status": "cancelled", "reason": f"Afslået ({r})"},
        ),
    ),
    Endpoint(
        "close hotspot",
        EDIT,
        lambda p, r: ("POST", f"/hotspots/{p.hotspot}/close", {"reason": f"Løst ({r})"}),
    ),
)


def _send(world: World, user: str, request: Request) -> Any:
    method, path, body = request
    headers = login(world.client, user)
    if method == "PATCH" and path.startswith("/hotspots/"):  # the version the editor saw
        seen = world.client.get(path, headers=login(world.client, "analyst")).json()
        body = {**(body or {}), "expected_version": seen["properties"]["version"]}
    return world.client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@pytest.mark.parametrize("role", ROLES)
def test_a_user_is_refused_other_districts_and_served_their_own(
    world: World, role: str, endpoint: Endpoint
) -> None:
    user = f"{role}-mv"
    permitted = endpoint.permission in GRANTS[Role(role)]
    other = _send(world, user, endpoint.request(world.oj, role))
    assert other.status_code == 403, other.text
    if permitted:  # refused for the district, in Danish
        assert OUTSIDE in other.json()["detail"]
    own = _send(world, user, endpoint.request(world.mv, role))
    if not permitted:  # the role's refusal, the same as for a national user of that role
        assert own.status_code == 403 and OUTSIDE not in own.json()["detail"]
    elif endpoint.permission in (READ, AUDIT):
        assert own.status_code == 200, own.text
    else:
        assert own.status_code not in (401, 403, 404, 422), own.text


def test_a_refused_write_leaves_no_trace(world: World) -> None:
    store = services_of(world.app).store
    oj = world.oj
    objects = [oj.hotspot, oj.car, oj.callout, oj.proposal, oj.visit, oj.followup]
    before = {o: len(store.audit_of(o)) for o in objects}
    events, audit = store.events.last(), len(store.audit.entries())
    for endpoint in ENDPOINTS:
        assert _send(world, "admin-mv", endpoint.request(world.oj, "x")).status_code == 403
    assert {o: len(store.audit_of(o)) for o in objects} == before
    assert (store.events.last(), len(store.audit.entries())) == (events, audit)


def test_a_national_user_reads_and_changes_both_districts(world: World) -> None:
    for place in (world.mv, world.oj):
        for endpoint in [e for e in ENDPOINTS if e.permission is READ]:
            answer = _send(world, "admin", endpoint.request(place, "admin"))
            assert answer.status_code == 200, (endpoint.name, answer.text)
        note = _send(world, "operator", ("PATCH", f"/visits/{place.visit}", {"note": "ok"}))
        assert note.status_code == 200, note.text


# -- lists, reports, /ogc and the stream -------------------------------------------------------


def _get(world: World, user: str, path: str) -> Any:
    answer = world.client.get(path, headers=login(world.client, user))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_lists_show_only_the_users_districts(world: World) -> None:
    mv, oj = world.mv, world.oj
    for user, seen, unseen in (("planner-mv", mv, oj), ("planner", None, None)):
        hotspots = {f["id"] for f in _get(world, user, "/hotspots?limit=10000")["features"]}
        patrols = {p["call_sign"] for p in _get(world, user, "/patrols")}
        callouts = {c["id"] for c in _get(world, user, "/callouts")}
        proposals = {p["id"] for p in _get(world, user, "/proposals")}
        visits = {v["id"] for v in _get(world, user, "/visits")}
        last = set(_get(world, user, "/visits/last"))
        ogc = _get(world, user, "/ogc/collections/hotspot_points/items?limit=10000")
        points = {f["id"] for f in ogc["features"]}
        export = _get(world, user, "/hotspots/export")
        exported = {f["id"] for f in export["features"]}
        followups = {f["id"] for f in _get(world, user, "/followups?limit=10000")["features"]}
        if seen is None:  # national: both
            assert {mv.followup, oj.followup, mv.closed_followup, oj.closed_followup} <= followups
            assert {mv.hotspot, oj.hotspot} <= hotspots & points & exported
            assert {mv.car, oj.car} <= patrols and {mv.callout, oj.callout} <= callouts
            assert {mv.proposal, oj.proposal} <= proposals and {mv.visit, oj.visit} <= visits
            assert {mv.hotspot, oj.hotspot} <= last
            continue
        assert unseen is not None
        assert seen.hotspot in hotspots & points & exported and seen.hotspot in last
        assert unseen.hotspot not in hotspots | points | exported | last
        assert seen.car in patrols and unseen.car not in patrols
        assert seen.callout in callouts and unseen.callout not in callouts
        assert seen.proposal in proposals and unseen.proposal not in proposals
        assert seen.visit in visits and unseen.visit not in visits
        assert {seen.followup, seen.closed_followup} <= followups
        assert not {unseen.followup, unseen.closed_followup} & followups
        kredse = {
            f["properties"]["politikreds"] for f in _get(world, user, "/hotspots")["features"]
        }
        assert kredse == {MV}


def test_reports_count_only_the_users_districts(world: World) -> None:
    period = "since=2026-03-01T00:00:00%2B01:00&until=2026-04-01T00:00:00%2B01:00"
    for user, expected in (("analyst-mv", {MV}), ("analyst", {MV, OJ})):
        times = _get(world, user, f"/reports/response-times?{period}&by=politikreds")
        assert {g["key"] for g in times["groups"]} == expected
        by_kommune = _get(world, user, f"/reports/response-times?{period}&by=kommune")
        assert {g["politikreds"] for g in by_kommune["groups"]} == expected
        visits = _get(world, user, f"/reports/visits?{period}&by=hotspot")
        hotspots = {g["key"] for g in visits["groups"]}
        assert (world.oj.hotspot in hotspots) == (OJ in expected)
        assert world.mv.hotspot in hotspots
        followups = _get(world, user, f"/reports/followups?{period}&by=politikreds")
        assert {g["key"] for g in followups["groups"]} == expected
        assert all(g["by_phone"] >= 1 for g in followups["groups"])
        by_kommune = _get(world, user, f"/reports/followups?{period}&by=kommune")
        kredse = {
            services_of(world.app).regions.kommune(g["key"]).politikreds
            for g in by_kommune["groups"]
        }
        assert kredse == expected


def test_an_avl_batch_stores_the_users_cars_and_refuses_the_others(world: World) -> None:
    operator = login(world.client, "operator-mv")
    both = {"positions": _fix(world.mv)["positions"] + _fix(world.oj)["positions"]}
    answer = world.client.post("/patrols/positions", json=both, headers=operator)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["stored"] == 1
    assert [(r["index"], r["call_sign"], r["status"]) for r in body["refused"]] == [
        (1, world.oj.car, 403)
    ]
    assert OUTSIDE in body["refused"][0]["reason"]


def _principal(world: World, user: str) -> Principal:
    account = services_of(world.app).store.users.get(user)
    return Principal(user, Role(account.role), districts=Districts.of(account.districts))


def test_the_event_stream_carries_only_the_users_districts(world: World) -> None:
    services = services_of(world.app)

    async def read(user: str) -> list[tuple[str, dict[str, Any]]]:
        select = event_filter(_principal(world, user), services.belonging)
        stream = services.events.listen(after=0, keepalive_s=0.05, select=select)
        found = []
        async for chunk in stream:
            if chunk.startswith(": keep-alive"):
                break
            fields = dict(
                line.split(": ", 1) for line in chunk.strip().splitlines() if ": " in line
            )
            if "event" in fields:
                found.append((fields["event"], json.loads(fields["data"])))
        await stream.aclose()
        return found

    local, national = asyncio.run(read("operator-mv")), asyncio.run(read("operator"))
    assert len(national) > len(local) > 0
    text = json.dumps(local, ensure_ascii=False)
    oj = world.oj
    for oj_id in (oj.hotspot, oj.car, oj.callout, oj.proposal, oj.followup, oj.closed_followup):
        assert oj_id not in text
        assert oj_id in json.dumps(national, ensure_ascii=False)
    kinds = {kind for kind, _ in local}
    assert {"hotspot", "patrol", "positions", "callout", "proposal", "visit", "followup"} <= kinds
    for kind, data in local:
        if kind == "positions":
            assert {f["call_sign"] for f in data["positions"]} <= {world.mv.car, *_mv_cars(world)}


def _mv_cars(world: World) -> set[str]:
    return {f"{world.mv.car}-{role}" for role in ROLES}


def test_the_map_opens_on_the_users_own_district(world: World) -> None:
    users = services_of(world.app).store.users
    users.add(new_account("vagt-oj", "operator", PASSWORD, now=NOW, districts=(OJ,)), actor="test")
    assert _get(world, "vagt-oj", "/config")["district"] == OJ
    assert _get(world, "vagt-oj", "/config")["districts"] == [OJ]
    assert _get(world, "operator-mv", "/config")["district"] == MV
    assert _get(world, "operator", "/config")["district"] == MV  # national: the deployment's
    assert _get(world, "vagt-oj", "/auth/me")["districts"] == [OJ]


# -- user admin ------------------------------------------------------------------------------


def test_admins_give_users_districts_which_apply_at_once(world: World) -> None:
    admin = login(world.client, "admin")
    made = world.client.post(
        "/users",
        json={"name": "ana-oj", "role": "analyst", "password": PASSWORD, "districts": ["østjyl"]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["districts"] == [OJ]
    unknown = world.client.post(
        "/users",
        json={"name": "ana-x", "role": "analyst", "password": PASSWORD, "districts": ["Atlantis"]},
        headers=admin,
    )
    assert unknown.status_code == 422 and "ingen enkelt politikreds" in unknown.json()["detail"]
    default = world.client.post(
        "/users", json={"name": "ana-d", "role": "analyst", "password": PASSWORD}, headers=admin
    )
    assert default.json()["districts"] == [MV]  # the deployment's own (SMARTSPOT_DISTRICT)
    analyst = login(world.client, "ana-oj")
    mv_hotspot = f"/hotspots/{world.mv.hotspot}"
    assert world.client.get(mv_hotspot, headers=analyst).status_code == 403
    changed = world.client.patch("/users/ana-oj", json={"districts": ["alle"]}, headers=admin)
    assert changed.status_code == 200 and changed.json()["districts"] == ["*"]
    assert world.client.get(mv_hotspot, headers=analyst).status_code == 200  # same login
    listed = {u["name"]: u["districts"] for u in _get(world, "admin", "/users")}
    assert listed["ana-oj"] == ["*"] and listed["operator-mv"] == [MV]
