"""Long routes of three cars or more searched a pair of cars at a time: every pair in turn, and
never a plan worth less, infeasible or visiting a hotspot twice."""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import pytest

from smartspot.optimise import pyvrp_solver
from smartspot.optimise.check import check_solution
from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.pyvrp_pairs import improve_pairs, pair_order
from smartspot.optimise.solver import Part, has_long_routes
from smartspot.optimise.solvers import get_solver
from tests.optimise.test_pyvrp_pool import _ring


def _whole(inst: Instance) -> Part:
    """Every car and hotspot of ``inst`` as one part, warm-started greedily."""
    reach = inst.reach_lists()
    warm = construct(inst, reach)
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    return Part(list(range(inst.n_cars)), hotspots, reach, warm)


def test_every_pair_of_cars_comes_once_and_disjoint_pairs_follow_each_other() -> None:
    for cars in (2, 3, 4, 5):
        order = pair_order(cars)
        assert sorted(order) == list(itertools.combinations(range(cars), 2))
    four = pair_order(4)
    assert all(not set(a) & set(b) for a, b in zip(four[::2], four[1::2], strict=True))


def test_pairs_never_lose_value_nor_visit_a_hotspot_twice() -> None:
    problem = _ring(30, cars=3, budget_s=2400, window_s=1500)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    warm = construct(inst, reach)
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    part = Part([0, 1, 2], hotspots, reach, warm)
    stop_at = time.perf_counter() + 0.6
    routes = improve_pairs(inst, part, warm, stop_at, 0, pyvrp_solver._pair_search, 0.1)
    assert inst.route_value(routes) >= inst.route_value(warm)
    visited = [h for r in routes for h in r]
    assert len(visited) == len(set(visited))
    assert not check_solution(problem, inst.solution(routes, "pairs"))


def _pairs_counted(monkeypatch: pytest.MonkeyPatch, least_clients: int) -> list[float]:
    """The pairs search switched on (from 0.5 s, among ``least_clients`` or more), each of
    its runs counted in the list returned."""
    calls: list[float] = []

    def counted(*args: Any, **kwargs: Any) -> Routes:
        calls.append(time.perf_counter())
        return improve_pairs(*args, **kwargs)

    monkeypatch.setattr(pyvrp_solver, "improve_pairs", counted)
    monkeypatch.setattr(pyvrp_solver, "PAIRS", True)
    monkeypatch.setattr(pyvrp_solver, "PAIRS_MIN_S", 0.5)
    monkeypatch.setattr(pyvrp_solver, "PAIRS_MIN_CLIENTS", least_clients)
    return calls


@pytest.mark.parametrize(("least_clients", "searched"), [(0, 1), (140, 0)])
def test_a_solve_of_three_cars_on_long_routes_searches_pairs_only_among_many_clients(
    monkeypatch: pytest.MonkeyPatch, least_clients: int, searched: int
) -> None:
    problem = _ring(40, cars=3, budget_s=3900, window_s=1500)
    inst = Instance.of(problem)
    greedy = construct(inst, inst.reach_lists())
    assert has_long_routes(greedy)
    calls = _pairs_counted(monkeypatch, least_clients)
    monkeypatch.setattr(pyvrp_solver, "PORTFOLIO", False)
    found = get_solver("pyvrp").solve(problem, time_limit_s=1.0, seed=2)
    assert not check_solution(problem, found)
    assert found.value >= inst.route_value(greedy)
    assert len(calls) == searched  # 22 clients: pairs only if allowed below 140


@pytest.mark.parametrize(
    ("most_slowdown", "beside", "searched"),
    [(float("inf"), False, 0), (0.0, False, 1), (float("inf"), True, 1), (0.0, True, 1)],
)
def test_pairs_are_searched_beside_a_second_search_only_where_told(
    monkeypatch: pytest.MonkeyPatch, most_slowdown: float, beside: bool, searched: int
) -> None:
    problem = _ring(40, cars=3, budget_s=3900, window_s=1500)
    calls = _pairs_counted(monkeypatch, least_clients=0)
    monkeypatch.setattr(pyvrp_solver, "PAIRS_BESIDE", beside)
    # inf: a second search whatever the load (where the machine can fork); 0: never one
    monkeypatch.setattr(pyvrp_solver, "PORTFOLIO_MAX_SLOWDOWN", most_slowdown)
    monkeypatch.setattr(pyvrp_solver, "can_fork", lambda: True)
    monkeypatch.setattr(pyvrp_solver, "fork", lambda work: None)  # no process: same choice
    found = get_solver("pyvrp").solve(problem, time_limit_s=1.0, seed=2)
    assert not check_solution(problem, found)
    assert len(calls) == searched


def test_a_pair_is_told_the_slowdown_its_predecessor_met() -> None:
    problem = _ring(30, cars=3, budget_s=2400, window_s=1500)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    warm = construct(inst, reach)
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    part = Part([0, 1, 2], hotspots, reach, warm, slowdown=1.0)
    told: list[float] = []

    def waiting(inst: Instance, sub: Part, stop_at: float, seed: int) -> Routes | None:
        told.append(sub.slowdown)
        spun = time.thread_time() + 0.005
        while time.thread_time() < spun:  # 5 ms of CPU ...
            pass
        time.sleep(0.06)  # ... in at least 65 ms of wall time: a slowdown of 13 or more
        return None

    improve_pairs(inst, part, warm, time.perf_counter() + 0.3, 0, waiting, 0.1)
    assert len(told) >= 2
    assert told[0] == 1.0 and all(s > 5 for s in told[1:])


def test_beside_the_pairs_the_second_search_runs_to_the_end_and_its_better_plan_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _ring(40, cars=3, budget_s=3900, window_s=1500)
    inst = Instance.of(problem)
    calls = _pairs_counted(monkeypatch, least_clients=0)
    monkeypatch.setattr(pyvrp_solver, "PAIRS_BESIDE", True)
    monkeypatch.setattr(pyvrp_solver, "PORTFOLIO_MAX_SLOWDOWN", float("inf"))
    monkeypatch.setattr(pyvrp_solver, "can_fork", lambda: True)
    forked: list[float] = []
    plans: list[Routes] = []

    class Done:
        def __init__(self, result: Any) -> None:
            self.result = result

        def answer(self, until: float) -> Any:
            return self.result

        def close(self) -> None:
            pass

    def run_now(work: Any) -> Done:
        # the second search run at once in this process (as benchmarks.toptw_hard emulates
        # it); its plan is remembered and handed over as better than any (a trap: the pairs'
        # plan must lose to it, yet the answer stays its routes)
        forked.append(time.perf_counter())
        result = work()
        plans.append(result.routes)
        return Done(result)

    monkeypatch.setattr(pyvrp_solver, "fork", run_now)
    real_value = Instance.route_value
    monkeypatch.setattr(
        Instance,
        "route_value",
        lambda self, routes: 1e9 if plans and routes is plans[0] else real_value(self, routes),
    )
    found = pyvrp_solver.improve_with_pyvrp(inst, _whole(inst), 1.0, 2)
    assert len(calls) == 1 and len(forked) == 1
    assert found is plans[0]
