"""Plans a person can act on: per car the stops with ETAs, minutes on site, detour and value,
one line per stop saying why, and for every hotspot left out, why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smartspot.optimise.build import OUTSIDE_BUDGET, Built
from smartspot.optimise.instance import Instance
from smartspot.optimise.problem import Solution

NOT_CHOSEN = "outside budget: the chosen stops use the detour budget better"
NO_WINDOW = "not active while a free car can be there"


@dataclass(frozen=True, slots=True)
class StopAdvice:
    hotspot: str
    title: str
    eta: datetime  # arrival
    start: datetime  # service starts (later than eta when waiting for a window)
    minutes_on_site: int
    value: float
    why: str


@dataclass(frozen=True, slots=True)
class CarAdvice:
    car: str
    stops: tuple[StopAdvice, ...]
    home_at: datetime | None
    detour_min: float
    value: float
    blocked: str = ""  # why the car gets no proposal


@dataclass(frozen=True, slots=True)
class Advice:
    value: float
    cars: tuple[CarAdvice, ...]
    left_out: dict[str, str]


def _why(built: Built, hotspot: str) -> str:
    reasons = built.valuations[hotspot].reasons
    return "; ".join(reasons[1:]) or reasons[0]


def explain(built: Built, solution: Solution | None) -> Advice:
    """The operator's view of ``solution`` (plans from ``built.problem``)."""
    now = built.now
    cars: list[CarAdvice] = []
    left_out = dict(built.left_out)
    for call_sign, reason in built.blocked.items():
        cars.append(CarAdvice(call_sign, (), None, 0.0, 0.0, blocked=reason))
    if built.problem is None or solution is None:
        return Advice(0.0, tuple(cars), left_out)
    problem = built.problem
    tasks = {t.id: t for t in problem.hotspots}
    by_id = {c.id: c for c in problem.cars}
    for plan in solution.plans:
        car = by_id[plan.car]
        here, clock, stops = car.start, car.available_s, []
        for stop in plan.stops:
            task = tasks[stop.hotspot]
            arrive = clock + int(problem.travel_s[here, task.node])
            spot = built.hotspots[stop.hotspot]
            stops.append(
                StopAdvice(
                    stop.hotspot,
                    spot.title,
                    now + timedelta(seconds=arrive),
                    now + timedelta(seconds=stop.start_s),
                    task.service_s // 60,
                    round(task.value, 2),
                    _why(built, stop.hotspot),
                )
            )
            here, clock = task.node, stop.leave_s
        direct = int(problem.travel_s[car.start, car.end])
        detour = (plan.return_s - car.available_s - direct) / 60
        value = sum(tasks[s.hotspot].value for s in plan.stops)
        cars.append(
            CarAdvice(plan.car, tuple(stops), now + timedelta(seconds=plan.return_s),
                      round(detour, 1), round(value, 2))
        )  # fmt: skip
    visited = set(solution.visited())
    inst = Instance.of(problem)
    reachable = {int(h) for k in range(inst.n_cars) for h in inst.reach(k)}
    for h, task in enumerate(problem.hotspots):
        if task.id in visited:
            continue
        if h in reachable:
            left_out[task.id] = NOT_CHOSEN
        else:
            left_out[task.id] = NO_WINDOW if task.windows else OUTSIDE_BUDGET
    return Advice(round(solution.value, 2), tuple(cars), left_out)


def advice_to_dict(advice: Advice) -> dict[str, Any]:
    """JSON-ready form for the API and the CLI."""
    return {
        "value": advice.value,
        "cars": [
            {
                "car": c.car,
                "blocked": c.blocked or None,
                "home_at": c.home_at.isoformat() if c.home_at else None,
                "detour_min": c.detour_min,
                "value": c.value,
                "stops": [
                    {
                        "hotspot": s.hotspot,
                        "title": s.title,
                        "eta": s.eta.isoformat(),
                        "start": s.start.isoformat(),
                        "minutes_on_site": s.minutes_on_site,
                        "value": s.value,
                        "why": s.why,
                    }
                    for s in c.stops
                ],
            }
            for c in advice.cars
        ],
        "left_out": advice.left_out,
    }
