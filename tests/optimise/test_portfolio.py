"""A second search in a forked process: its answer when it is done in time, nothing (and no
process left behind) when it is late or fails; a solve with a second search still answers
feasibly, by its deadline, and at the optimum of a small long-route problem."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from smartspot.optimise import portfolio, pyvrp_solver
from smartspot.optimise.check import check_solution
from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance
from smartspot.optimise.solver import has_long_routes
from smartspot.optimise.solvers import get_solver
from tests.optimise.test_pyvrp_pool import _ring

needs_fork = pytest.mark.skipif(not portfolio.can_fork(), reason="needs fork and two cores")


def _gone(pid: int) -> bool:
    """Whether the process ``pid`` is reaped (within 10 s: the reaper may be a thread)."""
    waited = time.perf_counter() + 10
    while time.perf_counter() < waited:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def _counted_forks(monkeypatch: pytest.MonkeyPatch) -> list[portfolio.Child | None]:
    """The solver's forks from now on, in order (each still made by ``portfolio.fork``)."""
    forked: list[portfolio.Child | None] = []

    def counted(work: Callable[[], object]) -> portfolio.Child | None:
        forked.append(portfolio.fork(work))
        return forked[-1]

    monkeypatch.setattr(pyvrp_solver, "fork", counted)
    return forked


@needs_fork
def test_a_forked_search_hands_over_its_answer_and_is_reaped() -> None:
    child = portfolio.fork(lambda: {"routes": [[1, 2], [3]], "big": list(range(200_000))})
    assert child is not None
    got = child.answer(time.perf_counter() + 30)
    assert got["routes"] == [[1, 2], [3]]
    assert got["big"][-1] == 199_999  # more than a pipe's buffer comes through whole
    assert _gone(child.pid)


@needs_fork
def test_a_late_search_gives_nothing_by_the_deadline_and_is_killed() -> None:
    child = portfolio.fork(lambda: time.sleep(30))
    assert child is not None
    began = time.perf_counter()
    assert child.answer(began + 0.2) is None
    assert time.perf_counter() - began < 5
    assert _gone(child.pid)


@needs_fork
def test_a_failing_search_gives_nothing() -> None:
    def fail() -> None:
        raise RuntimeError("the child's own error")

    child = portfolio.fork(fail)
    assert child is not None
    assert child.answer(time.perf_counter() + 30) is None
    assert _gone(child.pid)


@needs_fork
def test_long_routes_with_a_second_search_still_reach_the_optimum_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _ring(14, budget_s=3900, window_s=1500)
    inst = Instance.of(problem)
    greedy = construct(inst, inst.reach_lists())
    assert has_long_routes(greedy)
    # a second search whatever the machine's load (a busy machine's solves fork none)
    monkeypatch.setattr(pyvrp_solver, "PORTFOLIO_MAX_SLOWDOWN", float("inf"))
    forked = _counted_forks(monkeypatch)
    found = get_solver("auto").solve(problem, time_limit_s=1.0, seed=0)
    assert not check_solution(problem, found)
    assert found.value == float(inst.value.sum())  # every hotspot: optimal
    # one second search, or with ``RELAY`` one a round, each from the best plan so far
    assert 1 <= len(forked) <= pyvrp_solver.PAIRED_ROUNDS
    assert all(child is not None and _gone(child.pid) for child in forked)  # none left behind


def test_one_car_with_long_routes_answers_feasibly_with_or_without_a_second_search() -> None:
    problem = _ring(12, cars=1, budget_s=3900, window_s=1500)
    for on in (True, False):
        old, pyvrp_solver.PORTFOLIO = pyvrp_solver.PORTFOLIO, on
        try:
            found = get_solver("pyvrp").solve(problem, time_limit_s=0.6, seed=1)
        finally:
            pyvrp_solver.PORTFOLIO = old
        assert not check_solution(problem, found)
        assert found.value > 0


@pytest.mark.parametrize(
    ("cars", "budget_s", "selective"), [(1, 3000, True), (1, 30000, False), (2, 3000, False)]
)
def test_only_one_car_among_many_more_hotspots_than_it_visits_is_selective(
    cars: int, budget_s: int, selective: bool
) -> None:
    import numpy as np

    from smartspot.optimise.problem import Car, Problem, Task
    from smartspot.optimise.pyvrp_model import build_model, warm_solution
    from smartspot.optimise.solver import Part

    # 40 hotspots a minute from the depot and from each other, ten minutes' work each
    travel = np.full((41, 41), 60.0)
    np.fill_diagonal(travel, 0.0)
    tasks = tuple(Task(f"h{h}", h + 1, 1.0 + h % 3, 600) for h in range(40))
    fleet = tuple(Car(f"car{k}", 0, 0, 0, budget_s) for k in range(cars))
    inst = Instance.of(Problem(cars=fleet, hotspots=tasks, travel_s=travel))
    reach = inst.reach_lists()
    warm = construct(inst, reach)
    part = Part(list(range(cars)), np.unique(np.concatenate(reach)).astype(np.int64), reach, warm)
    model = build_model(inst, part)
    initial = warm_solution(inst, model, part, warm)
    assert initial is not None and initial.num_clients() > 0
    assert pyvrp_solver._selective(model, part, initial) is selective


@needs_fork
def test_several_cars_relay_the_second_search_from_the_best_plan_after_the_first_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _ring(14, budget_s=3900, window_s=1500)
    inst = Instance.of(problem)
    assert has_long_routes(construct(inst, inst.reach_lists()))
    monkeypatch.setattr(pyvrp_solver, "PORTFOLIO_MAX_SLOWDOWN", float("inf"))
    monkeypatch.setattr(pyvrp_solver, "RELAY", True)
    monkeypatch.setattr(pyvrp_solver, "RELAY_MIN_CLIENTS", 0)
    starts: list[tuple[float, float | None]] = []  # (the start's prize, its end) per search
    histories: list[int | None] = []  # the late-acceptance history asked for per search
    forked: list[portfolio.Child | None] = []
    second_search = pyvrp_solver._second_search

    def recorded(*args: Any, **kwargs: Any) -> portfolio.Child | None:
        starts.append((args[4].prizes(), kwargs.get("until")))
        histories.append(kwargs.get("history"))
        forked.append(second_search(*args, **kwargs))
        return forked[-1]

    monkeypatch.setattr(pyvrp_solver, "_second_search", recorded)
    began = time.perf_counter()
    found = get_solver("auto").solve(problem, time_limit_s=1.0, seed=0)
    stop_at = began + 1.0
    assert not check_solution(problem, found)
    assert len(starts) == 2 and all(child is not None for child in forked)
    (first, first_until), (second, second_until) = starts
    # the first ends about half-way, the second at the end, from a plan no worse than the start
    assert first_until is not None and first_until < stop_at - 0.3
    assert second_until is not None and second_until > first_until
    assert second >= first
    # the relayed one descends with its own, shorter history
    assert histories == [None, pyvrp_solver.RELAY_HISTORY]
    assert all(_gone(child.pid) for child in forked if child is not None)


@needs_fork
@pytest.mark.parametrize(("relay", "min_clients"), [(False, 0), (True, 15)])
def test_without_relay_or_on_few_clients_one_second_search_runs_to_the_end(
    monkeypatch: pytest.MonkeyPatch, relay: bool, min_clients: int
) -> None:
    problem = _ring(14, budget_s=3900, window_s=1500)  # 14 clients
    monkeypatch.setattr(pyvrp_solver, "PORTFOLIO_MAX_SLOWDOWN", float("inf"))
    monkeypatch.setattr(pyvrp_solver, "RELAY", relay)
    monkeypatch.setattr(pyvrp_solver, "RELAY_MIN_CLIENTS", min_clients)
    forked = _counted_forks(monkeypatch)
    found = get_solver("auto").solve(problem, time_limit_s=1.0, seed=0)
    assert not check_solution(problem, found)
    assert len(forked) == 1
