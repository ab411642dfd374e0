from __future__ import annotations

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.optimise.check import check_solution
from smartspot.optimise.exact import ExactSolver
from smartspot.optimise.problem import Car, Problem, Task
from smartspot.optimise.solvers import get_solver, solver_names
from tests.optimise.conftest import random_problem

IMPROVERS = ["auto", "ortools", "pyvrp"]


def test_greedy_takes_the_best_value_per_added_minute_first(small_problem: Problem) -> None:
    solution = get_solver("greedy").solve(small_problem, time_limit_s=1)
    # c is worth most but lies 50 min away: outside the 30-min budget. a and b are on the way;
    # b only opens at 20 min, so the car waits there.
    assert solution.visited() == ["a", "b"]
    assert solution.plans[0].stops[1].start_s == 1200
    assert check_solution(small_problem, solution) == []


def test_a_car_that_cannot_detour_goes_straight_home(small_problem: Problem) -> None:
    tight = Problem(
        cars=(Car("p1", 0, 3, 0, budget_s=0),),
        hotspots=small_problem.hotspots[:1],
        travel_s=small_problem.travel_s,
    )
    for name in ["greedy", *IMPROVERS, "exact"]:
        solution = get_solver(name).solve(tight, time_limit_s=0.3)
        assert solution.value == 0
        assert solution.plans[0].stops == ()
        assert solution.plans[0].return_s == 900


@pytest.mark.parametrize("name", [*IMPROVERS, "vroom"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_solvers_return_valid_plans_never_worse_than_greedy(name: str, seed: int) -> None:
    problem = random_problem(seed, cars=3, hotspots=40)
    greedy = get_solver("greedy").solve(problem, time_limit_s=1)
    solution = get_solver(name).solve(problem, time_limit_s=0.2, seed=seed)
    assert check_solution(problem, solution) == []
    assert solution.value >= greedy.value


@pytest.mark.parametrize("seed", range(4))
def test_default_solver_matches_the_proven_optimum_on_small_problems(seed: int) -> None:
    problem = random_problem(seed, cars=3, hotspots=30)
    exact = ExactSolver().solve(problem, time_limit_s=20)
    assert exact.proven_optimal
    assert check_solution(problem, exact) == []
    # A generous limit: the proof takes 10-40 ms here, and CI machines are shared. The
    # benchmark measures what 50 and 100 ms give.
    auto = get_solver("auto").solve(problem, time_limit_s=1.0)
    assert auto.value == pytest.approx(exact.value)


def test_exact_beats_greedy_where_greedy_is_myopic() -> None:
    # One car, 30-min budget: x (value 3) is cheapest per minute but blocks y + z (value 2 + 2).
    t = np.array(
        [
            [0, 60, 600, 600, 0],
            [60, 0, 900, 900, 60],
            [600, 900, 0, 60, 600],
            [600, 900, 60, 0, 600],
            [0, 60, 600, 600, 0],
        ],
        dtype=float,
    )
    problem = Problem(
        cars=(Car("p", 0, 4, 0, budget_s=1800),),
        hotspots=(
            Task("x", 1, 3.0, service_s=1680),
            Task("y", 2, 2.0, service_s=240),
            Task("z", 3, 2.0, service_s=240),
        ),
        travel_s=t,
    )
    assert get_solver("greedy").solve(problem, time_limit_s=1).visited() == ["x"]
    exact = ExactSolver().solve(problem, time_limit_s=5)
    assert sorted(exact.visited()) == ["y", "z"] and exact.proven_optimal


def test_unknown_solver_and_bad_time_limit_are_refused(small_problem: Problem) -> None:
    with pytest.raises(InvalidInputError, match="unknown solver"):
        get_solver("simplex")
    with pytest.raises(InvalidInputError, match="time limit"):
        get_solver("auto").solve(small_problem, time_limit_s=0)
    assert "auto" in solver_names()


def test_solvers_respect_a_deadline_on_a_big_problem() -> None:
    # Generous slack (0.2 s asked, 3 s allowed): machines are shared, so this only catches a
    # solver that ignores its limit (guided local search never stops by itself). The 50 ms
    # overrun target is measured by benchmarks/optimise.py, not asserted here.
    import time

    problem = random_problem(5, cars=10, hotspots=400, side_km=60)
    for name in IMPROVERS:
        began = time.perf_counter()
        solution = get_solver(name).solve(problem, time_limit_s=0.2)
        assert time.perf_counter() - began < 3.0
        assert check_solution(problem, solution) == []


def test_big_parts_are_improved_a_group_of_neighbouring_cars_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from smartspot.optimise.solver import decomposed_solve
    from smartspot.optimise.solvers import improve_auto

    # the packing of short routes first would leave the groups nothing to improve
    monkeypatch.setattr("smartspot.optimise.solver.PACK_SHARE", 0.0)
    problem = random_problem(11, cars=8, hotspots=150, side_km=30)
    greedy = get_solver("greedy").solve(problem, time_limit_s=1)
    split = decomposed_solve(
        problem, name="split", improve=improve_auto, time_limit_s=1.5, seed=1, part_limit=25
    )
    assert check_solution(problem, split) == []
    assert split.value >= greedy.value
    assert split.stats["rounds"] >= 1 and split.stats["improved_parts"] >= 1


def test_greedy_stops_inserting_at_its_deadline_with_a_feasible_prefix() -> None:
    from smartspot.optimise.greedy import greedy_routes
    from smartspot.optimise.instance import Instance

    problem = random_problem(6, cars=3, hotspots=40)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    assert greedy_routes(inst, reach, deadline=0.0) == [[], [], []]
    full = greedy_routes(inst, reach)
    assert sum(map(len, full)) > 0
    assert check_solution(problem, inst.solution(full, "greedy")) == []


def test_the_first_greedy_pass_stops_at_the_hard_deadline() -> None:
    from smartspot.optimise.greedy import construct
    from smartspot.optimise.instance import Instance

    problem = random_problem(6, cars=3, hotspots=40)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    assert construct(inst, reach, deadline=0.0, hard_deadline=0.0) == [[], [], []]
    floor = construct(inst, reach, deadline=0.0)  # no hard deadline: the floor completes
    assert sum(map(len, floor)) > 0
    assert check_solution(problem, inst.solution(floor, "greedy")) == []


def test_reach_lists_hold_exactly_the_hotspots_a_car_can_visit_alone() -> None:
    from smartspot.optimise.instance import Instance

    for seed in range(6):
        inst = Instance.of(random_problem(seed, cars=4, hotspots=60))
        for car in range(inst.n_cars):
            alone = [
                h
                for h in range(inst.n_hotspots)
                if inst.value[h] > 0 and inst.timeline(car, [h]) is not None
            ]
            assert inst.reach(car).tolist() == alone


def test_pyvrp_stops_before_an_iteration_as_long_as_the_longest_would_end_late() -> None:
    import time

    from smartspot.optimise.pyvrp_stop import Before

    began = time.perf_counter()
    stop = Before(began + 1.0)
    assert not stop(0.0)
    time.sleep(0.6)  # one iteration of 0.6 s: another would end after 1.2 s, past the 1.0
    assert stop(0.0)
    assert Before(time.perf_counter() + 60.0)(0.0) is False


def test_pyvrp_begins_no_iteration_that_its_set_up_time_says_would_end_late() -> None:
    import time

    from smartspot.optimise.pyvrp_stop import Before

    assert Before(time.perf_counter() + 0.5, first_s=1.0)(0.0) is True
    stop = Before(time.perf_counter() + 0.5, first_s=0.3)
    assert not stop(0.0)
    assert not stop(0.0)  # the first iteration took no time: the 0.3 s guess is replaced
    assert stop.longest < 0.3


def test_each_car_keeps_its_best_candidates_per_minute_of_detour_and_its_planned_stops() -> None:
    from smartspot.optimise.greedy import construct
    from smartspot.optimise.instance import Instance
    from smartspot.optimise.solver import shortlist

    inst = Instance.of(random_problem(3, cars=2, hotspots=120, side_km=20))
    reach = inst.reach_lists()
    routes = construct(inst, reach)
    car = int(np.argmax([len(r) for r in reach]))
    assert len(reach[car]) > 12
    kept = shortlist(inst, car, reach[car], routes[car], 10)
    assert set(routes[car]) <= set(kept.tolist()) <= set(reach[car].tolist())
    nodes = inst.node[reach[car]]
    detour = (
        inst.travel[inst.start[car], nodes]
        + inst.service[reach[car]]
        + inst.travel[nodes, inst.end[car]]
        - inst.travel[inst.start[car], inst.end[car]]
    )
    ratio = inst.value[reach[car]] / np.maximum(detour, 1)
    score = dict(zip(reach[car].tolist(), ratio.tolist(), strict=True))
    dropped = [h for h in reach[car].tolist() if h not in set(kept.tolist())]
    assert dropped and max(score[h] for h in dropped) <= sorted(score.values())[-10]
    assert np.array_equal(shortlist(inst, car, reach[car], [], len(reach[car])), reach[car])


def test_pyvrp_answers_the_most_prize_it_passed_through_not_its_cheapest() -> None:
    import pyvrp

    from smartspot.optimise.greedy import construct
    from smartspot.optimise.instance import Instance
    from smartspot.optimise.pyvrp_callbacks import MostPrize
    from smartspot.optimise.pyvrp_solver import build_model, warm_solution
    from smartspot.optimise.solver import Part

    inst = Instance.of(random_problem(1, cars=2, hotspots=30))
    reach = inst.reach_lists()
    routes = construct(inst, reach)
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    part = Part([0, 1], hotspots, reach, routes)
    model = build_model(inst, part)
    planned = warm_solution(inst, model, part, routes)
    assert planned is not None and planned.prizes() > 0
    empty = pyvrp.Solution(model.data, [])
    most = MostPrize(empty)
    most.offer(planned)
    most.offer(empty)  # cheaper (no driving), but less prize
    assert most.best is planned
