"""A follow-up's door inside a hotspot's radius (smartspot/live/doors.py): a stay there by the
car sent to the door is the follow-up's attempt; the hotspot gets a visit only for the time
beyond the follow-up's 10 minutes, and only when that rest is a visit (>= 3 min, the test
policy's min_stay); a car not sent to the door visits the hotspot as before."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from smartspot.clock import FixedClock
from smartspot.followups import FollowUp
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from smartspot.live.engine import Vagtcentral
from smartspot.plans import Proposal, ProposalStatus
from tests.followup_fixtures import draft
from tests.hotspot_fixtures import draft as hotspot_draft
from tests.live.conftest import HERNING, MakeEngine, place, to_clear

DOOR = (8.80, 56.25)  # between Herning and Holstebro (st01, the cars' home)
SPOT = (8.8005, 56.2502)  # a point hotspot ~40 m from the door: the door is within its 150 m


@pytest.fixture
def engine(make_engine: MakeEngine, regions: Regions, clock: FixedClock) -> Vagtcentral:
    return make_engine()


@pytest.fixture
def spot(engine: Vagtcentral, regions: Regions, clock: FixedClock) -> str:
    service = HotspotService(engine.ctx.store, regions, clock)
    geometry = {"type": "Point", "coordinates": list(SPOT)}
    return service.register(hotspot_draft(), geometry, user="analytiker").id


@pytest.fixture
def door(engine: Vagtcentral) -> FollowUp:
    geometry = {"type": "Point", "coordinates": list(DOOR)}
    return engine.register_followup(draft(windows=[]), geometry, actor="analytiker")


def _sent(engine: Vagtcentral, clock: FixedClock, car: str, *, remove: list[str]) -> Proposal:
    """``car`` clears a callout and is sent on (its proposal accepted without ``remove``)."""
    engine.add_patrol(car, "st01", actor="op")
    place(engine, car, HERNING, clock.current)
    _, [proposal] = engine.clear(to_clear(engine, car, HERNING), actor="op")
    return engine.accept(proposal.id, remove, actor="op")


def _stay(engine: Vagtcentral, clock: FixedClock, car: str, minutes: int) -> datetime:
    """``car`` stands at the door for ``minutes`` (a fix a minute), then drives on."""
    start = clock.current + timedelta(minutes=10)
    for minute in range(minutes + 1):
        clock.current = start + timedelta(minutes=minute)
        place(engine, car, DOOR, clock.current)
    clock.current = start + timedelta(minutes=minutes + 1)
    place(engine, car, HERNING, clock.current)
    return start


def test_a_stay_at_the_door_of_the_car_sent_there_is_the_attempt_not_a_hotspot_visit(
    engine: Vagtcentral, clock: FixedClock, spot: str, door: FollowUp
) -> None:
    sent = _sent(engine, clock, "MV-21", remove=[spot])
    assert [s.hotspot for s in sent.kept] == [door.id]
    start = _stay(engine, clock, "MV-21", 12)  # 12 min: the door's 10 + 2, less than a visit
    [attempt] = engine.followups.attempts(door.id)
    assert (attempt.patrol, attempt.at, attempt.detected) == ("MV-21", start, True)
    assert engine.ctx.store.visits.list(hotspot=spot) == []
    assert engine.ctx.store.proposals.get(sent.id).status is ProposalStatus.COMPLETED


def test_a_long_stay_there_is_the_attempt_then_a_visit_for_the_minutes_beyond_the_doors(
    engine: Vagtcentral, clock: FixedClock, spot: str, door: FollowUp
) -> None:
    sent = _sent(engine, clock, "MV-21", remove=[])
    assert {s.hotspot for s in sent.kept} == {door.id, spot}  # sent to both
    start = _stay(engine, clock, "MV-21", 18)
    [attempt] = engine.followups.attempts(door.id)
    assert attempt.at == start
    [stored] = engine.ctx.store.visits.list(hotspot=spot)
    assert stored.visit.arrived_at == start + timedelta(minutes=10)  # after the door's minutes
    assert stored.visit.left_at == start + timedelta(minutes=18)
    assert stored.visit.minutes_on_site == 8  # 18 on site: 10 the door's, 8 the hotspot's
    assert engine.ctx.store.proposals.get(sent.id).status is ProposalStatus.COMPLETED


def test_a_car_sent_to_both_that_stays_the_doors_minutes_still_has_the_hotspot_to_do(
    engine: Vagtcentral, clock: FixedClock, spot: str, door: FollowUp
) -> None:
    sent = _sent(engine, clock, "MV-21", remove=[])
    _stay(engine, clock, "MV-21", 11)
    assert len(engine.followups.attempts(door.id)) == 1
    assert engine.ctx.store.visits.list(hotspot=spot) == []
    after = engine.ctx.store.proposals.get(sent.id)
    assert after.status is ProposalStatus.ACCEPTED
    assert {s.hotspot: s.done for s in after.kept} == {door.id: True, spot: False}


def test_a_car_not_sent_to_the_door_makes_a_whole_hotspot_visit_and_no_attempt(
    engine: Vagtcentral, clock: FixedClock, spot: str, door: FollowUp
) -> None:
    engine.add_patrol("MV-23", "st01", actor="op")
    start = _stay(engine, clock, "MV-23", 12)
    assert engine.followups.attempts(door.id) == []
    [stored] = engine.ctx.store.visits.list(hotspot=spot)
    assert (stored.visit.arrived_at, stored.visit.left_at) == (
        start,
        start + timedelta(minutes=12),
    )
