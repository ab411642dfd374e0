"""String removals (``pyvrp_strings``): the ruin removes strings of consecutive visits near a
seed, keeps every other visit in order on its car, and the search with it returns valid plans
in time; it is used only on long routes of several cars, with ``STRINGS`` on."""

from __future__ import annotations

import time

import numpy as np
import pytest
import pyvrp
from pyvrp.search import PerturbationManager, compute_neighbours

from smartspot.optimise import pyvrp_solver
from smartspot.optimise.check import check_solution
from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance
from smartspot.optimise.problem import Car, Problem, Task
from smartspot.optimise.pyvrp_model import build_model, warm_solution
from smartspot.optimise.pyvrp_strings import StringSearch
from smartspot.optimise.solver import Part, has_long_routes
from smartspot.optimise.solvers import get_solver


def _ring(hotspots: int = 14, cars: int = 2, budget_s: int = 3900) -> Problem:
    """Hotspots on a ring around one depot (node 0), cars alike: routes of many stops."""
    rng = np.random.default_rng(3)
    angle = np.sort(rng.uniform(0, 2 * np.pi, hotspots))
    points = np.vstack([[0.0, 0.0], np.column_stack([np.cos(angle), np.sin(angle)]) * 600])
    travel = np.floor(np.hypot(*(points[:, None] - points[None]).transpose(2, 0, 1)))
    tasks = tuple(
        Task(f"h{h}", h + 1, float(rng.integers(1, 10)), 120, ((150 * h, 150 * h + 1500),))
        for h in range(hotspots)
    )
    fleet = tuple(Car(f"car{k}", 0, 0, 0, budget_s) for k in range(cars))
    return Problem(cars=fleet, hotspots=tasks, travel_s=travel)


def _search(problem: Problem, every: int = 1) -> tuple[StringSearch, pyvrp.Solution]:
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    warm = construct(inst, reach)
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    part = Part(list(range(len(problem.cars))), hotspots, reach, warm)
    model = build_model(inst, part)
    initial = warm_solution(inst, model, part, warm)
    assert initial is not None and initial.num_routes() == len(problem.cars)
    data = model.data
    neighbours = compute_neighbours(data)
    rng = pyvrp.RandomNumberGenerator(seed=1)
    search = StringSearch(data, rng, neighbours, PerturbationManager(), seed=1, every=every)
    for operator in pyvrp.search.OPERATORS:
        if operator.supports(data):
            search.add_operator(operator(data))
    return search, initial


def _visits(solution: pyvrp.Solution) -> dict[int, list[int]]:
    return {r.vehicle_type(): [a.idx for a in r if a.is_client()] for r in solution.routes()}


def _subsequence(short: list[int], long: list[int]) -> bool:
    rest = iter(long)
    return all(any(c == d for d in rest) for c in short)


def test_the_ruin_removes_strings_and_keeps_the_other_visits_in_order() -> None:
    search, initial = _search(_ring())
    before = _visits(initial)
    for _ in range(30):
        ruined = search.ruin(initial)
        assert ruined is not None
        after = _visits(ruined)
        removed = initial.num_clients() - ruined.num_clients()
        assert 1 <= removed <= search.max_routes * search.max_string
        for vehicle, visits in after.items():
            assert _subsequence(visits, before[vehicle])
        # from each route at most one string: what is left is its visits less one run
        for vehicle, visits in before.items():
            left = after.get(vehicle, [])
            gone = [i for i, c in enumerate(visits) if c not in left]
            assert not gone or gone == list(range(gone[0], gone[-1] + 1))


def test_every_call_with_every_one_ruins_and_returns_a_solution() -> None:
    search, initial = _search(_ring())
    costs = pyvrp.CostEvaluator([1] * search.data.num_load_dimensions, 1, 1)
    found = search(initial, costs)
    found = search(found, costs)
    assert search.ruins == 2
    assert found.num_routes() >= 1
    assert search(found, costs, exhaustive=True) is not None
    assert search.ruins == 2  # an exhaustive search is no perturbation


def test_strings_only_on_long_routes_of_several_cars(monkeypatch: pytest.MonkeyPatch) -> None:
    search, _ = _search(_ring())
    data, neighbours = search.data, search.neighbours
    monkeypatch.setattr(pyvrp_solver, "STRINGS", True)
    assert isinstance(pyvrp_solver._local_search(data, 0, neighbours, True), StringSearch)
    assert not isinstance(pyvrp_solver._local_search(data, 0, neighbours, False), StringSearch)
    one, _ = _search(_ring(cars=1))
    only = pyvrp_solver._local_search(one.data, 0, one.neighbours, True)
    assert not isinstance(only, StringSearch)
    monkeypatch.setattr(pyvrp_solver, "STRINGS", False)
    assert not isinstance(pyvrp_solver._local_search(data, 0, neighbours, True), StringSearch)


def test_a_solve_with_strings_is_valid_in_time_and_finds_the_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pyvrp_solver, "STRINGS", True)
    ruins: list[int] = []
    ruin = StringSearch.ruin

    def counted(self: StringSearch, solution: pyvrp.Solution) -> pyvrp.Solution | None:
        ruins.append(1)
        return ruin(self, solution)

    monkeypatch.setattr(StringSearch, "ruin", counted)
    problem = _ring()
    inst = Instance.of(problem)
    assert has_long_routes(construct(inst, inst.reach_lists()))
    began = time.perf_counter()
    found = get_solver("auto").solve(problem, time_limit_s=1.0, seed=0)
    assert time.perf_counter() - began <= 1.05
    assert not check_solution(problem, found)
    assert ruins  # the strings ran, and their plans reached MostPrize: the optimum
    assert found.value == float(inst.value.sum())
