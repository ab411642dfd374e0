"""Idle cars: a car standing available at its post gets a round trip of its own, under the very
rules of every other proposal — never while an urgent call waits, never when it would leave a
kommune without cover, one pending proposal per car — and only where the policy says so."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from smartspot.clock import FixedClock
from smartspot.demo import load_demo_hotspots
from smartspot.domain import PatrolStatus, Visit
from smartspot.geo.regions import Regions
from smartspot.geo.validate import metric_point
from smartspot.hotspots import HotspotService
from smartspot.i18n import translator
from smartspot.live.engine import Vagtcentral
from smartspot.live.policy import PlanningPolicy
from smartspot.plans import Proposal, ProposalStatus
from smartspot.reasons import messages_joined
from smartspot.resources import SCENARIOS_DIR
from smartspot.store.records import PositionFix
from tests.live.conftest import NOW, MakeEngine

CAR, BASE = "MV-21", "st02"  # Herning


def _idle(minutes: float | None, **more: object) -> object:
    def change(policy: PlanningPolicy) -> PlanningPolicy:
        return replace(policy, idle_after_min=minutes, idle_budget_min=60.0, **more)

    return change


@pytest.fixture
def idle_engine(make_engine: MakeEngine, regions: Regions, clock: FixedClock) -> Vagtcentral:
    """The demo hotspots, idle proposals after 20 minutes, one car parked at Herning."""
    made = make_engine(policy=_idle(20.0))
    load_demo_hotspots(HotspotService(made.ctx.store, regions, clock), SCENARIOS_DIR)
    made.add_patrol(CAR, BASE, actor="op")
    _parked(made, clock.current)
    return made


def _parked(engine: Vagtcentral, at: datetime, car: str = CAR, base: str = BASE) -> list[Proposal]:
    """The car's AVL unit reports it standing at its base at ``at``."""
    where = engine.ctx.bases[base]
    return list(engine.record_fixes([PositionFix(car, at, where)]).proposals)


def test_a_car_parked_past_the_threshold_gets_a_round_trip_that_says_why(
    idle_engine: Vagtcentral, clock: FixedClock
) -> None:
    clock.advance(19 * 60)
    assert _parked(idle_engine, clock.current) == []  # not yet
    clock.advance(6 * 60)
    [proposal] = _parked(idle_engine, clock.current)
    assert proposal.status is ProposalStatus.PENDING and proposal.kept
    assert all(stop.reasons[0].code == "idle" for stop in proposal.stops)
    assert proposal.stops[0].reasons[0].params["idle_s"] == 25 * 60
    why = translator("da").render(messages_joined(proposal.stops[0].reasons))
    assert why.startswith("ledig på posten i 25 min"), why  # then what the stop is worth
    assert proposal.home_at is not None
    trip = (proposal.home_at - proposal.created_at).total_seconds()
    assert trip <= 60 * 60 + 1  # out, on site and back within the idle budget
    assert idle_engine.ctx.store.proposals.get(proposal.id) == proposal


def test_a_car_with_a_pending_proposal_is_not_asked_again_and_a_rejected_one_only_later(
    idle_engine: Vagtcentral, clock: FixedClock
) -> None:
    clock.advance(25 * 60)
    [first] = _parked(idle_engine, clock.current)
    clock.advance(30 * 60)
    assert _parked(idle_engine, clock.current) == []  # the operator has not decided yet
    idle_engine.reject(first.id, "bilen skal blive", actor="op")
    clock.advance(10 * 60)
    assert _parked(idle_engine, clock.current) == []  # asked less than 20 min ago
    clock.advance(10 * 60)
    [again] = _parked(idle_engine, clock.current)
    assert again.kept and again.stops[0].reasons[0].params["idle_s"] == 75 * 60


def test_no_idle_proposal_while_an_urgent_call_waits_in_the_politikreds(
    idle_engine: Vagtcentral, clock: FixedClock
) -> None:
    clock.advance(25 * 60)
    idle_engine.receive(urgent=True, position=idle_engine.ctx.bases["st01"], actor="op")
    [proposal] = _parked(idle_engine, clock.current)
    assert proposal.status is ProposalStatus.EMPTY and not proposal.stops
    assert proposal.blocked is not None and proposal.blocked.code == "urgent_queue"


def test_no_idle_proposal_that_would_leave_a_kommune_without_cover(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock
) -> None:
    # without local rounds (idle_local, the next test): the guard's plain rule
    engine = make_engine(policy=_idle(20.0, coverage_guard_min=20.0, idle_local=False))
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    engine.add_patrol(CAR, BASE, actor="op")
    _parked(engine, clock.current)
    clock.advance(25 * 60)
    [proposal] = _parked(engine, clock.current)  # the only car of the district
    assert proposal.status is ProposalStatus.EMPTY and not proposal.stops
    assert proposal.blocked is not None and proposal.blocked.code == "coverage"


def test_a_car_that_is_driving_or_was_freed_lately_is_not_idle(
    idle_engine: Vagtcentral, clock: FixedClock
) -> None:
    clock.advance(10 * 60)
    away = metric_point(8.8, 56.25)  # out on patrol between Herning and Holstebro, available
    idle_engine.record_fixes([PositionFix(CAR, clock.current, away)])
    clock.advance(15 * 60)
    assert _parked(idle_engine, clock.current) == []  # back 0 min ago, not 25
    clock.advance(20 * 60)
    assert len(_parked(idle_engine, clock.current)) == 1  # stood there 20 min since
    other = "MV-22"
    idle_engine.add_patrol(other, BASE, actor="op")
    idle_engine.set_status(other, PatrolStatus.OFF_DUTY, actor="op")
    _parked(idle_engine, clock.current, other)
    clock.advance(60 * 60)
    assert _parked(idle_engine, clock.current, other) == []  # off duty
    idle_engine.set_status(other, PatrolStatus.AVAILABLE, actor="op")
    clock.advance(10 * 60)
    assert _parked(idle_engine, clock.current, other) == []  # on duty for 10 min only


def test_idle_proposals_are_off_unless_the_policy_switches_them_on(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock
) -> None:
    engine = make_engine()
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    engine.add_patrol(CAR, BASE, actor="op")
    _parked(engine, clock.current)
    clock.advance(3 * 3600)
    assert _parked(engine, clock.current) == []
    assert engine.ctx.store.proposals.list(patrol=CAR) == []


def test_a_restarted_engine_knows_how_long_the_car_has_stood(
    idle_engine: Vagtcentral, make_engine: MakeEngine, clock: FixedClock
) -> None:
    clock.advance(15 * 60)
    _parked(idle_engine, clock.current)
    again = make_engine(policy=_idle(20.0))  # another process on the same database
    clock.advance(10 * 60)
    [proposal] = _parked(again, clock.current)
    assert proposal.kept and proposal.stops[0].reasons[0].params["idle_s"] == 25 * 60
    assert proposal.created_at > NOW


@pytest.mark.parametrize("short_only", [True, False])
def test_an_idle_car_is_proposed_only_hotspots_short_of_their_weeks_visits(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock, short_only: bool
) -> None:
    engine = make_engine(policy=_idle(20.0, idle_short_only=short_only))
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    engine.add_patrol(CAR, BASE, actor="op")
    politikreds = engine.ctx.district_of_base(BASE)
    thursday = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)  # this calendar week, days ago
    for spot in engine.hotspots.of(politikreds):  # every hotspot has had its week's visits
        for n in range(math.ceil(spot.visits_per_week)):
            arrived = thursday + timedelta(hours=n)
            visit = Visit(spot.id, CAR, arrived, arrived + timedelta(minutes=15))
            engine.report_visit(visit, actor="op")
    _parked(engine, clock.current)
    clock.advance(25 * 60)
    [proposal] = _parked(engine, clock.current)
    if short_only:  # a trip would add no visit the week asks for
        assert proposal.stops == () and proposal.status is ProposalStatus.EMPTY
    else:  # the served hotspots still carry a little value for a car that drives anyway
        assert proposal.stops and proposal.status is ProposalStatus.PENDING


def test_with_a_cover_rule_a_car_leaves_its_post_only_when_another_car_covers_it(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock
) -> None:
    engine = make_engine(policy=_idle(20.0, idle_cover_min=15.0))
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    engine.add_patrol(CAR, BASE, actor="op")
    _parked(engine, clock.current)
    clock.advance(25 * 60)
    assert _parked(engine, clock.current) == []  # alone at Herning: it stays for the next call
    engine.add_patrol("MV-22", BASE, actor="op")
    _parked(engine, clock.current, car="MV-22")  # a second car stands at the station
    clock.advance(60)
    [proposal] = _parked(engine, clock.current)
    assert proposal.patrol == CAR and proposal.kept


def test_of_two_cars_due_at_one_post_in_one_batch_only_one_leaves_under_the_cover_rule(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock
) -> None:
    engine = make_engine(policy=_idle(20.0, idle_cover_min=15.0))
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    cars = (CAR, "MV-22")
    for car in cars:
        engine.add_patrol(car, BASE, actor="op")
    where = engine.ctx.bases[BASE]
    engine.record_fixes([PositionFix(c, clock.current, where) for c in cars])
    clock.advance(25 * 60)
    made = engine.record_fixes([PositionFix(c, clock.current, where) for c in cars]).proposals
    assert [p.patrol for p in made] == [CAR]  # the other stays: the post keeps a car


@pytest.mark.parametrize("local", [True, False])
def test_a_car_alone_covering_its_kommune_gets_a_local_round_that_keeps_it_in_reach(
    make_engine: MakeEngine, regions: Regions, clock: FixedClock, local: bool
) -> None:
    # Nykøbing Mors: one car for all of Morsø, so the coverage guard stops every proposal
    engine = make_engine(policy=_idle(20.0, coverage_guard_min=20.0, idle_local=local))
    load_demo_hotspots(HotspotService(engine.ctx.store, regions, clock), SCENARIOS_DIR)
    engine.add_patrol("MV-81", "st08", actor="op")
    _parked(engine, clock.current, car="MV-81", base="st08")
    clock.advance(25 * 60)
    [proposal] = _parked(engine, clock.current, car="MV-81", base="st08")
    if not local:
        assert proposal.stops == () and proposal.blocked is not None
        assert proposal.blocked.code == "coverage"
        return
    spots = {h.id: h for h in engine.hotspots.of(engine.ctx.district_of_base("st08"))}
    assert proposal.stops and {spots[s.hotspot].location.kommunekode for s in proposal.stops} == {
        "0773"  # Morsø only: the car never leaves the reach the guard asks for
    }
    assert any(s.title.startswith("Nykøbing Mors") for s in proposal.stops)  # Saturday night
