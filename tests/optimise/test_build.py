"""Building a problem from domain objects on the real Samsø road graph (ferries off, so the
mainland is unreachable), then explaining the answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from shapely.geometry import Point

from smartspot.domain import Category, Location, Visit
from smartspot.i18n import translator
from smartspot.optimise.build import BuiltProblem, FreeCar, PlanningContext, build_problem
from smartspot.optimise.check import check_solution
from smartspot.optimise.explain import Explanation, explain
from smartspot.optimise.solvers import get_solver
from smartspot.optimise.value import ValueSettings
from smartspot.reasons import joined, messages_joined
from smartspot.resources import DATA_DIR
from smartspot.travel.options import TravelOptions
from smartspot.travel.osm import build_graph
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.straight import StraightLineTravelTimes
from smartspot.windows import ActiveWindow
from tests.conftest import metric_point
from tests.test_domain import make_hotspot

NOW = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)  # Saturday 23:00 in Denmark
TRANEBJERG = (10.59723, 55.8326)
NORDBY = (10.5983, 55.9595)
ONSBJERG = (10.5640, 55.8800)
HOU = (10.2591054, 55.9124582)  # mainland, across the ferry
NO_JITTER = ValueSettings(jitter=0)


@pytest.fixture(scope="module")
def travel() -> RoadTravelTimes:
    graph = build_graph(DATA_DIR / "osm" / "samsoe.osm.pbf")
    return RoadTravelTimes(graph, TravelOptions(ferries=False))


def _car(**changes) -> FreeCar:
    car = FreeCar(
        "P1", metric_point(*NORDBY), metric_point(*TRANEBJERG), NOW, 1800,
        politikreds="Østjyllands Politi",
    )  # fmt: skip
    return replace(car, **changes)


def _spots():
    night = (ActiveWindow.parse("fri,sat 20:00-02:00"),)
    return [
        make_hotspot(id="on-way", geometry=metric_point(*ONSBJERG), windows=night),
        make_hotspot(id="mainland", geometry=metric_point(*HOU)),
        make_hotspot(id="monday", geometry=metric_point(*ONSBJERG),
                     windows=(ActiveWindow.parse("mon 08:00-09:00"),)),
        make_hotspot(id="just-seen", geometry=metric_point(*TRANEBJERG)),
        make_hotspot(id="busy", geometry=metric_point(*TRANEBJERG)),
    ]  # fmt: skip


def _stations() -> np.ndarray:
    return np.array([[metric_point(*TRANEBJERG).x, metric_point(*TRANEBJERG).y]])


def test_build_solve_explain_on_real_roads(travel: RoadTravelTimes) -> None:
    visits = [Visit("just-seen", "P9", NOW - timedelta(minutes=30))]
    built = build_problem(
        [_car()], _spots(), travel, NOW, stations=_stations(), visits=visits,
        settings=NO_JITTER, context=PlanningContext(claimed=frozenset({"busy"})),
    )  # fmt: skip
    assert built.problem is not None
    assert [t.id for t in built.problem.hotspots] == ["on-way"]
    assert built.left_out["mainland"].code == "unreachable"
    assert built.left_out["monday"].text().startswith("not active")
    assert built.left_out["just-seen"].text() == "cool-down: visited 30 min ago"
    assert built.left_out["busy"].text() == "another car is working it"
    solution = get_solver().solve(built.problem, time_limit_s=0.2)
    assert check_solution(built.problem, solution) == []
    advice = explain(built, solution)
    [car] = advice.cars
    [stop] = car.stops
    assert stop.hotspot == "on-way" and stop.minutes_on_site == 15
    assert car.home_at is not None and NOW < stop.eta <= stop.start < stop.leave < car.home_at
    assert 0 < car.detour_s <= 30 * 60
    assert "active fri,sat 20:00-02:00" in joined(stop.reasons)
    [plan] = solution.plans
    assert (stop.start - NOW).total_seconds() == plan.stops[0].start_s  # the solver's own times


def test_remote_hotspot_outranks_an_equal_town_hotspot_on_real_roads(travel) -> None:
    town = make_hotspot(id="town", geometry=metric_point(*TRANEBJERG))
    remote = make_hotspot(id="remote", geometry=metric_point(*NORDBY))
    built = build_problem(
        [_car()], [town, remote], travel, NOW, stations=_stations(), settings=NO_JITTER
    )
    assert built.valuations["remote"].value > built.valuations["town"].value
    assert built.valuations["remote"].reasons[1].text().startswith("remote: nearest station")


def test_urgent_queue_blocks_every_car_of_the_kreds(travel: RoadTravelTimes) -> None:
    context = PlanningContext(urgent_waiting=frozenset({"Østjyllands Politi"}))
    built = build_problem([_car()], _spots(), travel, NOW, stations=_stations(), context=context)
    assert built.problem is None
    assert built.blocked["P1"].code == "urgent_queue"
    advice = explain(built, None)
    blocked = advice.cars[0].blocked
    assert blocked is not None and blocked.code == "urgent_queue" and advice.cars[0].stops == ()


def test_shift_end_within_budget_gives_no_proposal(travel: RoadTravelTimes) -> None:
    car = _car(shift_ends_at=NOW + timedelta(minutes=20))
    built = build_problem([car], _spots(), travel, NOW, stations=_stations())
    assert built.problem is None and built.blocked["P1"].code == "shift_ends"


def test_no_budget_leaves_everything_outside_the_budget(travel: RoadTravelTimes) -> None:
    built = build_problem(
        [_car(budget_s=0)], _spots()[:1], travel, NOW, stations=_stations(), settings=NO_JITTER
    )
    assert built.left_out["on-way"].code == "outside_budget"


def test_coverage_guard_blocks_the_only_car_near_a_kommune(travel: RoadTravelTimes) -> None:
    from smartspot.optimise.rules import CoverageGuard

    nordby = metric_point(*NORDBY)
    guard = CoverageGuard(10, ("Samsø nord",), np.array([[nordby.x, nordby.y]]))
    alone = build_problem([_car()], _spots(), travel, NOW, stations=_stations(),
                          context=PlanningContext(coverage=guard))  # fmt: skip
    assert alone.problem is None
    assert alone.blocked["P1"].text().startswith("coverage: Samsø nord")
    backup = PlanningContext(coverage=guard, other_available=np.array([[nordby.x, nordby.y]]))
    covered = build_problem([_car()], _spots(), travel, NOW, stations=_stations(), context=backup)
    assert covered.problem is not None and "P1" not in covered.blocked


def test_a_hotspot_far_behind_late_in_the_week_outranks_one_already_served() -> None:
    """Issue 13 §3. Saturday 23:00: one car, room for one stop. "served" (priority 5,
    nightlife, next to the station) has had both its visits this week; "behind" (priority 2,
    outlying: 16 min from the station) has had none of its one, and was last seen 9 days ago.
    The old need term (no lateness, a served hotspot at the base need) sent the car to
    "served"; the need that counts sends it to "behind", and says why."""

    def at(km_x: float, km_y: float) -> Point:
        return Point(500_000 + km_x * 1000, 6_200_000 + km_y * 1000)

    where = Location("0661", "Holstebro", "Midt- og Vestjyllands Politi")
    served = make_hotspot(
        id="served", geometry=at(1, 0.5), priority=5, category=Category.NIGHTLIFE,
        visits_per_week=2, location=where,
    )  # fmt: skip
    behind = make_hotspot(
        id="behind", geometry=at(12, 3), priority=2, category=Category.OTHER,
        visits_per_week=1, location=where,
    )  # fmt: skip
    visits = [
        Visit("served", "P9", NOW - timedelta(days=4)),  # Tuesday
        Visit("served", "P9", NOW - timedelta(days=1)),  # Friday
        Visit("behind", "P9", NOW - timedelta(days=9)),  # last week
    ]
    car = FreeCar("P1", at(10, 0), at(0, 0), NOW, 25 * 60, politikreds=where.politikreds)
    station = np.array([[at(0, 0).x, at(0, 0).y]])

    def plan(settings: ValueSettings) -> tuple[list[str], tuple[BuiltProblem, Explanation]]:
        built = build_problem(
            [car], [served, behind], StraightLineTravelTimes(), NOW,
            stations=station, visits=visits, settings=settings,
        )  # fmt: skip
        assert built.problem is not None and len(built.problem.hotspots) == 2
        advice = explain(built, get_solver("exact").solve(built.problem, time_limit_s=1.0))
        return [s.hotspot for s in advice.cars[0].stops], (built, advice)

    old = ValueSettings(jitter=0, need_late=0, need_outlying=0, need_served=0.5)
    assert plan(old)[0] == ["served"]  # the test can fail: the old need chose the served one
    chosen, (built, advice) = plan(NO_JITTER)
    assert chosen == ["behind"]
    assert built.valuations["behind"].value > 2 * built.valuations["served"].value
    [stop] = advice.cars[0].stops
    why = joined(stop.reasons)
    assert "outlying and behind: 1 of 1 visits still missing this week, 25 h left" in why
    danish = translator("da").render(messages_joined(stop.reasons))
    assert "yderområde og bagud: 1 af 1 besøg mangler stadig i denne uge, 25 t tilbage" in danish
    assert "this week's visits made (2 of 2)" in joined(built.valuations["served"].reasons)
    assert advice.left_out["served"].code == "not_chosen"


def test_the_places_of_many_hotspots_are_read_at_once_as_one_by_one() -> None:
    """``_xys`` (one call for a district's points) gives each geometry's ``xy`` to the bit,
    a polygon's representative point among points too."""
    from shapely.geometry import Polygon

    from smartspot.optimise.build import _xys, xy

    rng = np.random.default_rng(5)
    shapes: list[Point | Polygon] = [Point(x, y) for x, y in rng.uniform(4e5, 7e5, (50, 2))]
    shapes.insert(7, Polygon([(500_000, 6_200_000), (500_300, 6_200_000), (500_100, 6_200_400)]))
    expected = np.array([xy(g) for g in shapes])
    np.testing.assert_array_equal(_xys(shapes), expected)
    assert _xys([]).shape == (0, 2)
