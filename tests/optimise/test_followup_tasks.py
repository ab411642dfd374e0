"""Follow-ups (tryghedsopfølgninger) in the optimiser: tasks beside hotspots in one problem,
worth more as the due date nears, nothing outside the preferred hours, one car each, under the
same rules, with a "why" line that says why now."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from shapely.geometry import Point

from smartspot.domain import Location
from smartspot.followups import Citizen, FollowUp, FollowUpCategory, PhoneReason, Queue
from smartspot.i18n import translator
from smartspot.optimise.build import FreeCar, PlanningContext, build_problem
from smartspot.optimise.check import check_solution
from smartspot.optimise.explain import explain
from smartspot.optimise.followup_tasks import off_route_km
from smartspot.optimise.problem import problem_to_dict
from smartspot.optimise.solvers import get_solver
from smartspot.optimise.value import FollowUpSituation, ValueSettings, followup_value_of
from smartspot.reasons import message, messages_joined
from smartspot.travel.straight import StraightLineTravelTimes
from smartspot.windows import ActiveWindow
from tests.test_domain import make_hotspot

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # Tuesday 17:00 in Denmark
NO_JITTER = ValueSettings(jitter=0)
START, HOME = Point(500_000, 6_250_000), Point(520_000, 6_250_000)
TRAVEL = StraightLineTravelTimes()
STATIONS = np.array([[HOME.x, HOME.y]])
MVJ = "Midt- og Vestjyllands Politi"
SITUATION = FollowUpSituation(
    priority=3,
    due_in_s=7 * 86400,
    in_hours_now=True,
    since_failed_attempt_s=None,
    station_round_trip_s=20 * 60,
)


def make_followup(**changes: object) -> FollowUp:
    followup = FollowUp(
        id="TO-000001",
        case_ref="4100-76543-00123-26",
        category=FollowUpCategory.BURGLARY,
        task="Opfølgning efter indbrud: spørg til trygheden, giv folder",
        position=Point(510_000, 6_252_000),  # 2 km off the line start → home
        location=Location("0661", "Holstebro", MVJ),
        due_by=date(2026, 11, 26),  # due by the end of Thursday: ~2.3 days from NOW
        created_by="analyst",
        created_at=NOW - timedelta(days=12),
        updated_by="analyst",
        updated_at=NOW - timedelta(days=12),
        citizen=Citizen("Karen Jensen", "20 30 40 50"),
    )
    return replace(followup, **changes)  # type: ignore[arg-type]


def _car(call_sign: str = "P1", start: Point = START) -> FreeCar:
    return FreeCar(call_sign, start, HOME, NOW, 1800, politikreds=MVJ)


def _build(followups, hotspots=(), cars=None, **kwargs):  # type: ignore[no-untyped-def]
    return build_problem(
        cars or [_car()], list(hotspots), TRAVEL, NOW, stations=STATIONS,
        settings=NO_JITTER, followups=followups, **kwargs,
    )  # fmt: skip


def test_value_rises_as_the_due_date_approaches() -> None:
    values = [
        followup_value_of(replace(SITUATION, due_in_s=days * 86400), NO_JITTER).value
        for days in (20, 14, 7, 2, 0, -3)
    ]
    assert values[0] == values[1] < values[2] < values[3] < values[4]
    assert values[5] == values[4]  # overdue: still open, worth the most
    assert values[4] == pytest.approx(3 * values[1])  # 1 + followup_rise at the due date


def test_value_is_zero_outside_the_preferred_hours() -> None:
    outside = followup_value_of(
        replace(SITUATION, in_hours_now=False), NO_JITTER, hours_label="mon-fri 16:00-20:00"
    )
    assert outside.value == 0
    assert "outside the preferred hours mon-fri 16:00-20:00" in [r.text() for r in outside.reasons]


def test_no_new_attempt_soon_after_a_failed_one() -> None:
    just_failed = replace(SITUATION, since_failed_attempt_s=60 * 60)
    assert followup_value_of(just_failed, NO_JITTER).value == 0
    later = replace(SITUATION, since_failed_attempt_s=5 * 3600)
    assert followup_value_of(later, NO_JITTER).value > 0


def test_a_follow_up_and_a_hotspot_are_planned_in_one_problem_with_the_why_line() -> None:
    spot = make_hotspot(id="HS-000001", geometry=Point(505_000, 6_249_000))
    built = _build([make_followup()], [spot])
    assert built.problem is not None
    assert {t.id for t in built.problem.hotspots} == {"HS-000001", "TO-000001"}
    solution = get_solver("exact").solve(built.problem, time_limit_s=1.0)
    assert check_solution(built.problem, solution) == []
    [car] = explain(built, solution).cars
    stops = {s.hotspot: s for s in car.stops}
    assert set(stops) == {"HS-000001", "TO-000001"}
    followup = stops["TO-000001"]
    assert followup.minutes_on_site == 10
    assert followup.title.startswith("Opfølgning efter indbrud")
    assert followup.reasons[0].text() == "follow-up: due in 2 days; 2 km from the route"
    assert translator("da")(message(followup.reasons[0])) == (
        "opfølgning: frist om 2 dage; 2 km fra ruten"
    )


def test_an_overdue_follow_up_says_so() -> None:
    built = _build([make_followup(due_by=date(2026, 11, 22))])  # ended ~1.7 days ago
    assert built.problem is not None
    solution = get_solver("exact").solve(built.problem, time_limit_s=1.0)
    [car] = explain(built, solution).cars
    assert car.stops[0].reasons[0].text() == "follow-up: 41 h overdue; 2 km from the route"


def test_preferred_hours_bound_when_the_visit_may_start() -> None:
    evening = (ActiveWindow.parse("mon-fri 16:00-20:00"),)  # local time: open at NOW (17:00)
    built = _build([make_followup(windows=evening)])
    assert built.problem is not None
    [task] = built.problem.hotspots
    horizon = built.problem.deadline(built.problem.cars[0])
    assert task.windows == ((0, horizon + 1),)  # open now, until after the car is home
    morning = (ActiveWindow.parse("mon-fri 08:00-10:00"),)
    later = _build([make_followup(windows=morning)])
    assert later.problem is not None and later.problem.hotspots == ()
    assert later.left_out["TO-000001"].code == "followup_outside_hours"


def test_a_follow_up_held_by_another_car_or_in_the_phone_queue_is_left_out() -> None:
    held = _build([make_followup()], context=PlanningContext(claimed=frozenset({"TO-000001"})))
    assert held.left_out["TO-000001"].code == "claimed"
    phone = make_followup(queue=Queue.PHONE, queue_reason=PhoneReason.FAILED_ATTEMPTS)
    assert _build([phone]).left_out["TO-000001"].code == "followup_not_for_patrols"


def test_a_recent_failed_attempt_keeps_it_out_for_now() -> None:
    built = _build([make_followup()], followup_failed_at={"TO-000001": NOW - timedelta(hours=1)})
    assert built.left_out["TO-000001"].code == "followup_retry"


def test_the_urgent_queue_and_the_coverage_rules_hold_for_follow_ups_too() -> None:
    built = _build([make_followup()], context=PlanningContext(urgent_waiting=frozenset({MVJ})))
    assert built.problem is None
    assert built.blocked["P1"].code == "urgent_queue"


def test_each_follow_up_goes_to_at_most_one_car() -> None:
    cars = [_car("P1"), _car("P2", Point(500_500, 6_250_500))]
    built = _build([make_followup()], cars=cars)
    assert built.problem is not None
    solution = get_solver("exact").solve(built.problem, time_limit_s=1.0)
    assert solution.visited() == ["TO-000001"]


def test_the_problem_file_holds_no_personal_data() -> None:
    built = _build([make_followup()])
    assert built.problem is not None
    text = json.dumps(problem_to_dict(built.problem), ensure_ascii=False)
    solution = get_solver("exact").solve(built.problem, time_limit_s=1.0)
    reasons = explain(built, solution).cars[0].stops[0]
    shown = text + reasons.title + translator("da")(messages_joined(list(reasons.reasons)))
    assert "Karen" not in shown and "20 30 40 50" not in shown


def test_off_route_distance_is_to_the_segment_not_the_line() -> None:
    assert off_route_km((510_000, 6_252_000), (500_000, 6_250_000), (520_000, 6_250_000)) == (
        pytest.approx(2.0)
    )
    # beyond the home end: the distance to home itself
    assert off_route_km((523_000, 6_254_000), (500_000, 6_250_000), (520_000, 6_250_000)) == (
        pytest.approx(5.0)
    )
