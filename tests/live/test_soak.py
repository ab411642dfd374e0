"""The digital-twin soak test: the simulated Midt- og Vestjylland world drives a real service
(uvicorn on a loopback port, ``SMARTSPOT_CLOCK=replay``, a fresh database) through HTTP only,
and the outcome must equal the in-process simulation's with the same seed, travel model, car
bases and desk seed — exactly, call for call, visit for visit and plan for plan, also when the
service is restarted in the middle of the run. Both sides plan with the greedy solver, whose
answer does not depend on how loaded the machine is (the time-limited default's replays are
tested in tests/api/test_live.py); every other rule is the district's own policy file.

The fresh database gets the scenario's hotspots, an operator's and an analyst's account before
the service starts (the scenario is the data); everything after that goes over HTTP, the
follow-ups too (registered by the analyst, knocked on and phoned by the operator).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from shapely.geometry import Point

from api import create_app
from api.app import services_of
from api.auth import new_account
from api.settings import Settings
from smartspot.geo.regions import Regions
from smartspot.live.policy import PlanningPolicy
from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.sim.desk import Desk, open_desk
from smartspot.sim.district import District, build_district
from smartspot.sim.engine import PRIORITY_SHIFT, Environment
from smartspot.sim.http_desk import HttpDesk
from smartspot.sim.records import RunRecords
from smartspot.sim.scenario import load_scenario
from smartspot.sim.simulation import simulate
from smartspot.store.sqlite import SqliteStore
from smartspot.travel.port import TravelTimes
from smartspot.travel.straight import StraightLineTravelTimes
from tests.api.live_server import free_port

SEED = 7
DESK_SEED = 11  # the service's SMARTSPOT_SEED: the root of the planning rounds' streams
HOURS = 24.0
PASSWORD = "correct horse battery"
ANALYST = "soak-analyst"  # registers the scenario's follow-ups (an operator may not)
CLOCK_STATION = "st11"  # the clock car's base (Brande)


@pytest.fixture(scope="module")
def district(regions: Regions) -> District:
    scenario = load_scenario(SCENARIOS_DIR / "midt_vestjylland" / "scenario.toml")
    return build_district(scenario, regions, DATA_DIR)


def station_of(car: str) -> str:
    """A car ``st01-2`` is based at station ``st01`` (the fleet's naming)."""
    return car.rsplit("-", 1)[0]


def station_homes(district: District, homes: dict[str, Point]) -> dict[str, Point]:
    """The service plans a car's way back to its station (it has no posts), so the
    in-process reference does too."""
    by_id = {s.id: s.position for s in district.stations}
    return {station_of(car): by_id[station_of(car)] for car in homes}


@dataclass
class StationDesk:
    """The in-process engine as the service runs it: cars registered at their stations, and
    its own random stream (the service's seed), apart from the operator's."""

    engine: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def add_patrol(self, call_sign: str, home_station: str, *, actor: str) -> Any:
        return self.engine.add_patrol(call_sign, station_of(home_station), actor=actor)


def in_process_desk(
    env: Environment,
    district: District,
    travel: TravelTimes,
    policy: PlanningPolicy,
    seed: int,
    homes: dict[str, Point],
    *,
    with_hotspots: bool,
) -> Desk:
    engine = open_desk(
        env,
        district,
        travel,
        policy,
        DESK_SEED,
        station_homes(district, homes),
        with_hotspots=with_hotspots,
    )
    return StationDesk(engine)  # type: ignore[return-value]


@dataclass
class Service:
    """A real uvicorn server on a loopback port over one database file; restartable."""

    settings: Settings
    port: int = field(default_factory=free_port)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        app = create_app(self.settings)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "no uvicorn"
            time.sleep(0.02)
        self.app = app

    def stop(self) -> None:
        assert self.server is not None and self.thread is not None
        self.server.should_exit = True
        self.thread.join(timeout=10)
        services_of(self.app).close()


def greedy_policies(tmp_path: Path) -> Path:
    """The district's own policy file with the greedy solver (the simulation's "greedy")."""
    text = (SCENARIOS_DIR / "midt_vestjylland" / "policy.toml").read_text(encoding="utf-8")
    greedy = text.replace('solver = "auto"', 'solver = "greedy"')
    assert greedy != text
    folder = tmp_path / "policies"
    (folder / "midt_vestjylland").mkdir(parents=True)
    (folder / "midt_vestjylland" / "policy.toml").write_text(greedy, encoding="utf-8")
    return folder


def fresh_service(tmp_path: Path, district: District) -> Service:
    settings = Settings(
        db=tmp_path / "soak.db",
        secret_key="soak-test-secret-key-that-is-long-enough",
        travel="straight",
        policy_dir=greedy_policies(tmp_path),
        seed=DESK_SEED,
        clock="replay",
        replay_start=district.scenario.start,
    )
    store = SqliteStore(settings.db, create=True)
    with store.transaction():
        for hotspot in district.hotspots:
            store.hotspots.add(hotspot, action="scenario")
    for name, role in (("soak", "operator"), (ANALYST, "analyst")):
        account = new_account(name, role, PASSWORD, now=district.scenario.start, districts=("*",))
        store.users.add(account, actor="test")
    store.close()
    return Service(settings)


def login(url: str, name: str = "soak") -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    answer = client.post("/auth/token", data={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


def drive_over_http(
    service: Service, district: District, *, restart_at_s: float | None
) -> tuple[RunRecords, CheckingDesk]:
    opened: list[CheckingDesk] = []

    def http_desk(
        env: Environment,
        district: District,
        travel: TravelTimes,
        policy: PlanningPolicy,
        seed: int,
        homes: dict[str, Point],
        *,
        with_hotspots: bool,
    ) -> Desk:
        clock_at = next(s.position for s in district.stations if s.id == CLOCK_STATION)
        desk = CheckingDesk(
            login(service.url),
            env,
            district.scenario.start,
            {car: station_of(car) for car in homes},
            clock_at,
            registrar=login(service.url, ANALYST),
        )
        desk.open(CLOCK_STATION)
        if restart_at_s is not None:

            def restart() -> None:
                desk.client.close()
                assert desk.registrar is not None
                desk.registrar.close()
                service.stop()
                service.start()
                desk.client = login(service.url)
                desk.registrar = login(service.url, ANALYST)

            env.schedule_at(restart_at_s, restart, priority=PRIORITY_SHIFT)
        opened.append(desk)
        return desk

    service.start()
    try:
        records = run(district, http_desk)
    finally:
        for desk in opened:
            desk.client.close()
            if desk.registrar is not None:
                desk.registrar.close()
        service.stop()
    return records, opened[0]


def run(district: District, desk: Any) -> RunRecords:
    return simulate(
        district,
        StraightLineTravelTimes(),  # the service's SMARTSPOT_TRAVEL=straight
        policy="greedy",
        days=HOURS / 24,
        seed=SEED,
        desk=desk,
    )


@pytest.fixture(scope="module")
def reference(district: District) -> RunRecords:
    return run(district, in_process_desk)


class CheckingDesk(HttpDesk):
    """Counts, after each accept, the hotspots held by two accepted proposals at once."""

    held_twice: int = 0

    def accept(self, proposal_id: str, remove: Any, *, actor: str) -> Any:
        accepted = super().accept(proposal_id, remove, actor=actor)
        held = self._call("GET", "/proposals?status=accepted&limit=500", None)
        stops = [s["hotspot"] for p in held for s in p["stops"] if not s["done"]]
        self.held_twice += len(stops) - len(set(stops))
        return accepted


def check_service(path: Path) -> int:
    """The service's database after the run: every callout cleared, each exactly once; the
    number of callouts."""
    store = SqliteStore(path, create=False)
    try:
        assert (
            store.execute("SELECT COUNT(*) FROM callouts WHERE cleared_at IS NULL").fetchone()[0]
            == 0
        )
        clears = store.execute(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'callout' AND action = 'clear'"
        ).fetchone()[0]
        callouts = store.execute("SELECT COUNT(*) FROM callouts").fetchone()[0]
        assert clears == callouts
        return int(callouts)
    finally:
        store.close()


def outcome(records: RunRecords) -> dict[str, Any]:
    return {
        "calls": [
            (c.callout, c.car, c.dispatched_s, c.arrived_s, c.cleared_s) for c in records.calls
        ],
        "visits": [(v.hotspot, v.car, v.arrived_s, v.left_s, v.aborted) for v in records.visits],
        "followups": [
            (f.followup, f.status, f.closed_s, f.door_attempts) for f in records.followups
        ],
        "plans": [(p.car, p.proposed_s, p.stops, p.accepted, p.ended_s) for p in records.plans],
    }


@pytest.mark.parametrize("restart", [False, True], ids=["steady", "restarted"])
def test_a_day_over_http_equals_the_in_process_run(
    tmp_path: Path, district: District, reference: RunRecords, restart: bool
) -> None:
    service = fresh_service(tmp_path, district)
    records, desk = drive_over_http(
        service, district, restart_at_s=HOURS * 3600 / 2 if restart else None
    )
    assert not any(status >= 500 for status in desk.statuses), desk.statuses
    assert not records.unanswered
    assert reference.plans and reference.visits  # the day exercised Smart Spot
    assert desk.held_twice == 0
    assert check_service(service.settings.db) == len(reference.calls)
    got, want = outcome(records), outcome(reference)
    assert got["calls"] == want["calls"]  # every call: same car, same times
    assert got["visits"] == want["visits"]
    assert got["plans"] == want["plans"]
    assert got["followups"] == want["followups"]  # registered, knocked on, phoned alike
    assert any(f.door_attempts for f in reference.followups)  # and cars called at doors
