"""The fallback with timetabled ferries: Samsø and Fur at midday and at night."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import LandGraph
from smartspot.travel.port import reachable
from tests.travel.conftest import OEJ_TOWNS, TRANEBJERG, around, town, xy
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


@pytest.mark.parametrize("hour", [(11, 30), (23, 30), (2, 0), (6, 50)])
def test_times_asked_without_metres_search_the_timetables_only_where_a_ferry_may_help(
    oej: LandTravelTimes, hour: tuple[int, int]
) -> None:
    """``matrix`` searches the timetables only from the origins where a crossing may beat the
    road (:func:`~smartspot.travel.timetabled.may_sail`); ``trips`` (metres asked) searches
    them from every origin: the same seconds, with Samsø closed at night and open by day."""
    from smartspot.travel import timetabled

    mainland = np.vstack([around(OEJ_TOWNS, seed=11, per_town=4), town("Odder")])
    points = np.vstack([mainland, xy(*TRANEBJERG)])
    depart_at = at(*hour)
    asked: list[tuple[int, int]] = []
    real = timetabled.may_sail

    def counted(*args: object, **kwargs: object) -> np.ndarray:
        rows = real(*args, **kwargs)  # type: ignore[arg-type]
        asked.append((len(rows), int(rows.sum())))
        return rows

    timetabled.may_sail = counted  # type: ignore[assignment]
    try:
        fast = oej.matrix(points, points, depart_at=depart_at)
        cut = oej.matrix(points, points, depart_at=depart_at, limit_s=1800)
        local = oej.matrix(mainland, mainland, depart_at=depart_at)
    finally:
        timetabled.may_sail = real
    full = oej.trips(points, points, depart_at=depart_at)
    np.testing.assert_array_equal(fast, full.seconds)
    np.testing.assert_array_equal(cut, np.where(full.seconds > 1800, np.nan, full.seconds))
    np.testing.assert_array_equal(local, full.seconds[:-1, :-1])
    (n, sailing), (_, sailing_cut), (m, sailing_local) = asked
    assert sailing == n  # Samsø among the destinations: every row may take the ferry there
    assert sailing_cut == 0 and sailing_local < m  # within half an hour, or on the mainland
    assert bool(np.isnan(fast[-2, -1])) is (hour[0] in (23, 2))  # Odder → Samsø by the clock


def test_may_sail_only_where_a_crossing_can_beat_the_road() -> None:
    from smartspot.travel.ferries import Timetable
    from smartspot.travel.timetabled import Legs, TimedCrossing, may_sail

    # terminals 0 → 1, a crossing of 600 s; origin 0 is 100 s from terminal 0, origin 1 far
    crossing = (TimedCrossing(0, 1, Timetable("x", "a", ()), 600.0, 1000.0),)
    zero = np.zeros((2, 2))

    def legs(direct: list[list[float]]) -> Legs:
        d = np.array(direct)
        to_t = np.array([[100.0, np.inf], [5000.0, np.inf]])
        between = np.array([[0.0, np.inf], [np.inf, 0.0]])
        from_t = np.array([[np.inf, np.inf], [50.0, np.inf]])  # terminal 1 → destination 0
        return Legs((d, np.zeros_like(d)), (to_t, zero), (between, zero), (from_t, zero))

    # by road 2,000 s to destination 0: origin 0 may sail (100 + 600 + 50), origin 1 not
    # (5,000 + 600 + 50 > 2,000), nor beyond a cut-off of 700 s
    np.testing.assert_array_equal(
        may_sail(crossing, legs([[2000.0, 10.0], [2000.0, 10.0]])), [True, False]
    )
    np.testing.assert_array_equal(
        may_sail(crossing, legs([[2000.0, 10.0], [2000.0, 10.0]]), 700.0), [False, False]
    )
    # no road at all (an island): a row that reaches the crossing may sail
    np.testing.assert_array_equal(
        may_sail(crossing, legs([[np.inf, 10.0], [np.inf, 10.0]])), [True, True]
    )
    # the road as fast as the crossing's path: nothing to gain
    np.testing.assert_array_equal(
        may_sail(crossing, legs([[750.0, 10.0], [2000.0, 10.0]])), [False, False]
    )
