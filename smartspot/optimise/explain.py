"""Plans a person can act on: per car the timed stops with their reasons, the return time, the
detour and the value, and for every hotspot or follow-up left out, why.

Times come from the solver's own answer (``start_s``/``leave_s``) and its instance's timeline
and reach (:class:`~smartspot.optimise.instance.Instance`), never from a second calculation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import metric_to_lonlat
from smartspot.i18n import msg
from smartspot.optimise import followup_tasks
from smartspot.optimise.build import BuiltProblem, xy
from smartspot.optimise.instance import Instance
from smartspot.optimise.problem import Problem, Solution
from smartspot.plans import PlannedStop
from smartspot.reasons import Reason


@dataclass(frozen=True, slots=True)
class CarPlan:
    """What one car is proposed: stops (maybe none), when it is home, detour and value."""

    car: str
    stops: tuple[PlannedStop, ...]
    home_at: datetime | None
    detour_s: float
    value: float
    blocked: Reason | None = None  # why the car gets nothing


@dataclass(frozen=True, slots=True)
class Explanation:
    value: float
    cars: tuple[CarPlan, ...]
    left_out: Mapping[str, Reason]


def _stop_reasons(built: BuiltProblem, hotspot: str, car: str) -> tuple[Reason, ...]:
    reasons = built.valuations[hotspot].reasons
    followup = built.followups.get(hotspot)
    if followup is not None:  # why now: the due date and how far off the way home
        start, home = built.ends[car]
        return (followup_tasks.why(followup, built.now, start, home), *reasons[1:])
    return reasons[1:] or reasons[:1]  # the priority line only when nothing else is telling


def _title(built: BuiltProblem, task: str) -> str:
    followup = built.followups.get(task)
    return built.hotspots[task].title if followup is None else followup_tasks.title(followup)


def explain(built: BuiltProblem, solution: Solution | None) -> Explanation:
    """The operator's view of ``solution`` (plans from ``built.problem``)."""
    now = built.now
    cars: list[CarPlan] = []
    left_out = dict(built.left_out)
    for call_sign, reason in built.blocked.items():
        cars.append(CarPlan(call_sign, (), None, 0.0, 0.0, blocked=reason))
    if built.problem is None or solution is None:
        return Explanation(0.0, tuple(cars), left_out)
    problem = built.problem
    tasks = {t.id: t for t in problem.hotspots}
    by_id = {c.id: c for c in problem.cars}
    lonlat = _lonlat(built, [s.hotspot for p in solution.plans for s in p.stops])
    for plan in solution.plans:
        car = by_id[plan.car]
        here, clock, stops = car.start, car.available_s, []
        for stop in plan.stops:
            task = tasks[stop.hotspot]
            arrive = clock + int(problem.travel_s[here, task.node])
            stops.append(
                PlannedStop(
                    hotspot=stop.hotspot,
                    title=_title(built, stop.hotspot),
                    lon=lonlat[stop.hotspot][0],
                    lat=lonlat[stop.hotspot][1],
                    eta=now + timedelta(seconds=arrive),
                    start=now + timedelta(seconds=stop.start_s),
                    leave=now + timedelta(seconds=stop.leave_s),
                    minutes_on_site=task.service_s // 60,
                    value=round(task.value, 2),
                    reasons=_stop_reasons(built, stop.hotspot, plan.car),
                )
            )
            here, clock = task.node, stop.leave_s
        direct = int(problem.travel_s[car.start, car.end])
        value = sum(tasks[s.hotspot].value for s in plan.stops)
        cars.append(
            CarPlan(
                plan.car,
                tuple(stops),
                now + timedelta(seconds=plan.return_s),
                float(plan.return_s - car.available_s - direct),
                round(value, 2),
                blocked=None if stops else Reason("nothing_worth_it"),
            )
        )
    planned = {c.car for c in cars}
    for car in problem.cars:  # a car the solver gave no plan at all
        if car.id not in planned:
            cars.append(CarPlan(car.id, (), None, 0.0, 0.0, blocked=Reason("nothing_worth_it")))
    visited = set(solution.visited())
    inst = Instance.of(problem)
    reachable = {int(h) for k in range(inst.n_cars) for h in inst.reach(k)}
    for h, task in enumerate(problem.hotspots):
        if task.id in visited:
            continue
        if h in reachable:
            left_out[task.id] = Reason("not_chosen")
        else:
            left_out[task.id] = Reason("no_window" if task.windows else "outside_budget")
    return Explanation(round(solution.value, 2), tuple(cars), left_out)


def retime(
    problem: Problem, car_id: str, route: Sequence[str], now: datetime
) -> tuple[list[tuple[datetime, datetime, datetime]], datetime]:
    """``(eta, start, leave)`` per stop of ``route`` and the time home, for ``car_id`` driving
    only these stops of its proposal (the operator removed the others): the solver's timeline.

    Raises
    ------
    InvalidInputError
        When a stop is not in the problem, or the route no longer fits (cannot happen when
        stops are only removed from a feasible plan; a hand-edited problem could).
    """
    inst = Instance.of(problem)
    cars = [c.id for c in problem.cars]
    index = {t.id: h for h, t in enumerate(problem.hotspots)}
    if car_id not in cars or any(stop not in index for stop in route):
        raise InvalidInputError(
            msg("the route does not belong to {car_id}'s problem", car_id=car_id), field="remove"
        )
    k = cars.index(car_id)
    hs = [index[stop] for stop in route]
    timed = inst.timeline(k, hs)
    if timed is None:
        raise InvalidInputError(
            msg("the remaining stops no longer fit their windows"), field="remove"
        )
    times, back = timed
    here, clock, out = int(inst.start[k]), int(inst.available[k]), []
    for h, (begin, leave) in zip(hs, times, strict=True):
        arrive = clock + int(inst.travel[here, inst.node[h]])
        out.append(tuple(now + timedelta(seconds=int(t)) for t in (arrive, begin, leave)))
        here, clock = int(inst.node[h]), leave
    return out, now + timedelta(seconds=int(back))  # type: ignore[return-value]


def _lonlat(built: BuiltProblem, ids: list[str]) -> dict[str, tuple[float, float]]:
    if not ids:
        return {}
    points = np.array(
        [
            xy(built.followups[i].position if i in built.followups else built.hotspots[i].geometry)
            for i in ids
        ]
    )
    lonlat = metric_to_lonlat(points[:, 0], points[:, 1])
    return {
        i: (round(float(a), 6), round(float(b), 6)) for i, (a, b) in zip(ids, lonlat, strict=True)
    }
