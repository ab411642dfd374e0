"""An independent check of a solution against its problem, used by tests and benchmarks.

It reads only the ``Problem`` (never the solvers' integer arrays) and replays each plan with
the times it states, so a solver bug cannot hide behind shared code.
"""

from __future__ import annotations

import math

from smartspot.optimise.problem import Problem, Solution


def check_solution(problem: Problem, solution: Solution, *, tolerance: float = 1e-6) -> list[str]:
    """Every way ``solution`` breaks ``problem``; an empty list means it is valid.

    Checked: known cars and hotspots, each car planned at most once, each hotspot visited at
    most once, legs that exist, no arrival after the stated start, service starting inside a
    window and lasting ``service_s``, the return after the last leg and by the deadline, and the
    stated value equal to the sum of the visited hotspots' values.
    """
    problems: list[str] = []
    cars = {car.id: car for car in problem.cars}
    tasks = {task.id: task for task in problem.hotspots}
    travel = problem.travel_s
    seen_cars: set[str] = set()
    seen: set[str] = set()
    total = 0.0
    for plan in solution.plans:
        car = cars.get(plan.car)
        if car is None:
            problems.append(f"unknown car {plan.car}")
            continue
        if plan.car in seen_cars:
            problems.append(f"car {plan.car} has two plans")
        seen_cars.add(plan.car)
        here, clock = car.start, car.available_s
        for stop in plan.stops:
            task = tasks.get(stop.hotspot)
            if task is None:
                problems.append(f"car {car.id}: unknown hotspot {stop.hotspot}")
                break
            if stop.hotspot in seen:
                problems.append(f"hotspot {stop.hotspot} is visited twice")
            seen.add(stop.hotspot)
            total += task.value
            leg = travel[here, task.node]
            if math.isnan(leg):
                problems.append(f"car {car.id}: no road to {task.id}")
                break
            if clock + leg > stop.start_s:
                problems.append(
                    f"car {car.id}: starts at {task.id} at {stop.start_s} s but arrives "
                    f"at {clock + leg:.0f} s"
                )
            if task.windows and not any(lo <= stop.start_s <= hi for lo, hi in task.windows):
                problems.append(
                    f"car {car.id}: service at {task.id} starts at {stop.start_s} s, outside "
                    f"its windows {[list(w) for w in task.windows]}"
                )
            if stop.leave_s != stop.start_s + task.service_s:
                problems.append(
                    f"car {car.id}: leaves {task.id} at {stop.leave_s} s, not after "
                    f"{task.service_s} s on site"
                )
            here, clock = task.node, stop.leave_s
        else:
            leg = travel[here, car.end]
            if math.isnan(leg):
                problems.append(f"car {car.id}: no road home")
            elif clock + leg > plan.return_s:
                problems.append(f"car {car.id}: returns at {plan.return_s} s, before it can")
            if plan.return_s > problem.deadline(car):
                problems.append(
                    f"car {car.id}: returns at {plan.return_s} s, after its deadline "
                    f"{problem.deadline(car)} s (budget broken)"
                )
    if abs(total - solution.value) > tolerance * max(1.0, abs(total)):
        problems.append(f"stated value {solution.value} but the plans are worth {total}")
    return problems
