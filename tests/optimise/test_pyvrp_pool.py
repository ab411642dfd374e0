"""PyVRP's routes into the pool and a packing back into one feasible plan; long routes of
several cars, searched in rounds with packings, still reach the optimum."""

from __future__ import annotations

import numpy as np

from smartspot.optimise.check import check_solution
from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance
from smartspot.optimise.problem import Car, Problem, Task
from smartspot.optimise.solver import Part, has_long_routes
from smartspot.optimise.solvers import get_solver


def _ring(hotspots: int = 10, cars: int = 2, budget_s: int = 3000, window_s: int = 900) -> Problem:
    """Hotspots on a ring around one depot (node 0), cars alike: routes of many stops."""
    rng = np.random.default_rng(3)
    angle = np.sort(rng.uniform(0, 2 * np.pi, hotspots))
    points = np.vstack([[0.0, 0.0], np.column_stack([np.cos(angle), np.sin(angle)]) * 600])
    travel = np.floor(np.hypot(*(points[:, None] - points[None]).transpose(2, 0, 1)))
    tasks = tuple(
        Task(f"h{h}", h + 1, float(rng.integers(1, 10)), 120, ((150 * h, 150 * h + window_s),))
        for h in range(hotspots)
    )
    fleet = tuple(Car(f"car{k}", 0, 0, 0, budget_s) for k in range(cars))
    return Problem(cars=fleet, hotspots=tasks, travel_s=travel)


def test_cars_alike_share_a_class_and_others_do_not() -> None:
    from smartspot.optimise.pyvrp_pool import car_classes

    problem = _ring()
    other = Car("car9", 0, 0, 60, 3000)  # free a minute later
    inst = Instance.of(Problem((*problem.cars, other), problem.hotspots, problem.travel_s))
    assert car_classes(inst, [0, 1, 2]) == [0, 0, 1]
    assert car_classes(inst, [2, 0]) == [0, 1]


def test_the_pool_takes_feasible_routes_and_a_packing_joins_routes_of_different_plans() -> None:
    from smartspot.optimise.pyvrp_model import build_model, solution_routes, warm_solution
    from smartspot.optimise.pyvrp_pool import Pooling, car_classes, packed

    inst = Instance.of(_ring(budget_s=2000))
    reach = inst.reach_lists()
    warm = construct(inst, reach)
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    part = Part([0, 1], hotspots, reach, warm)
    model = build_model(inst, part)
    pooling = Pooling(model, car_classes(inst, [0, 1]))
    first, second = warm[0], warm[1]
    assert first and second
    only_first = warm_solution(inst, model, part, [first, []])
    only_second = warm_solution(inst, model, part, [[], second])
    assert only_first is not None and only_second is not None
    pooling.take(only_second)  # a plan of the second car alone, met earlier
    assert list(pooling.pool.routes) == [(0, tuple(second))]
    assert pooling.pool.routes[0, tuple(second)] == inst.route_value([second])
    joined = packed(inst, model, part, pooling, [0, 0], only_first, float("inf"))
    assert joined is not None and joined.is_feasible()
    routes = solution_routes(model, part, joined)
    assert sorted(map(tuple, routes)) == sorted([tuple(first), tuple(second)])
    assert inst.solution(routes, "pool").value == inst.route_value(warm)


def test_long_routes_of_two_cars_collect_every_hotspot_where_greedy_leaves_some() -> None:
    problem = _ring(14, budget_s=3900, window_s=1500)
    inst = Instance.of(problem)
    greedy = construct(inst, inst.reach_lists())
    assert has_long_routes(greedy)  # the search in rounds with packings runs
    everything = float(inst.value.sum())
    assert inst.route_value(greedy) < everything
    found = get_solver("auto").solve(problem, time_limit_s=1.0, seed=0)
    assert not check_solution(problem, found)
    assert found.value == everything  # nothing is left: optimal
