"""The fallback with timetabled ferries: Samsø and Fur at midday and at night."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import LandGraph
from smartspot.travel.port import reachable
from tests.travel.conftest import TRANEBJERG, town, xy
from tests.travel.test_fallback import FUR_TOWN

CPH = ZoneInfo("Europe/Copenhagen")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=CPH)  # a Tuesday


@pytest.fixture(scope="module")
def oej(oej_land: LandGraph) -> LandTravelTimes:
    return LandTravelTimes(oej_land)


def test_samsoe_at_midday_waits_for_the_next_ferry(oej: LandTravelTimes) -> None:
    odder, samsoe = town("Odder"), xy(*TRANEBJERG)
    # Odder → Hou is about 15 minutes: leaving 11:30 catches the 12:00, leaving 11:55 waits
    # for the 14:30
    early = oej.matrix(odder, samsoe, depart_at=at(11, 30))[0, 0]
    late = oej.matrix(odder, samsoe, depart_at=at(11, 55))[0, 0]
    assert 3600 < early < 2 * 3600
    assert late - early == pytest.approx(2.5 * 3600 - 25 * 60, abs=60)


def test_samsoe_is_unreachable_from_the_mainland_at_night(oej: LandTravelTimes) -> None:
    odder, samsoe = town("Odder"), xy(*TRANEBJERG)
    for hour, minute in ((23, 30), (2, 0)):
        t = oej.matrix(odder, np.vstack([samsoe, town("Skanderborg")]), depart_at=at(hour, minute))
        assert np.isnan(t[0, 0])  # the hotspot on Samsø: no car goes there tonight
        assert reachable(t[:, 1:]).all()  # the mainland is unaffected
    back = oej.matrix(samsoe, odder, depart_at=at(2, 0))
    assert np.isnan(back).all()


def test_without_a_departure_time_the_flat_wait_stays(oej: LandTravelTimes) -> None:
    odder, samsoe = town("Odder"), xy(*TRANEBJERG)
    assert reachable(oej.matrix(odder, samsoe)).all()  # callers that pass no time: as before


def test_fur_is_reached_at_midday_and_at_night_only_slower(
    mvj_fallback: LandTravelTimes,
) -> None:
    skive, fur = town("Skive"), xy(*FUR_TOWN)
    noon = mvj_fallback.matrix(skive, fur, depart_at=at(12, 0))[0, 0]
    night = mvj_fallback.matrix(skive, fur, depart_at=at(2, 0))[0, 0]
    assert np.isfinite(noon) and np.isfinite(night)
    assert noon < night <= noon + 3600  # hourly at night, every quarter of an hour by day
    home = mvj_fallback.matrix(fur, skive, depart_at=at(2, 0))
    assert reachable(home).all()


def test_trips_give_driven_metres_beside_the_seconds(mvj_fallback: LandTravelTimes) -> None:
    a, b = town("Holstebro"), np.vstack([town("Herning"), town("Struer")])
    trips = mvj_fallback.trips(a, b)
    assert trips.seconds == pytest.approx(mvj_fallback.matrix(a, b))
    straight = np.hypot(*(a - b).T)
    assert (trips.metres[0] > straight).all() and (trips.metres[0] < 1.6 * straight).all()
    timed = mvj_fallback.trips(a, b, depart_at=at(12, 0))
    assert timed.metres == pytest.approx(trips.metres, rel=1e-6)  # no ferry on the way


@pytest.mark.parametrize(("hour", "reached"), [(11, True), (23, False)])
def test_planning_times_a_samsoe_hotspot_by_the_ferry_timetable(
    oej: LandTravelTimes, hour: int, reached: bool
) -> None:
    """The optimiser's problem builder passes the moment it plans for: at 23:30 the last
    ferry has left and the hotspot is unreachable, at 11:30 it is not (a detour of hours that
    may still exceed a car's budget)."""
    from shapely.geometry import Point

    from smartspot.optimise.build import FreeCar, build_problem
    from smartspot.optimise.value import ValueSettings
    from tests.test_domain import make_hotspot

    odder, samsoe = town("Odder"), xy(*TRANEBJERG)
    spot = make_hotspot(id="samsoe", geometry=Point(samsoe[0]), windows=())
    now = at(hour, 30)
    car = FreeCar("OJ-21", Point(odder[0]), Point(odder[0]), now, budget_s=4 * 3600)
    built = build_problem([car], [spot], oej, now, stations=odder, settings=ValueSettings(jitter=0))
    kept = [] if built.problem is None else [t.id for t in built.problem.hotspots]
    why = built.left_out.get("samsoe")
    assert (kept == ["samsoe"] or (why is not None and why.code != "unreachable")) is reached
