"""Invariants of every plan, on random problems (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartspot.optimise.check import check_solution
from smartspot.optimise.problem import Solution
from smartspot.optimise.solvers import get_solver
from tests.optimise.conftest import random_problem

problems = st.builds(
    random_problem,
    seed=st.integers(0, 10_000),
    cars=st.integers(1, 4),
    hotspots=st.integers(0, 35),
)


@pytest.mark.parametrize("name", ["greedy", "auto", "ortools", "pyvrp", "exact"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems)
def test_no_plan_breaks_a_window_or_budget_or_visits_twice(name, problem) -> None:
    solution = get_solver(name).solve(problem, time_limit_s=0.05)
    # check_solution replays each plan: windows, budgets, double visits, and the stated value
    # equal to the value recomputed from the plan.
    assert check_solution(problem, solution) == []
    assert len(solution.visited()) == len(set(solution.visited()))


@settings(max_examples=20, deadline=None)
@given(problem=problems)
def test_the_checker_catches_a_broken_plan(problem) -> None:
    solution = get_solver("greedy").solve(problem, time_limit_s=1)
    inflated = Solution(solution.value + 1, solution.plans)
    assert any("stated value" in p for p in check_solution(problem, inflated))
    for plan in solution.plans:
        if plan.stops:
            early = plan.stops[0].__class__(plan.stops[0].hotspot, -1, plan.stops[0].leave_s)
            bad = plan.__class__(plan.car, (early, *plan.stops[1:]), plan.return_s)
            broken = Solution(solution.value, (bad,))
            assert check_solution(problem, broken) != []
            late = plan.__class__(
                plan.car,
                plan.stops,
                problem.deadline(next(c for c in problem.cars if c.id == plan.car)) + 1,
            )
            assert any(
                "deadline" in p for p in check_solution(problem, Solution(solution.value, (late,)))
            )
            twice = plan.__class__(plan.car, (*plan.stops, plan.stops[0]), plan.return_s)
            assert any(
                "twice" in p for p in check_solution(problem, Solution(solution.value, (twice,)))
            )
