"""Short routes listed and packed: every feasible route among a car's candidates, and the best
packing of them."""

from __future__ import annotations

import time

import numpy as np
import pytest
from ortools.sat.python import cp_model  # noqa: F401  (the packing runs once CP-SAT is imported)

from smartspot.optimise import columns, proofs
from smartspot.optimise.check import check_solution
from smartspot.optimise.columns import (
    car_columns,
    pack_columns,
    pack_groups,
    routes_of_car,
)
from smartspot.optimise.exact import ExactSolver, enumerate_routes
from smartspot.optimise.greedy import greedy_routes
from smartspot.optimise.instance import Instance, Routes, components, routes_of
from smartspot.optimise.problem import Problem
from smartspot.optimise.solver import shortlist
from smartspot.optimise.solvers import get_solver
from tests.optimise.conftest import random_problem


def _later() -> float:
    return time.perf_counter() + 30.0


@pytest.mark.parametrize("seed", range(8))
def test_every_feasible_set_is_listed_once_with_a_feasible_order(seed: int) -> None:
    inst = Instance.of(random_problem(seed, cars=3, hotspots=25))
    for car, reach in enumerate(inst.reach_lists()):
        listed = routes_of_car(inst, car, reach, max_stops=10)
        # the exact solver's enumeration (label by label, in Python) as the reference
        expected = {tuple(sorted(s)) for s in enumerate_routes(inst, car, reach, _later()) if s}
        assert set(listed) == expected
        for column, order in listed.items():
            assert tuple(sorted(order)) == column
            assert inst.timeline(car, list(order)) is not None


def test_routes_stop_at_the_stop_limit() -> None:
    inst = Instance.of(random_problem(3, cars=1, hotspots=40))
    reach = inst.reach_lists()[0]
    everything = routes_of_car(inst, 0, reach, max_stops=10)
    short = routes_of_car(inst, 0, reach, max_stops=2)
    assert max(len(c) for c in everything) > 2  # else the test shows nothing
    assert set(short) == {c for c in everything if len(c) <= 2}


def test_the_order_kept_brings_the_car_home_earliest() -> None:
    inst = Instance.of(random_problem(5, cars=1, hotspots=25))
    reach = inst.reach_lists()[0]
    listed = routes_of_car(inst, 0, reach, max_stops=3)
    pairs = [c for c in listed if len(c) == 2]
    assert pairs
    for a, b in pairs:
        backs = [t[1] for t in (inst.timeline(0, [a, b]), inst.timeline(0, [b, a])) if t]
        assert inst.timeline(0, list(listed[a, b]))[1] == min(backs)  # type: ignore[index]


def test_the_current_route_is_a_column_even_beyond_the_candidates() -> None:
    inst = Instance.of(random_problem(2, cars=1, hotspots=25))
    reach = inst.reach_lists()[0]
    route = greedy_routes(inst, inst.reach_lists())[0]
    assert route
    found = car_columns(inst, 0, np.empty(0, dtype=np.int64), route)
    assert found == {tuple(sorted(route)): tuple(route)}
    assert len(car_columns(inst, 0, reach, route)) > 1


@pytest.mark.parametrize("seed", range(10))
def test_packing_every_route_finds_the_proven_optimum(seed: int) -> None:
    problem = random_problem(seed, cars=3, hotspots=20)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    start = greedy_routes(inst, reach)
    routes = [list(r) for r in start]
    for cars in components(inst, reach):
        group = [car_columns(inst, k, reach[k], routes[k]) for k in cars]
        better = pack_columns(inst, cars, group, [routes[k] for k in cars], _later())
        if better is not None:
            for k, route in zip(cars, better, strict=True):
                routes[k] = route
    optimum = ExactSolver().solve(problem, time_limit_s=30.0)
    assert optimum.proven_optimal
    assert inst.route_value(routes) == pytest.approx(optimum.value)
    assert inst.route_value(routes) >= inst.route_value(start)
    assert not check_solution(problem, inst.solution(routes, "packed"))


def test_nothing_is_answered_when_the_current_plan_is_the_best() -> None:
    problem = random_problem(4, cars=3, hotspots=20)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    best = ExactSolver().solve(problem, time_limit_s=30.0)
    assert best.proven_optimal
    routes = routes_of(inst, best)
    cars = list(range(inst.n_cars))
    group = [car_columns(inst, k, reach[k], routes[k]) for k in cars]
    assert pack_columns(inst, cars, group, routes, _later()) is None


def test_no_packing_is_begun_without_the_time_to_build_it() -> None:
    inst = Instance.of(random_problem(1, cars=3, hotspots=20))
    reach = inst.reach_lists()
    routes = [[] for _ in range(inst.n_cars)]
    cars = list(range(inst.n_cars))
    group = [car_columns(inst, k, reach[k], []) for k in cars]
    assert pack_columns(inst, cars, group, routes, time.perf_counter()) is None


@pytest.mark.parametrize("seed", range(6))
def test_solves_with_the_packing_stay_feasible_and_above_greedy(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = random_problem(seed, cars=5, hotspots=40)
    greedy = get_solver("greedy").solve(problem, time_limit_s=1.0)
    for share in (0.0, 0.5, 1.0):
        monkeypatch.setattr("smartspot.optimise.solver.PACK_SHARE", share)
        solution = get_solver("auto").solve(problem, time_limit_s=0.3, seed=seed)
        assert not check_solution(problem, solution)
        assert solution.value >= greedy.value - 1e-9


def test_a_layer_too_large_is_not_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = Instance.of(random_problem(3, cars=1, hotspots=40))
    reach = inst.reach_lists()[0]
    monkeypatch.setattr(columns, "MAX_LAYER", 1)
    listed = routes_of_car(inst, 0, reach, max_stops=3)
    assert listed and max(len(c) for c in listed) == 1


def _pack_all(
    problem: Problem, rounds: tuple[tuple[int, int], ...] = ((10, 3000),)
) -> tuple[Routes, Routes, int]:
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    start = greedy_routes(inst, reach)
    routes = [list(r) for r in start]

    def candidates(k: int, keep: int) -> np.ndarray:
        return shortlist(inst, k, reach[k], routes[k], keep)

    improved = pack_groups(inst, components(inst, reach), candidates, routes, rounds, _later())
    return start, routes, improved


def test_groups_too_big_for_one_model_are_packed_a_chunk_at_a_time() -> None:
    improved = 0
    for seed in range(4):
        problem = random_problem(seed, cars=6, hotspots=60)
        inst = Instance.of(problem)
        start, chunked, better = _pack_all(problem, rounds=((10, 40), (15, 40)))
        assert not check_solution(problem, inst.solution(chunked, "chunked"))
        assert inst.route_value(chunked) >= inst.route_value(start)
        improved += better
    assert improved >= 1  # else the test shows nothing


def test_chunks_hold_every_car_once_and_neighbours_together() -> None:
    inst = Instance.of(random_problem(2, cars=8, hotspots=40))
    cars = list(range(8))
    chunks = columns._chunks(inst, cars, [30] * 8, 3000)
    assert sorted(k for chunk in chunks for k in chunk) == cars
    assert len(chunks) == 1  # 240 columns fit
    small = [30] * 8
    chunks = columns._chunks(inst, cars, [c * 50 for c in small], 3000)  # 1,500 a car
    assert sorted(k for chunk in chunks for k in chunk) == cars
    assert all(len(chunk) <= 2 for chunk in chunks)
    for chunk in chunks:
        if len(chunk) == 2:  # the second is the first's nearest among those left
            a, b = chunk
            assert all(
                inst.travel[inst.start[a], inst.start[b]]
                <= inst.travel[inst.start[a], inst.start[k]]
                for other in chunks[chunks.index(chunk) + 1 :]
                for k in other
            )


def test_the_packing_is_not_begun_without_the_cpu_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = random_problem(4, cars=5, hotspots=40)
    monkeypatch.setattr(proofs, "PROOF_HOTSPOTS", 0)  # no group proven: all would be packed
    monkeypatch.setattr("smartspot.optimise.solver.PACK_CPU_PER_CAR_S", 0.0)
    # 1 s: on a busy machine (slowdown 10-20) a 0.3 s share could fall below the least a
    # packing is begun with (``columns.PACK_MIN_S`` times the slowdown), or end unimproved
    packed = get_solver("auto").solve(problem, time_limit_s=1.0)
    assert packed.stats["pack_s"] > 0 and packed.stats["packed_groups"] >= 1
    monkeypatch.setattr("smartspot.optimise.solver.PACK_CPU_PER_CAR_S", 10.0)
    light = get_solver("auto").solve(problem, time_limit_s=1.0)  # the lighter packing
    assert light.stats["pack_s"] > 0 and not check_solution(problem, light)
    monkeypatch.setattr("smartspot.optimise.solver.PACK_LIGHT_CPU_PER_CAR_S", 10.0)
    skipped = get_solver("auto").solve(problem, time_limit_s=0.3)
    assert skipped.stats["packed_groups"] == 0
    assert not check_solution(problem, skipped)


# the pyvrp solver: auto's exact step imports CP-SAT itself for small parts of several cars
_IMPORT_CHECK = """
import sys
from smartspot.optimise import columns
from smartspot.optimise.solvers import get_solver
from tests.optimise.conftest import random_problem
columns.IMPORT_S = {import_s}
get_solver("pyvrp").solve(random_problem(2, cars=5, hotspots=40), time_limit_s=0.3)
print("ortools.sat.python.cp_model" in sys.modules)
"""


@pytest.mark.parametrize(("import_s", "imported"), [(1e-6, "True"), (1e6, "False")])
def test_a_solve_imports_cp_sat_only_if_its_share_holds_the_import(
    import_s: float, imported: str
) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = _IMPORT_CHECK.format(import_s=import_s)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == imported
