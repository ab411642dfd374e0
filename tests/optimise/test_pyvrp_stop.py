"""A search on short routes stops once it has settled: after so many iterations without a
better plan, long before its deadline, counted in iterations; a better plan starts the count
again."""

from __future__ import annotations

import time

import numpy as np
import pytest

from smartspot.optimise.instance import Instance
from smartspot.optimise.pyvrp_stop import Settled, settled_after
from smartspot.optimise.solver import Part
from smartspot.optimise.solvers import get_solver
from tests.optimise.conftest import random_problem


def _search(warm_from_exact: bool, settle: int, seed: int = 2) -> tuple[object, float, float]:
    """PyVRP's iterated local search as ``run_pyvrp`` makes it, on a two-car part of short
    routes, stopped by ``Settled`` (``settle`` iterations) or a deadline 3 s away; the
    callbacks, and the values of the warm start and of the best plan."""
    from pyvrp.IteratedLocalSearch import IteratedLocalSearch, IteratedLocalSearchParams
    from pyvrp.search import NeighbourhoodParams, compute_neighbours

    from smartspot.optimise.pyvrp_callbacks import MostPrize
    from smartspot.optimise.pyvrp_model import build_model, solution_routes, warm_solution
    from smartspot.optimise.pyvrp_solver import _local_search, _penalties
    from smartspot.optimise.pyvrp_stop import Before

    problem = random_problem(seed, cars=2, hotspots=24)
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    routes: list[list[int]] = [[], []]
    if warm_from_exact:  # the proven optimum
        best = get_solver("exact").solve(problem, time_limit_s=5.0)
        index = {t.id: h for h, t in enumerate(problem.hotspots)}
        routes = [[index[s.hotspot] for s in plan.stops] for plan in best.plans]
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    part = Part([0, 1], hotspots, reach, routes)
    model = build_model(inst, part)
    initial = warm_solution(inst, model, part, routes)
    assert initial is not None
    neighbours = compute_neighbours(model.data, NeighbourhoodParams(num_neighbours=50))
    search = _local_search(model.data, seed, neighbours, False)
    most = MostPrize(initial)
    stop = Settled(Before(time.perf_counter() + 3.0), most, settle)
    params = IteratedLocalSearchParams(callbacks=most)
    ils = IteratedLocalSearch(model.data, _penalties(model, initial), search, initial, params)
    ils.run(stop, collect_stats=False)
    found = inst.route_value(solution_routes(model, part, most.best))
    return most, inst.route_value(routes), found


def test_a_search_from_the_optimum_stops_after_the_settled_count_of_iterations() -> None:
    most, warm, found = _search(warm_from_exact=True, settle=40)
    assert found == pytest.approx(warm)  # nothing better exists
    # stopped by settling, not by the deadline (which would have left thousands more)
    assert most.since_better == 40  # type: ignore[attr-defined]
    assert most.iterations < 400  # type: ignore[attr-defined]


def test_a_better_plan_starts_the_count_again() -> None:
    most, warm, found = _search(warm_from_exact=False, settle=40)
    assert found > warm  # from empty routes it found better plans ...
    assert most.since_better == 40  # type: ignore[attr-defined]
    assert most.iterations > 40  # type: ignore[attr-defined]  # ... each resetting the count


def test_parts_of_more_clients_wait_longer_to_settle() -> None:
    assert settled_after(10) == settled_after(40) == 50
    assert settled_after(200) == 200
