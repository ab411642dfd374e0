"""The vagtcentral's live work, as the web layer runs it: patrols, callouts, proposals, visits.

Thin orchestration over the store's repositories, the optimiser's problem builder and default
solver, and the event bus. Every method is synchronous and may block (SQLite, solving): routes
call it from FastAPI's threadpool, never from an ``async def``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from api.events import EventBus
from api.views import callout_view, lonlat_of, patrol_view, proposal_view, visit_view
from smartspot.domain import (
    Callout,
    Hotspot,
    HotspotStatus,
    Patrol,
    PatrolStatus,
    Visit,
    VisitOutcome,
)
from smartspot.errors import ConflictError, InvalidInputError, NotFoundError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import Regions
from smartspot.geo.stations import load_stations
from smartspot.geo.validate import check_lonlat
from smartspot.hotspots import HotspotFilter, HotspotService
from smartspot.i18n import msg
from smartspot.optimise.build import FreeCar, Rules, build_problem
from smartspot.optimise.explain import advice_to_dict, explain
from smartspot.optimise.problem import problem_from_dict, problem_to_dict, solution_to_dict
from smartspot.optimise.solvers import DEFAULT_SOLVER, get_solver
from smartspot.resources import DATA_DIR
from smartspot.store.records import PositionFix, Proposal, ProposalStatus, StoredVisit
from smartspot.store.sqlite import SqliteStore
from smartspot.travel.port import TravelTimes

DETECT_RADIUS_M = 150.0  # a point hotspot counts as visited within this distance
DETECT_MIN_S = 180.0  # ... for at least this long
DETECT_GAP_S = 600.0  # a silence longer than this ends a stay
VISIT_LOOKBACK = timedelta(days=14)
HOTSPOT_CACHE_S = 30.0


@dataclass(frozen=True, slots=True)
class Fix:
    """One AVL position as the web receives it: WGS84."""

    call_sign: str
    lon: float
    lat: float
    at: datetime


@dataclass
class _Stay:
    hotspot: str
    first: datetime
    last: datetime


class Operations:
    """Patrols, callouts, proposals and visits for one store."""

    def __init__(
        self,
        store: SqliteStore,
        hotspots: HotspotService,
        regions: Regions,
        travel: TravelTimes,
        events: EventBus,
        *,
        solver_time_limit_s: float = 0.05,
        solver: str = DEFAULT_SOLVER,
    ) -> None:
        self.store = store
        self.hotspots = hotspots
        self.regions = regions
        self.clock = hotspots.clock
        self.travel = travel
        self.events = events
        self.time_limit_s = solver_time_limit_s
        self.solver_name = solver
        self.stations = {s.id: s for s in load_stations(DATA_DIR / "police_stations.csv", regions)}
        self._index_lock = threading.Lock()
        self._index: tuple[float, shapely.STRtree, list[str]] | None = None
        self._open: dict[str, tuple[float, list[Hotspot]]] = {}
        self._stays: dict[str, _Stay] = {}
        self._stay_lock = threading.Lock()

    # -- patrols ---------------------------------------------------------------------------

    def add_patrol(self, call_sign: str, home_station: str, *, actor: str) -> Patrol:
        if home_station not in self.stations:
            raise InvalidInputError(
                msg(
                    "no station {home_station!r}; stations are ids like st01 (data/police_stations.csv)",
                    home_station=home_station,
                ),
                field="home_station",
            )
        patrol = Patrol(call_sign=call_sign, home_station=home_station)
        self.store.patrols.add(patrol, actor=actor, at=self.clock.now())
        self.events.publish("patrol", patrol_view(patrol))
        return patrol

    def set_status(self, call_sign: str, status: PatrolStatus, *, actor: str) -> Patrol:
        was_on_task = self.store.patrols.get(call_sign).status is PatrolStatus.ON_TASK
        patrol = self.store.patrols.set_status(call_sign, status, actor=actor, at=self.clock.now())
        if status in (PatrolStatus.DISPATCHED, PatrolStatus.OFF_DUTY):
            self._void(
                call_sign, actor=actor, why=f"car set to {status.value}", on_task=was_on_task
            )
        self.events.publish("patrol", patrol_view(patrol))
        return patrol

    def record_positions(self, fixes: Sequence[Fix]) -> int:
        """Store a batch of AVL fixes (all or nothing), detect visits, tell the map."""
        if not fixes:
            return 0
        for index, fix in enumerate(fixes):
            try:
                check_lonlat(fix.lon, fix.lat)
            except InvalidInputError as error:
                raise InvalidInputError(
                    msg(
                        "positions[{index}] ({call_sign}): {error}",
                        index=index,
                        call_sign=fix.call_sign,
                        error=error,
                    ),
                    field=f"positions.{index}",
                ) from None
        xy = lonlat_to_metric(
            np.array([f.lon for f in fixes], dtype=np.float64),
            np.array([f.lat for f in fixes], dtype=np.float64),
        )
        records = [
            PositionFix(f.call_sign, f.at, Point(float(x), float(y)))
            for f, (x, y) in zip(fixes, xy, strict=True)
        ]
        count = self.store.patrols.record_positions(records)
        self._detect(records)
        latest: dict[str, Fix] = {}
        for fix in fixes:
            if fix.call_sign not in latest or latest[fix.call_sign].at <= fix.at:
                latest[fix.call_sign] = fix
        self.events.publish(
            "positions",
            {
                "positions": [
                    {"call_sign": f.call_sign, "lon": f.lon, "lat": f.lat, "at": f.at.isoformat()}
                    for f in latest.values()
                ]
            },
        )
        return count

    # -- callouts --------------------------------------------------------------------------

    def receive(self, *, urgent: bool, lon: float, lat: float, actor: str) -> Callout:
        point = _metric(lon, lat)
        location = self._location(point)
        now = self.clock.now()
        with self.store.transaction():
            callout = Callout(
                id=self.store.callouts.next_id(), urgent=urgent, position=point, received_at=now
            )
            self.store.callouts.add(callout, location=location, actor=actor, at=now)
        self.events.publish("callout", callout_view(callout))
        return callout

    def dispatch(self, callout_id: str, call_sign: str, *, actor: str) -> Callout:
        now = self.clock.now()
        with self.store.transaction():
            callout = self.store.callouts.get(callout_id)
            if callout.dispatched_at is not None:
                raise ConflictError(
                    msg("callout {callout_id} is already dispatched", callout_id=callout_id)
                )
            patrol = self.store.patrols.get(call_sign)
            if patrol.status is PatrolStatus.OFF_DUTY:
                raise ConflictError(msg("{call_sign} is off duty", call_sign=call_sign))
            updated = _replace_callout(callout, dispatched_at=now, patrol=call_sign)
            self.store.callouts.update(updated, actor=actor, at=now, action="dispatch")
            car = self.store.patrols.set_status(
                call_sign, PatrolStatus.DISPATCHED, actor=actor, at=now
            )
        # Sending the car to a call voids its proposal at once, pending or being worked.
        self._void(
            call_sign,
            actor=actor,
            why=f"dispatched to {callout_id}",
            on_task=patrol.status is PatrolStatus.ON_TASK,
        )
        self.events.publish("callout", callout_view(updated))
        self.events.publish("patrol", patrol_view(car))
        return updated

    def arrive(self, callout_id: str, *, actor: str) -> Callout:
        now = self.clock.now()
        with self.store.transaction():
            callout = self.store.callouts.get(callout_id)
            if callout.dispatched_at is None or callout.patrol is None:
                raise ConflictError(
                    msg("callout {callout_id} has no car dispatched yet", callout_id=callout_id)
                )
            if callout.arrived_at is not None:
                raise ConflictError(
                    msg("callout {callout_id}: the car has already arrived", callout_id=callout_id)
                )
            updated = _replace_callout(callout, arrived_at=now)
            self.store.callouts.update(updated, actor=actor, at=now, action="arrive")
            car = self.store.patrols.set_status(
                callout.patrol, PatrolStatus.ON_SCENE, actor=actor, at=now
            )
        self.events.publish("callout", callout_view(updated))
        self.events.publish("patrol", patrol_view(car))
        return updated

    def clear(self, callout_id: str, *, actor: str) -> tuple[Callout, list[Proposal]]:
        """The car is free again: it heads home, and gets a proposal for its way back."""
        now = self.clock.now()
        with self.store.transaction():
            callout = self.store.callouts.get(callout_id)
            if callout.arrived_at is None or callout.patrol is None:
                raise ConflictError(
                    msg(
                        "callout {callout_id} cannot clear before a car arrived",
                        callout_id=callout_id,
                    )
                )
            if callout.cleared_at is not None:
                raise ConflictError(
                    msg("callout {callout_id} is already cleared", callout_id=callout_id)
                )
            updated = _replace_callout(callout, cleared_at=now)
            self.store.callouts.update(updated, actor=actor, at=now, action="clear")
            car = self.store.patrols.set_status(
                callout.patrol, PatrolStatus.RETURNING, actor=actor, at=now
            )
        self.events.publish("callout", callout_view(updated))
        self.events.publish("patrol", patrol_view(car))
        # The freed car, and a joint re-plan with every other car on its way home.
        others = [
            p.call_sign
            for p in self.store.patrols.list(status=PatrolStatus.RETURNING)
            if p.call_sign != car.call_sign
        ]
        start_at = callout.position if car.position is None else None
        proposals = self.propose([car.call_sign, *others], actor=actor, fallback_start=start_at)
        return updated, proposals

    # -- proposals -------------------------------------------------------------------------

    def propose(
        self,
        call_signs: Sequence[str],
        *,
        actor: str,
        fallback_start: Point | None = None,
    ) -> list[Proposal]:
        """Build and solve one joint problem for the cars; store a proposal per car with stops."""
        now = self.clock.now()
        cars = [
            self._free_car(self.store.patrols.get(cs), now, fallback_start) for cs in call_signs
        ]
        districts = {c.politikreds for c in cars}
        spots = [h for d in sorted(districts) for h in self._open_hotspots(d)]
        visits = [v.visit for v in self.store.visits.list(since=now - VISIT_LOOKBACK)]
        built = build_problem(
            cars,
            spots,
            self.travel,
            now,
            stations=np.array(
                [
                    [s.position.x, s.position.y]
                    for s in self.stations.values()
                    if s.location.politikreds in districts
                ]
            ).reshape(-1, 2),
            visits=visits,
            world=Rules(
                urgent_waiting=frozenset(self._urgent_waiting()),
                busy_hotspots=frozenset(self._busy_hotspots(set(call_signs))),
            ),
        )
        if built.problem is None:
            for car in cars:
                self.events.publish(
                    "no-proposal",
                    {"patrol": car.call_sign, "why": built.blocked.get(car.call_sign, "")},
                )
            return []
        began = time.perf_counter()
        solution = get_solver(self.solver_name).solve(
            built.problem, time_limit_s=self.time_limit_s, seed=0
        )
        solve_ms = (time.perf_counter() - began) * 1000
        advice = advice_to_dict(explain(built, solution))
        problem = problem_to_dict(built.problem)
        answer = solution_to_dict(solution)
        made = []
        for car_advice in advice["cars"]:
            if not car_advice["stops"]:
                self.events.publish(
                    "no-proposal",
                    {
                        "patrol": car_advice["car"],
                        "why": car_advice["blocked"] or "nothing worth it",
                    },
                )
                continue
            for stop in car_advice["stops"]:
                lon, lat = lonlat_of(built.hotspots[stop["hotspot"]].geometry)
                stop["lon"], stop["lat"] = lon, lat
            record = {
                "solution": answer,
                "advice": car_advice,
                "left_out": advice["left_out"],
                "solver": self.solver_name,
                "time_limit_s": self.time_limit_s,
                "seed": 0,
                "solve_ms": round(solve_ms, 1),
            }
            proposal = self.store.proposals.add(
                car_advice["car"], problem, record, actor=actor, at=now
            )
            self.events.publish("proposal", proposal_view(proposal))
            made.append(proposal)
        return made

    def accept(self, proposal_id: str, remove: Sequence[str], *, actor: str) -> Proposal:
        """Accept a proposal, optionally without some of its stops; the car goes on task."""
        proposal = self.store.proposals.get(proposal_id)
        stops = [s["hotspot"] for s in proposal.solution["advice"]["stops"]]
        unknown = sorted(set(remove) - set(stops))
        if unknown:
            raise InvalidInputError(
                msg(
                    "proposal {proposal_id} has no stop {unknown}; its stops are {stops}",
                    proposal_id=proposal_id,
                    unknown=", ".join(unknown),
                    stops=", ".join(stops),
                ),
                field="remove",
            )
        if remove and set(remove) >= set(stops):
            raise InvalidInputError(
                msg(
                    "removing every stop is a rejection; reject the proposal with a reason instead"
                ),
                field="remove",
            )
        now = self.clock.now()
        with self.store.transaction():
            decided = self.store.proposals.decide(
                proposal_id,
                ProposalStatus.ACCEPTED,
                actor=actor,
                at=now,
                decision={
                    "removed_stops": list(remove),
                    "stops": [s for s in stops if s not in remove],
                },
            )
            car = self.store.patrols.set_status(
                proposal.patrol, PatrolStatus.ON_TASK, actor=actor, at=now
            )
        self.events.publish("proposal", proposal_view(decided))
        self.events.publish("patrol", patrol_view(car))
        return decided

    def reject(self, proposal_id: str, reason: str, *, actor: str) -> Proposal:
        if not reason.strip():
            raise InvalidInputError(msg("rejecting a proposal needs a reason"), field="reason")
        decided = self.store.proposals.decide(
            proposal_id, ProposalStatus.REJECTED, actor=actor, at=self.clock.now(), reason=reason
        )
        self.events.publish("proposal", proposal_view(decided))
        return decided

    def replay(self, proposal_id: str) -> dict[str, Any]:
        """Solve the stored problem again with the same solver, deadline and seed."""
        proposal = self.store.proposals.get(proposal_id)
        record = proposal.solution
        problem = problem_from_dict(proposal.problem)
        solution = get_solver(record["solver"]).solve(
            problem, time_limit_s=float(record["time_limit_s"]), seed=int(record["seed"])
        )
        again = solution_to_dict(solution)
        stored = record["solution"]
        return {
            "proposal": proposal.id,
            "solver": record["solver"],
            "time_limit_s": record["time_limit_s"],
            "stored": stored,
            "replayed": again,
            "same": _plan_of(stored, proposal.patrol) == _plan_of(again, proposal.patrol),
        }

    # -- visits ----------------------------------------------------------------------------

    def add_visit(self, visit: Visit, *, actor: str) -> StoredVisit:
        self.hotspots.show(visit.hotspot)  # NotFoundError for an unknown hotspot
        self.store.patrols.get(visit.patrol)
        stored = self.store.visits.add(visit, actor=actor, at=self.clock.now())
        self.events.publish("visit", visit_view(stored))
        return stored

    def update_visit(self, visit_id: str, changes: dict[str, Any], *, actor: str) -> StoredVisit:
        import dataclasses

        current = self.store.visits.get(visit_id).visit
        if changes.get("outcome") is not None:
            changes = {**changes, "outcome": VisitOutcome(changes["outcome"])}
        updated = dataclasses.replace(current, **changes)
        stored = self.store.visits.update(visit_id, updated, actor=actor, at=self.clock.now())
        self.events.publish("visit", visit_view(stored))
        return stored

    def invalidate_hotspots(self) -> None:
        """Forget cached hotspots (the hotspot routes call this after every write)."""
        with self._index_lock:
            self._index = None
            self._open.clear()

    def _open_hotspots(self, politikreds: str) -> list[Hotspot]:
        """The district's open hotspots, cached for ``HOTSPOT_CACHE_S`` (writes through the
        API clear the cache at once; the TTL bounds staleness after writes by the CLI)."""
        with self._index_lock:
            hit = self._open.get(politikreds)
            if hit is not None and time.monotonic() - hit[0] < HOTSPOT_CACHE_S:
                return hit[1]
        found = self.hotspots.list(
            HotspotFilter(politikreds=politikreds, status=HotspotStatus.OPEN)
        )
        with self._index_lock:
            self._open[politikreds] = (time.monotonic(), found)
        return found

    def _hotspot_index(self) -> tuple[shapely.STRtree, list[str]]:
        with self._index_lock:
            if self._index is not None and time.monotonic() - self._index[0] < HOTSPOT_CACHE_S:
                return self._index[1], self._index[2]
            spots = self.hotspots.list(HotspotFilter(status=HotspotStatus.OPEN))
            shapes = [
                h.geometry.buffer(DETECT_RADIUS_M) if isinstance(h.geometry, Point) else h.geometry
                for h in spots
            ]
            tree = shapely.STRtree(np.array(shapes, dtype=object))
            self._index = (time.monotonic(), tree, [h.id for h in spots])
            return tree, self._index[2]

    def _detect(self, fixes: Sequence[PositionFix]) -> None:
        """Automatic visit detection: ≥ 3 min inside a polygon or within 150 m of a point."""
        tree, ids = self._hotspot_index()
        if not ids:
            return
        points = np.array([f.position for f in fixes], dtype=object)
        inputs, hits = tree.query(points, predicate="within")
        inside: dict[int, str] = {}
        for i, h in zip(inputs.tolist(), hits.tolist(), strict=True):
            inside.setdefault(i, ids[h])
        finished: list[tuple[str, _Stay]] = []
        with self._stay_lock:
            for i, fix in sorted(enumerate(fixes), key=lambda item: item[1].at):
                stay = self._stays.get(fix.call_sign)
                here = inside.get(i)
                if stay is not None and (fix.at - stay.last).total_seconds() > DETECT_GAP_S:
                    finished.append((fix.call_sign, stay))
                    stay = None
                    del self._stays[fix.call_sign]
                if stay is not None and stay.hotspot == here:
                    stay.last = max(stay.last, fix.at)
                    continue
                if stay is not None:
                    finished.append((fix.call_sign, _Stay(stay.hotspot, stay.first, fix.at)))
                    del self._stays[fix.call_sign]
                if here is not None:
                    self._stays[fix.call_sign] = _Stay(here, fix.at, fix.at)
        for call_sign, stay in finished:
            if (stay.last - stay.first).total_seconds() >= DETECT_MIN_S:
                visit = Visit(
                    hotspot=stay.hotspot,
                    patrol=call_sign,
                    arrived_at=stay.first,
                    left_at=stay.last,
                    detected=True,
                )
                stored = self.store.visits.add(visit, actor="avl", at=self.clock.now())
                self.events.publish("visit", visit_view(stored))

    # -- helpers ---------------------------------------------------------------------------

    def _location(self, point: Point) -> Any:
        from smartspot.domain import Location

        return Location(**self.regions.locate(point).as_dict())

    def _free_car(self, patrol: Patrol, now: datetime, fallback: Point | None) -> FreeCar:
        position = patrol.position or fallback
        if position is None:
            raise ConflictError(
                msg("{call_sign} has no known position yet", call_sign=patrol.call_sign)
            )
        station = self.stations.get(patrol.home_station)
        if station is None:
            raise ConflictError(
                msg(
                    "{call_sign}'s home station {home_station} is unknown",
                    call_sign=patrol.call_sign,
                    home_station=patrol.home_station,
                )
            )
        return FreeCar(
            call_sign=patrol.call_sign,
            position=position,
            home=station.position,
            free_at=now,
            politikreds=self.regions.locate(position).kommune.politikreds,
        )

    def _urgent_waiting(self) -> set[str]:
        waiting = self.store.callouts.list(urgent=True, open_only=True)
        return {
            location.politikreds
            for callout, location in waiting
            if callout.dispatched_at is None and location is not None
        }

    def _busy_hotspots(self, planning: set[str]) -> set[str]:
        busy: set[str] = set()
        for proposal in self.store.proposals.list(status=ProposalStatus.PENDING, limit=500):
            if proposal.patrol not in planning:
                busy.update(s["hotspot"] for s in proposal.solution["advice"]["stops"])
        for proposal in self.store.proposals.list(status=ProposalStatus.ACCEPTED, limit=200):
            if proposal.patrol in planning:
                continue
            if self.store.patrols.get(proposal.patrol).status is PatrolStatus.ON_TASK:
                busy.update(proposal.decision.get("stops", []))
        return busy

    def _void(self, call_sign: str, *, actor: str, why: str, on_task: bool) -> None:
        """Void the car's pending proposal, or the accepted one it was working (``on_task``)."""
        proposal = self.store.proposals.current(call_sign)
        if proposal is None and on_task:
            accepted = self.store.proposals.list(
                patrol=call_sign, status=ProposalStatus.ACCEPTED, limit=1
            )
            proposal = accepted[0] if accepted else None
        if proposal is None:
            return
        try:
            voided = self.store.proposals.decide(
                proposal.id, ProposalStatus.VOIDED, actor=actor, at=self.clock.now(), reason=why
            )
        except (ConflictError, NotFoundError):
            return  # decided meanwhile
        self.events.publish("proposal", proposal_view(voided))


# -- helpers ---------------------------------------------------------------------------------


def _metric(lon: float, lat: float) -> Point:
    check_lonlat(lon, lat)
    x, y = lonlat_to_metric(np.array([lon]), np.array([lat]))[0]
    return Point(float(x), float(y))


def _replace_callout(callout: Callout, **changes: Any) -> Callout:
    import dataclasses

    return dataclasses.replace(callout, **changes)


def _plan_of(solution: dict[str, Any], car: str) -> list[tuple[str, int]]:
    for plan in solution.get("plans", []):
        if plan["car"] == car:
            return [(s["hotspot"], int(s["start_s"])) for s in plan["stops"]]
    return []
