"""OR-Tools routing: the project's chosen solver, warm-started and run per part.

Each car has its own start and end; each hotspot is a disjunction whose penalty is its prize
(value first, driving only breaks ties); a Time dimension carries windows and service times
(service folded into the transit out of a node, so no Python callback per arc); the end of each
car's route is bounded by its deadline. The search starts from the greedy construction
(``ReadAssignmentFromRoutes`` → ``SolveFromAssignmentWithParameters``) and runs guided local
search until the time left, which is measured after building and closing the model: closing
cannot be interrupted, so parts too big for the time left are not attempted.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.solver import Part, decomposed_solve

# Building + closing a model of n nodes, in thread time (it is multiplied by the measured
# slowdown): 1.4 ms at 25 nodes, 2.1 ms at 61, 5.2 ms at 153, 44 ms at 692 on the district
# instances. The earlier 5 ms + 5e-7·n² had been timed in wall time under load; times the
# slowdown it counted the wait for a core twice.
BUILD_S_FIXED = 0.001
BUILD_S_PER_NODE = 1e-5
BUILD_S_PER_NODE2 = 8e-8
EXTRACT_MARGIN_S = 0.004


def estimated_build_s(nodes: int) -> float:
    return BUILD_S_FIXED + BUILD_S_PER_NODE * nodes + BUILD_S_PER_NODE2 * nodes**2


def improve_with_ortools(inst: Instance, part: Part, seconds: float, seed: int) -> Routes | None:
    """Guided local search from the warm start on one part, within ``seconds``."""
    began = time.perf_counter()
    stop = began + seconds
    cars, hotspots = part.cars, part.hotspots
    m, n = len(cars), len(hotspots)
    if estimated_build_s(2 * m + n) * part.slowdown > 0.4 * seconds:
        return None
    phys = np.concatenate([inst.start[cars], inst.end[cars], inst.node[hotspots]])
    horizon = int(inst.deadline[cars].max()) + 1
    travel = np.minimum(inst.travel[np.ix_(phys, phys)], horizon)
    service = np.concatenate([np.zeros(2 * m, dtype=np.int64), inst.service[hotspots]])
    transit = np.minimum(travel + service[:, None], horizon)

    manager = pywrapcp.RoutingIndexManager(2 * m + n, m, list(range(m)), list(range(m, 2 * m)))
    routing = pywrapcp.RoutingModel(manager)
    cost = routing.RegisterTransitMatrix(travel.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    dwell = routing.RegisterTransitMatrix(transit.tolist())
    routing.AddDimension(dwell, horizon, horizon, False, "Time")
    clock = routing.GetDimensionOrDie("Time")
    for v, k in enumerate(cars):
        clock.CumulVar(routing.Start(v)).SetValue(int(inst.available[k]))
        clock.CumulVar(routing.End(v)).SetMax(int(inst.deadline[k]))
    prizes = inst.weighted_prizes()
    for i, h in enumerate(hotspots.tolist()):
        index = manager.NodeToIndex(2 * m + i)
        usable = (inst.closes[h] >= 0) & (inst.opens[h] <= horizon)
        opens = [int(o) for o in inst.opens[h][usable]]
        closes = [int(c) for c in inst.closes[h][usable]]
        var = clock.CumulVar(index)
        var.SetRange(max(0, opens[0]), min(horizon, closes[-1]))
        for hi, lo in zip(closes[:-1], opens[1:], strict=True):
            if lo - 1 >= hi + 1:
                var.RemoveInterval(hi + 1, lo - 1)
        routing.AddDisjunction([index], int(prizes[h]))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    routing.CloseModelWithParameters(params)
    position = {h: 2 * m + i for i, h in enumerate(hotspots.tolist())}
    warm = [[manager.NodeToIndex(position[h]) for h in route] for route in part.warm]
    assignment = routing.ReadAssignmentFromRoutes(warm, True)
    left_ms = int((stop - time.perf_counter() - EXTRACT_MARGIN_S) * 1000)
    if assignment is None or left_ms < 1:
        return None
    params.time_limit.FromMilliseconds(left_ms)
    solved = routing.SolveFromAssignmentWithParameters(assignment, params)
    if solved is None:
        return None
    routes: Routes = []
    for v in range(m):
        route = []
        index = solved.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            route.append(int(hotspots[manager.IndexToNode(index) - 2 * m]))
            index = solved.Value(routing.NextVar(index))
        routes.append(route)
    return routes


class OrToolsSolver:
    """OR-Tools routing with guided local search, warm-started from greedy, per part."""

    name = "ortools"

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        return decomposed_solve(
            problem,
            name=self.name,
            improve=improve_with_ortools,
            time_limit_s=time_limit_s,
            seed=seed,
        )
