"""Groups proven optimal: every route of their cars listed and packed to the proven optimum."""

from __future__ import annotations

import time

import numpy as np
import pytest
from ortools.sat.python import cp_model  # noqa: F401  (the packing runs once CP-SAT is imported)

from smartspot.optimise import proofs
from smartspot.optimise.check import check_solution
from smartspot.optimise.exact import ExactSolver, enumerate_routes
from smartspot.optimise.greedy import greedy_routes
from smartspot.optimise.instance import Instance, Routes, components
from smartspot.optimise.problem import Problem
from smartspot.optimise.proofs import every_route_of_car, prove_groups
from smartspot.optimise.solvers import get_solver
from tests.optimise.conftest import random_problem


def _later() -> float:
    return time.perf_counter() + 30.0


@pytest.mark.parametrize("seed", range(6))
def test_every_route_listed_is_every_route_and_packs_to_the_proven_optimum(seed: int) -> None:
    problem = random_problem(seed, cars=3, hotspots=20)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    routes = greedy_routes(inst, reach)
    groups = components(inst, reach)
    proven = prove_groups(inst, groups, reach, routes, _later())
    assert all(proven)  # 20 hotspots: every group small enough
    optimum = ExactSolver().solve(problem, time_limit_s=30.0)
    assert optimum.proven_optimal
    assert inst.route_value(routes) == pytest.approx(optimum.value)
    assert not check_solution(problem, inst.solution(routes, "proven"))
    for car, r in enumerate(reach):
        listed = every_route_of_car(inst, car, r)
        assert listed is not None
        assert set(listed) == {
            tuple(sorted(s)) for s in enumerate_routes(inst, car, r, _later()) if s
        }


def test_a_list_cut_short_is_not_taken_for_every_route(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = Instance.of(random_problem(3, cars=1, hotspots=40))
    reach = inst.reach_lists()[0]
    assert every_route_of_car(inst, 0, reach) is not None
    monkeypatch.setattr(proofs, "PROOF_LAYER", 1)
    assert every_route_of_car(inst, 0, reach) is None
    monkeypatch.setattr(proofs, "PROOF_LAYER", 20_000)
    monkeypatch.setattr(proofs, "PROOF_COLUMNS", 3)
    assert every_route_of_car(inst, 0, reach) is None


def test_proven_groups_are_not_searched() -> None:
    problem = random_problem(7, cars=3, hotspots=30)
    inst = Instance.of(problem)
    groups = components(inst, inst.reach_lists())
    solution = get_solver("auto").solve(problem, time_limit_s=2.0)
    assert solution.stats["proven_groups"] == len(groups)  # 30 hotspots: all small enough
    assert solution.stats["rounds"] == 0  # no part was left for a search
    optimum = ExactSolver().solve(problem, time_limit_s=30.0)
    assert optimum.proven_optimal and solution.value == pytest.approx(optimum.value)


def _tie_problem(cars: int) -> Problem:
    """Car 0 has time for one of two hotspots of the same value: h0 a minute away, h1 ten;
    each further car has a hotspot of its own."""
    from smartspot.optimise.problem import Car, Task

    size = 4 + cars
    travel = np.full((size, size), 3000.0)
    np.fill_diagonal(travel, 0.0)
    travel[0, 2] = travel[2, 0] = 60
    travel[0, 3] = travel[3, 0] = 600
    travel[2, 3] = travel[3, 2] = 600
    tasks = [
        Task(id="h0", node=2, value=5.0, service_s=900),
        Task(id="h1", node=3, value=5.0, service_s=900),
    ]
    fleet = [Car(id="car0", start=0, end=0, available_s=0, budget_s=2200)]
    for k in range(1, cars):
        travel[1, 3 + k] = travel[3 + k, 1] = 120
        tasks.append(Task(id=f"own{k}", node=3 + k, value=2.0, service_s=900))
        fleet.append(Car(id=f"car{k}", start=1, end=1, available_s=0, budget_s=1200))
    return Problem(cars=tuple(fleet), hotspots=tuple(tasks), travel_s=travel)


@pytest.mark.parametrize("cars", [1, 2])
def test_a_proof_keeps_the_least_detour_among_plans_of_the_same_value(cars: int) -> None:
    problem = _tie_problem(cars)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    assert sorted(reach[0].tolist()) == [0, 1]
    routes: Routes = [[1]] + [[1 + k] for k in range(1, cars)]  # car 0 on the far one
    groups = [list(range(cars))]
    assert prove_groups(inst, groups, reach, routes, _later()) == [True]
    assert routes[0] == [0]  # the same value, 19 minutes less driving
    assert not check_solution(problem, inst.solution(routes, "proven"))
