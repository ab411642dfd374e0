"""The TOPTW benchmark reader reproduces the shared problem files, and the solvers keep long
routes feasible."""

from __future__ import annotations

import json

import pytest

from benchmarks.toptw import RAW, SHARED, best_known, instances, read_toptw, total_score
from smartspot.optimise.check import check_solution
from smartspot.optimise.problem import problem_to_dict
from smartspot.optimise.solvers import get_solver

pytestmark = pytest.mark.skipif(
    not (SHARED / "index.json").exists(), reason="../shared/benchmarks/toptw is not beside the repo"
)


def _raw(instance: str):  # type: ignore[no-untyped-def]
    return next(path for _, name, path in instances() if name == instance)


def test_the_reader_reproduces_every_shared_problem_file() -> None:
    index = json.loads((SHARED / "index.json").read_text())
    assert len(index) == 24
    for entry in index:
        problem = read_toptw(_raw(entry["instance"]), entry["m"])
        assert problem_to_dict(problem) == json.loads((SHARED / entry["file"]).read_text())


def test_every_raw_instance_reads_and_the_best_known_scores_cover_the_shared_index() -> None:
    found = instances()
    assert {s for s, _, _ in found} == {"solomon100", "solomon200", "cordeau"}
    assert len(found) == 66
    bks = best_known()
    index = json.loads((SHARED / "index.json").read_text())
    assert all(bks[e["instance"], e["m"]][0] == e["bks"] for e in index)
    for _, name, path in found:
        problem = read_toptw(path, 2)
        assert len(problem.cars) == 2 and problem.hotspots
        if (name, 1) in bks:
            assert bks[name, 1][0] <= total_score(problem)
    assert RAW.is_dir()


@pytest.mark.parametrize("name", ["auto", "pyvrp"])
def test_long_routes_stay_feasible_and_beat_greedy(name: str) -> None:
    problem = read_toptw(_raw("pr01"), 2)
    greedy = get_solver("greedy").solve(problem, time_limit_s=1)
    # 1 s: auto gives VROOM a quarter of limits from 0.5 s (this instance has 48 hotspots)
    solution = get_solver(name).solve(problem, time_limit_s=1.0, seed=1)
    assert check_solution(problem, solution) == []
    assert solution.value >= greedy.value
    assert max(len(plan.stops) for plan in solution.plans) >= 6  # the long-route set-up ran


def test_vrooms_routes_for_a_part_are_checked_and_keep_each_hotspot_once() -> None:
    import numpy as np

    from smartspot.optimise.instance import Instance
    from smartspot.optimise.vroom_solver import vroom_routes

    problem = read_toptw(_raw("pr01"), 3)
    inst = Instance.of(problem)
    hotspots = np.unique(np.concatenate(inst.reach_lists()))
    routes = vroom_routes(inst, [0, 2], hotspots, 0.3, threads=1)
    assert routes is not None and len(routes) == 2
    visited = [h for r in routes for h in r]
    assert len(visited) == len(set(visited)) > 0
    assert all(inst.timeline(k, r) is not None for k, r in zip([0, 2], routes, strict=True))
