"""The live engine as the vagtcentral meets it: clears that always answer, planning per
politikreds, believable positions, and state that survives a restart or a second process."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smartspot.clock import FixedClock
from smartspot.demo import load_demo_hotspots
from smartspot.domain import HotspotStatus, PatrolStatus
from smartspot.errors import ConflictError
from smartspot.geo.regions import Regions
from smartspot.geo.validate import metric_point
from smartspot.hotspots import HotspotFilter, HotspotService
from smartspot.live import claims
from smartspot.live.clearing import KEEP_BEYOND_BUDGET_S
from smartspot.live.engine import Vagtcentral
from smartspot.live.positions import Fix
from smartspot.optimise.build import xy
from smartspot.plans import ProposalStatus
from smartspot.resources import SCENARIOS_DIR
from smartspot.travel.cache import RowCache
from smartspot.travel.config import land_graph
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import FallbackParams
from smartspot.travel.port import TravelTimes
from smartspot.travel.straight import StraightLineTravelTimes
from tests.live.conftest import (
    HERNING,
    NOW,
    RANDERS,
    MakeEngine,
    engine_on,
    place,
    to_clear,
)

# A Tuesday at 10:00 in Copenhagen: the demo hotspots with windows are all closed then.
TUESDAY_MORNING = datetime(2026, 3, 17, 9, 0, tzinfo=UTC)


def _close_windowless(engine: Vagtcentral, regions: Regions, clock: FixedClock) -> None:
    service = HotspotService(engine.ctx.store, regions, clock)
    for spot in service.list(HotspotFilter(status=HotspotStatus.OPEN)):
        if not spot.windows:
            service.close(spot.id, "kun tidsbestemte opgaver i testen", user="analyst")


def test_a_clear_with_nothing_active_answers_with_an_empty_proposal_and_reasons(
    engine: Vagtcentral, regions: Regions, clock: FixedClock
) -> None:
    clock.current = TUESDAY_MORNING
    _close_windowless(engine, regions, clock)
    engine.add_patrol("OJ-21", "st14", actor="op")
    place(engine, "OJ-21", RANDERS, clock.current)
    callout_id = to_clear(engine, "OJ-21", RANDERS)
    cleared, [proposal] = engine.clear(callout_id, actor="op")
    assert cleared.cleared_at == TUESDAY_MORNING
    assert (proposal.status, proposal.stops) == (ProposalStatus.EMPTY, ())
    assert proposal.blocked is not None and proposal.blocked.code == "nothing_worth_it"
    open_oj = [
        h.id
        for h in engine.hotspots.of("Østjyllands Politi")  # every open hotspot of the kreds
    ]
    assert set(proposal.left_out) == set(open_oj)
    assert {r.code for r in proposal.left_out.values()} <= {"not_active_now", "not_valid"}
    stored = engine.ctx.store.proposals.get(proposal.id)
    assert stored == proposal  # stored like any other, and found again
    assert engine.ctx.store.patrols.get("OJ-21").status is PatrolStatus.RETURNING


@dataclass
class _Ticking(FixedClock):
    """A clock a millisecond further on each time it is read."""

    def now(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current


def test_a_clear_and_its_proposals_are_stored_together_at_one_instant(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    callout_id = to_clear(engine, "MV-21", HERNING)
    seen = max((e.seq for e in engine.ctx.store.events.after(0, limit=10_000)), default=0)
    engine.ctx.clock = _Ticking(NOW)  # every reading of the clock a millisecond later
    cleared, [proposal] = engine.clear(callout_id, actor="op")
    assert cleared.cleared_at == proposal.created_at
    kinds = [e.kind for e in engine.ctx.store.events.after(seen)]
    assert kinds[:2] == ["callout", "patrol"]  # the clear, the car heading home ...
    assert kinds[2:] in (["proposal"], ["no-proposal"])  # ... then its plan, in one go
    audit = engine.ctx.store.audit
    clear = audit.entries(entity="callout", entity_id=callout_id)[-1]
    [create] = audit.entries(entity="proposal", entity_id=proposal.id)
    assert (clear.action, create.action) == ("clear", "create")
    assert clear.at == create.at


def test_a_callout_not_on_scene_is_refused_a_clear_and_nothing_is_planned(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    callout = engine.receive(urgent=False, position=metric_point(*HERNING), actor="op")
    engine.dispatch(callout.id, "MV-21", actor="op")  # on its way, not on scene
    with pytest.raises(ConflictError, match="on_scene"):
        engine.clear(callout.id, actor="op")
    assert engine.ctx.store.proposals.list(patrol="MV-21") == []
    engine.arrive(callout.id, actor="op")
    engine.clear(callout.id, actor="op")
    with pytest.raises(ConflictError, match="cleared"):  # a second clear of the same call
        engine.clear(callout.id, actor="op")
    assert len(engine.ctx.store.proposals.list(patrol="MV-21")) == 1


def test_a_joint_replan_takes_only_the_cars_of_the_clearing_cars_politikreds(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    engine.add_patrol("OJ-21", "st14", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    place(engine, "OJ-21", RANDERS, NOW)
    mv_call = to_clear(engine, "MV-21", HERNING)
    _, mine = engine.clear(mv_call, actor="op")  # MV-21 now on its way home
    assert [p.patrol for p in mine] == ["MV-21"]
    oj_call = to_clear(engine, "OJ-21", RANDERS)
    _, made = engine.clear(oj_call, actor="op")
    assert [(p.patrol, p.politikreds) for p in made] == [("OJ-21", "Østjyllands Politi")]
    assert engine.ctx.store.proposals.current("MV-21") is not None  # untouched


def test_planning_that_fails_leaves_the_clear_stored_and_says_why(
    make_engine: MakeEngine, clock: FixedClock, regions: Regions
) -> None:
    class Broken:
        def for_district(self, politikreds: str) -> TravelTimes:
            raise RuntimeError("the road graph file is unreadable")

    engine = make_engine()
    from smartspot.demo import load_demo_hotspots
    from smartspot.resources import SCENARIOS_DIR

    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    engine.ctx.travel = Broken()
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    callout_id = to_clear(engine, "MV-21", HERNING)
    _, [proposal] = engine.clear(callout_id, actor="op")
    assert engine.ctx.store.callouts.get(callout_id).cleared_at == NOW
    assert proposal.status is ProposalStatus.EMPTY
    assert proposal.blocked is not None and proposal.blocked.code == "planning_failed"
    assert "unreadable" in proposal.run.failure


def test_a_fix_dated_a_day_ahead_cannot_freeze_the_car(engine: Vagtcentral) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    ahead = Fix("MV-21", 8.7, 56.4, NOW + timedelta(days=1))
    result = engine.record_positions([Fix("MV-21", *HERNING, NOW), ahead])
    assert result.stored == 1 and [r.index for r in result.refused] == [1]
    later = Fix("MV-21", 8.62, 56.36, NOW + timedelta(seconds=30))
    engine.ctx.clock.current = NOW + timedelta(seconds=30)  # type: ignore[attr-defined]
    engine.record_positions([later])
    car = engine.ctx.store.patrols.get("MV-21")
    assert car.position_at == NOW + timedelta(seconds=30)


def _stay(lonlat: tuple[float, float], start: datetime, minutes: int) -> list[Fix]:
    return [
        Fix("MV-21", *lonlat, start + timedelta(seconds=30 * k)) for k in range(2 * minutes + 1)
    ]


def _hotspot_lonlat(engine: Vagtcentral, hotspot_id: str) -> tuple[float, float]:
    from smartspot.live.views import lonlat_of

    return lonlat_of(engine.ctx.store.hotspots.get(hotspot_id).geometry)


@pytest.mark.parametrize("split_at", [3, 5, 8])
def test_a_restart_in_the_middle_of_a_stay_records_the_same_visit(
    engine: Vagtcentral, make_engine: MakeEngine, clock: FixedClock, split_at: int
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    spot = _hotspot_lonlat(engine, "HS-000002")
    fixes = [*_stay(spot, NOW, 4), Fix("MV-21", 8.62, 56.36, NOW + timedelta(minutes=5))]
    clock.current = NOW + timedelta(minutes=5)
    engine.record_positions(fixes[:split_at])
    engine.ctx.store.close()  # the process stops ...
    again = make_engine()  # ... and a new one takes the rest of the feed
    found = again.record_positions(fixes[split_at:]).visits
    [visit] = again.ctx.store.visits.list(hotspot="HS-000002")
    assert visit.visit.minutes_on_site == pytest.approx(4.0)  # first to last fix inside
    assert [v.id for v in found] == [visit.id]


def test_a_car_off_duty_in_a_hotspot_neither_visits_nor_holds_it(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    spot = _hotspot_lonlat(engine, "HS-000002")
    clock.current = NOW + timedelta(hours=2)
    engine.record_positions(_stay(spot, NOW, 4))  # on duty: a stay begins and lasts 4 min
    assert claims.held(engine.ctx.store) == {"HS-000002": "MV-21"}
    engine.set_status("MV-21", PatrolStatus.OFF_DUTY, actor="op")
    engine.record_positions(_stay(spot, NOW + timedelta(minutes=5), 60))  # parked off duty
    assert claims.held(engine.ctx.store) == {}
    [visit] = engine.ctx.store.visits.list(hotspot="HS-000002")
    assert visit.visit.minutes_on_site == pytest.approx(4.0)  # only the time on duty


def test_an_avl_batch_reads_its_cars_and_their_stays_in_one_statement(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    engine.add_patrol("MV-22", "st01", actor="op")
    spot = _hotspot_lonlat(engine, "HS-000002")
    clock.current = NOW + timedelta(minutes=10)
    engine.record_positions(_stay(spot, NOW, 2))  # MV-21's stay is in progress
    store = engine.ctx.store
    real, seen = store.execute, []

    def spy(sql: str, params: Any = ()) -> Any:
        seen.append(" ".join(sql.split()))
        return real(sql, params)

    store.execute = spy  # type: ignore[method-assign]
    try:
        batch = [*_stay(spot, NOW + timedelta(minutes=2, seconds=30), 2)]
        batch.append(Fix("MV-22", 8.62, 56.36, NOW + timedelta(minutes=3)))
        engine.record_positions(batch)
    finally:
        del store.execute  # the class's own again
    reads = [s for s in seen if s.startswith("SELECT") and ("patrols" in s or "stays" in s)]
    assert len(reads) == 1  # were two: the cars, then their stays
    assert "JOIN stays" in reads[0]
    engine.record_positions([Fix("MV-21", 8.62, 56.36, NOW + timedelta(minutes=5))])
    [visit] = store.visits.list(hotspot="HS-000002")
    assert visit.visit.minutes_on_site == pytest.approx(4.5)  # the stay read with the cars


def test_two_processes_taking_turns_detect_one_visit_of_the_true_length(
    engine: Vagtcentral, make_engine: MakeEngine, clock: FixedClock
) -> None:
    other = make_engine()  # a second worker on the same database
    engine.add_patrol("MV-21", "st01", actor="op")
    spot = _hotspot_lonlat(engine, "HS-000002")
    fixes = [*_stay(spot, NOW, 5), Fix("MV-21", 8.62, 56.36, NOW + timedelta(minutes=6))]
    clock.current = NOW + timedelta(minutes=6)
    for k, fix in enumerate(fixes):
        (engine if k % 2 else other).record_positions([fix])
    visits = engine.ctx.store.visits.list(hotspot="HS-000002")
    assert [round(v.visit.minutes_on_site or 0, 1) for v in visits] == [5.0]


def test_a_hotspot_closed_by_another_process_is_never_proposed(
    engine: Vagtcentral, make_engine: MakeEngine, regions: Regions, clock: FixedClock
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    [first] = engine.propose(["MV-21"], actor="op")
    assert first.kept
    closed = first.kept[0].hotspot
    other = make_engine()
    HotspotService(other.ctx.store, regions, clock).close(closed, "løst", user="analyst")
    [again] = engine.propose(["MV-21"], actor="op")
    assert closed not in {s.hotspot for s in again.kept}
    assert closed not in again.left_out  # not even a candidate any more


def test_an_urgent_dispatch_voids_the_pending_and_the_accepted_task(
    engine: Vagtcentral,
) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    [pending] = engine.propose(["MV-21"], actor="op")
    urgent = engine.receive(urgent=True, position=engine.ctx.bases["st01"], actor="op")
    engine.dispatch(urgent.id, "MV-21", actor="op")
    assert engine.ctx.store.proposals.get(pending.id).status is ProposalStatus.VOIDED
    assert engine.ctx.store.proposals.held() == {}


def _two_rounds(
    tmp_path: Path, regions: Regions, clock: FixedClock, *, restart: bool, seed: int = 0
) -> list[tuple[str, float]]:
    """Two clears of MV-21 half an hour apart, with value jitter on; the second round's
    stops and values, from one process or from a fresh one after the first round."""
    jittery = lambda p: replace(p, jitter=0.3)  # noqa: E731
    path = tmp_path / f"{restart}-{seed}.db"
    engine = engine_on(path, regions, clock, policy=jittery)
    engine.ctx.seed = seed
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    engine.add_patrol("MV-21", "st01", actor="op")
    clock.current = NOW
    place(engine, "MV-21", HERNING, NOW)
    _, [first] = engine.clear(to_clear(engine, "MV-21", HERNING), actor="op")
    engine.reject(first.id, "prøver igen", actor="op")
    if restart:
        engine.ctx.store.close()
        engine = engine_on(path, regions, clock, policy=jittery)
        engine.ctx.seed = seed
    clock.current = NOW + timedelta(minutes=30)
    place(engine, "MV-21", HERNING, clock.current)
    _, [second] = engine.clear(to_clear(engine, "MV-21", HERNING), actor="op")
    engine.ctx.store.close()
    clock.current = NOW
    return [(s.hotspot, s.value) for s in second.stops]


def test_a_restarted_service_plans_exactly_as_the_one_that_kept_running(
    tmp_path: Path, regions: Regions, clock: FixedClock
) -> None:
    steady = _two_rounds(tmp_path, regions, clock, restart=False)
    assert steady  # the second round proposes something
    assert _two_rounds(tmp_path, regions, clock, restart=True) == steady
    assert _two_rounds(tmp_path, regions, clock, restart=False, seed=1) != steady  # jitter acts


class _CountingTravel(StraightLineTravelTimes):
    """Straight lines that count the matrices asked of them."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def matrix(self, origins: object, destinations: object, **options: object) -> object:  # type: ignore[override]
        self.asked += 1
        return super().matrix(origins, destinations, **options)  # type: ignore[arg-type]


def _first_clear_asks(engine: Vagtcentral, clock: FixedClock, *, warm: bool) -> int:
    """How many travel matrices the engine's first clear asks for (MV-21 from Herning)."""
    travel = _CountingTravel()
    engine.ctx.travel = travel
    if warm:
        engine.warm(["Midt- og Vestjyllands Politi"])
        assert travel.asked  # the warm-up itself asked
    place(engine, "MV-21", HERNING, clock.current)
    callout_id = to_clear(engine, "MV-21", HERNING)
    before = travel.asked
    engine.clear(callout_id, actor="op")
    return travel.asked - before


class _KeepingTravel(StraightLineTravelTimes):
    """Straight lines that note which points' trees they were told to keep, and how far."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: list[tuple[set[tuple[float, float]], float]] = []

    def warm_among(self, points: np.ndarray, *, limit_s: float) -> None:
        self.kept.append(({(float(x), float(y)) for x, y in points}, limit_s))


def test_warming_keeps_the_trees_from_every_open_hotspot_of_the_district(
    engine: Vagtcentral,
) -> None:
    travel = _KeepingTravel()
    engine.ctx.travel = travel
    politikreds = "Midt- og Vestjyllands Politi"
    engine.warm([politikreds])
    spots = engine.hotspots.of(politikreds)
    assert spots
    [(points, limit_s)] = travel.kept
    assert points == {xy(s.geometry) for s in spots}
    budget_s = engine.ctx.district(politikreds).policy.budget_s
    assert limit_s == budget_s + KEEP_BEYOND_BUDGET_S  # a car 10 minutes from home reads them


def test_a_warmed_district_has_its_round_trips_ready_before_the_first_clear(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock
) -> None:
    cold = make_engine()
    load_demo_hotspots(HotspotService(cold.ctx.store, regions, clock), SCENARIOS_DIR)
    cold.add_patrol("MV-21", "st01", actor="op")
    asked_cold = _first_clear_asks(cold, clock, warm=False)
    cold.set_status("MV-21", PatrolStatus.AVAILABLE, actor="op")  # home again
    # a second process on the same database, warmed at start-up, meets the same clear
    asked_warm = _first_clear_asks(make_engine(), clock, warm=True)
    assert asked_warm < asked_cold  # the hotspots' station round trips were done already


class _PinningTravel(StraightLineTravelTimes):
    """Straight lines that note what the warm-up pins and readies."""

    def __init__(self) -> None:
        super().__init__()
        self.pinned_to: list[set[tuple[float, float]]] = []
        self.shared = 0

    def warm_to(self, points: np.ndarray) -> None:
        self.pinned_to.append({(float(x), float(y)) for x, y in points})

    def warm_shared(self) -> None:
        self.shared += 1


@pytest.mark.parametrize("guard_min", [20.0, None])
def test_warming_readies_what_every_clear_of_the_district_reads(
    engine: Vagtcentral, guard_min: float | None
) -> None:
    travel = _PinningTravel()
    engine.ctx.travel = travel
    politikreds = "Midt- og Vestjyllands Politi"
    district = engine.ctx.district(politikreds)
    district = replace(district, policy=replace(district.policy, coverage_guard_min=guard_min))
    engine.ctx.districts[politikreds] = district
    assert len(district.kommune_points) and len(district.stations)
    engine.warm([politikreds])
    assert travel.shared == 1  # the ferry terminals' trees, the coast: once per model
    stations = {(float(x), float(y)) for x, y in district.stations}
    kommuner = {(float(x), float(y)) for x, y in district.kommune_points}
    assert stations in travel.pinned_to  # every way home ends at a station ...
    # ... and every coverage guard reads the kommune points' trees (none without a guard)
    assert (kommuner in travel.pinned_to) == (guard_min is not None)


class _OneModel:
    """A real district travel model for every district the engine asks for."""

    def __init__(self, model: TravelTimes) -> None:
        self.model = model

    def for_district(self, politikreds: str) -> TravelTimes:
        return self.model


def _caches(model: LandTravelTimes) -> list[RowCache]:
    inner = [model, model._land_only] if model._land_only is not None else [model]
    return [c for m in inner for c in (m._forward, m._reverse)]


def test_a_warmed_engines_first_clear_grows_only_the_cars_own_tree(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock
) -> None:
    """On the real Midt- og Vestjylland model (timetabled ferries), with the coverage guard:
    the first clear after the warm-up reads the ferry terminals', stations' and kommune
    points' trees; only the car's own tree (its way there, cut at the longest drive) grows.
    (A car further than :data:`KEEP_BEYOND_BUDGET_S` from home grows its candidates' trees
    again, longer: not this case.)"""
    engine = make_engine(policy=lambda p: replace(p, coverage_guard_min=20.0))
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    model = LandTravelTimes(land_graph("Midt- og Vestjyllands Politi", FallbackParams()))
    engine.ctx.travel = _OneModel(model)  # type: ignore[assignment]
    engine.warm(["Midt- og Vestjyllands Politi"])
    caches = _caches(model)
    for k in range(24):  # the district's other cars, each at a place of its own: the
        # coverage guard reads the kommune points' trees rather than grow one from each car
        engine.add_patrol(f"MV-{30 + k}", "st02", actor="op")
        spot = (HERNING[0] + 0.01 * (k % 6 - 3), HERNING[1] + 0.008 * (k // 6 - 2))
        place(engine, f"MV-{30 + k}", spot, clock.current)
    engine.add_patrol("MV-21", "st02", actor="op")  # Herning's own: home is near
    place(engine, "MV-21", HERNING, clock.current)
    callout_id = to_clear(engine, "MV-21", HERNING)
    before = sum(c.misses for c in caches)
    engine.clear(callout_id, actor="op")
    assert sum(c.misses for c in caches) - before <= 1
