"""The straight-line prefilter of the problem builder drops only hotspots the road ellipse
would drop too: the problem (cars, tasks, values, matrix) is the same as without it, on the
real Midt- og Vestjylland fallback with its ferry timetables at night."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from smartspot.domain import Hotspot, Visit
from smartspot.geo.regions import cached_regions
from smartspot.optimise.build import BuiltProblem, FreeCar, build_problem
from smartspot.optimise.solvers import get_solver
from smartspot.optimise.value import ValueSettings
from smartspot.resources import DATA_DIR
from smartspot.travel.config import land_graph
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import FallbackParams
from smartspot.travel.port import Points, Seconds
from smartspot.travel.speed_bound import top_speed_mps
from smartspot.windows import ActiveWindow
from tests.test_domain import make_hotspot

DISTRICT = "Midt- og Vestjyllands Politi"
NIGHT = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # a Tuesday after the last ferries


class NoBound:
    """The same travel times without a known top speed: the builder cannot prefilter."""

    def __init__(self, travel: LandTravelTimes) -> None:
        self.travel = travel

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        return self.travel.matrix(origins, destinations, depart_at=depart_at, limit_s=limit_s)

    def route(self, a: Points, b: Points) -> None:
        return None


@pytest.fixture(scope="module")
def fallback() -> LandTravelTimes:
    return LandTravelTimes(land_graph(DISTRICT, FallbackParams()))


def _points_on_land(count: int, rng: np.random.Generator) -> list[Point]:
    regions = cached_regions(DATA_DIR)
    shapes = [
        p for k, p in zip(regions.kommuner, regions.polygons, strict=True)
        if k.politikreds == DISTRICT
    ]  # fmt: skip
    land = shapely.union_all(shapes)
    minx, miny, maxx, maxy = land.bounds
    found: list[Point] = []
    while len(found) < count:
        x, y = rng.uniform((minx, miny), (maxx, maxy))
        if land.contains(Point(x, y)):
            found.append(Point(x, y))
    return found


def _world(seed: int) -> tuple[list[Hotspot], list[FreeCar], list[Visit]]:
    rng = np.random.default_rng(seed)
    places = _points_on_land(260, rng)
    evening = (ActiveWindow.parse("mon-sun 20:00-02:00"),)
    morning = (ActiveWindow.parse("mon 08:00-09:00"),)
    spots = [
        make_hotspot(
            id=f"HS-{k:06d}", geometry=p, priority=int(rng.integers(1, 6)),
            windows=(evening, morning, ())[k % 3],
        )
        for k, p in enumerate(places[:240])
    ]  # fmt: skip
    cars = [
        FreeCar(f"C{k}", places[240 + 2 * k], places[241 + 2 * k], NIGHT, budget_s=budget,
                politikreds=DISTRICT)
        for k, budget in enumerate((600, 1200, 1800))
    ]  # fmt: skip
    cars.append(replace(cars[1], call_sign="late", free_at=NIGHT + timedelta(minutes=20)))
    visits = [
        Visit(s.id, "P9", NIGHT - timedelta(minutes=10 + k)) for k, s in enumerate(spots[::7])
    ]
    return spots, cars, visits


def _build(travel: object, seed: int) -> BuiltProblem:
    spots, cars, visits = _world(seed)
    stations = np.array([[c.home.x, c.home.y] for c in cars])
    return build_problem(
        cars, spots, travel, NIGHT, stations=stations, visits=visits,  # type: ignore[arg-type]
        settings=ValueSettings(), rng=np.random.default_rng(seed + 1),
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_prefilter_keeps_every_hotspot_the_road_ellipse_keeps(
    fallback: LandTravelTimes, seed: int
) -> None:
    assert top_speed_mps(fallback) is not None and top_speed_mps(NoBound(fallback)) is None
    filtered, unfiltered = _build(fallback, seed), _build(NoBound(fallback), seed)
    assert filtered.problem is not None and unfiltered.problem is not None
    assert filtered.problem.cars == unfiltered.problem.cars
    assert filtered.problem.hotspots == unfiltered.problem.hotspots  # ids, values, windows
    np.testing.assert_array_equal(filtered.problem.travel_s, unfiltered.problem.travel_s)
    assert filtered.problem.hotspots  # something to plan, so the comparison says something
    assert set(filtered.left_out) == set(unfiltered.left_out)
    changed = {
        (unfiltered.left_out[k].code, r.code)
        for k, r in filtered.left_out.items()
        if r != unfiltered.left_out[k]
    }
    # the only difference: one beyond reach even as the crow flies is 'outside_budget'
    # without asking the road whether it is also cut off tonight
    assert changed <= {("unreachable", "outside_budget")}
    # every hotspot's valuation, reasons and all, whether its reasons are ever read or not
    assert set(filtered.valuations) == set(unfiltered.valuations)
    for k, valuation in unfiltered.valuations.items():
        assert filtered.valuations[k] == valuation


class Asked(LandTravelTimes):
    """The fallback, noting how many origins and destinations each question had."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[tuple[int, int, float | None]] = []

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        self.asked.append((len(origins), len(destinations), limit_s))
        return super().matrix(origins, destinations, depart_at=depart_at, limit_s=limit_s)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_way_there_is_asked_only_where_the_way_home_leaves_room_and_the_problem_is_exact(
    seed: int,
) -> None:
    travel = Asked(land_graph(DISTRICT, FallbackParams()))
    built = _build(travel, seed)
    assert built.problem is not None
    cars = len(built.problem.cars)
    # the questions of the ellipse, after the stations' round trips: every candidate's way
    # home (no cut-off), then the way there (cut off at the longest drive) for fewer of them
    home = [n for n, d, limit in travel.asked if d == cars and limit is None and n != cars][-1]
    [there] = [d for n, d, limit in travel.asked if n == cars and limit is not None and d != cars]
    assert 0 < there < home
    # the road ellipse in full over every candidate of value gives exactly the problem's tasks
    kept = {t.id for t in built.problem.hotspots}
    far = {k for k, r in built.left_out.items() if r.code in ("outside_budget", "unreachable")}
    listed, free, _ = _world(seed)
    spots = {s.id: s for s in listed}
    ids = sorted(kept | far)
    where = np.array([[spots[k].geometry.x, spots[k].geometry.y] for k in ids])
    service = np.array([spots[k].instruction.minutes_on_site * 60 for k in ids])
    starts = np.array([[c.position.x, c.position.y] for c in free])
    homes = np.array([[c.home.x, c.home.y] for c in free])
    out = travel.matrix(starts, where, depart_at=NIGHT)
    back = travel.matrix(where, homes, depart_at=NIGHT).T
    direct = np.diag(travel.matrix(starts, homes, depart_at=NIGHT))
    limit = direct + np.array([c.budget_s for c in free])
    fits = (out + service + back <= limit[:, None]).any(axis=0)
    assert {k for k, ok in zip(ids, fits.tolist(), strict=True) if ok} == kept
    for k, reason in built.left_out.items():
        if reason.code == "unreachable":  # no way home tonight, for any car
            assert np.isnan(back[:, ids.index(k)]).all()


class NoLimit(NoBound):
    """The same travel times, always searched in full (the builder's cut-off ignored)."""

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        return self.travel.matrix(origins, destinations, depart_at=depart_at)


def _build_apart(travel: object, seed: int) -> BuiltProblem:
    """Two cars with short budgets, near home at the far ends of the district: each one's
    hotspots lie further from the other's than either may drive."""
    rng = np.random.default_rng(seed)
    places = _points_on_land(300, rng)
    xy = np.array([[p.x, p.y] for p in places])
    west, east = int(np.argmin(xy[:, 0])), int(np.argmax(xy[:, 0]))
    spots = [
        make_hotspot(id=f"HS-{k:06d}", geometry=p, priority=int(rng.integers(1, 6)))
        for k, p in enumerate(places)
        if k not in (west, east)
    ]
    cars = [
        FreeCar(name, places[k], Point(places[k].x + 800, places[k].y), NIGHT, budget_s=900,
                politikreds=DISTRICT)
        for name, k in (("west", west), ("east", east))
    ]  # fmt: skip
    stations = np.array([[c.home.x, c.home.y] for c in cars])
    return build_problem(
        cars, spots, travel, NIGHT, stations=stations,  # type: ignore[arg-type]
        settings=ValueSettings(), rng=np.random.default_rng(seed + 1),
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_legs_longer_than_any_car_may_drive_are_cut_and_the_plans_stay_the_same(
    fallback: LandTravelTimes, seed: int
) -> None:
    cut, full = _build_apart(NoBound(fallback), seed), _build_apart(NoLimit(fallback), seed)
    assert cut.problem is not None and full.problem is not None
    assert cut.problem.hotspots == full.problem.hotspots
    # a hotspot too far by road is 'outside_budget' either way; one with no way home from it
    # tonight (an island after its last ferry) stays 'unreachable' with the cut-off too
    assert {k: r.code for k, r in cut.left_out.items()} == {
        k: r.code for k, r in full.left_out.items()
    }
    longest = max(
        cut.problem.deadline(c) - c.available_s for c in cut.problem.cars
    )  # direct trip + budget
    a, b = cut.problem.travel_s, full.problem.travel_s
    kept = ~np.isnan(a)
    np.testing.assert_array_equal(a[kept], b[kept])
    dropped = np.isnan(a) & ~np.isnan(b)
    assert dropped.any()  # the cut-off did cut something here
    assert (b[dropped] > longest).all()  # ... and only legs no plan could drive
    for solver in ("greedy", "exact"):
        mine = get_solver(solver).solve(cut.problem, time_limit_s=1.0, seed=seed)
        theirs = get_solver(solver).solve(full.problem, time_limit_s=1.0, seed=seed)
        assert mine.plans == theirs.plans
