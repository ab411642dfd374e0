"""PyVRP (iterated local search) as a backend, warm-started from greedy, per part.

Hotspots are optional clients with prizes; PyVRP minimises driving plus uncollected prizes, and
the prizes are weighted so that value always comes first. A hotspot with several windows becomes
one client per window in a mutually exclusive, optional client group. Each car is its own
vehicle type: its own start and end depot, leaving at ``available_s`` (``start_late`` pins it)
and back by its deadline. PyVRP's ``MaxRuntime`` covers only the search loop, so its set-up
(building ``ProblemData``, neighbourhoods, the first local search) is estimated and parts that
would not fit the time left are not attempted.
"""

from __future__ import annotations

import time

import numpy as np
import pyvrp
from pyvrp import PenaltyParams, SolveParams
from pyvrp.search import NeighbourhoodParams
from pyvrp.stop import MaxRuntime

from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.solver import Part, decomposed_solve

# Set-up time grows with the square of the clients: about 2 s at 2,700 clients (3e-7·n²).
SETUP_S_PER_CLIENT2 = 3e-7
SETUP_S_FIXED = 0.003
NEIGHBOURS = 50  # PyVRP's default granular neighbourhood


def estimated_setup_s(clients: int) -> float:
    return SETUP_S_FIXED + SETUP_S_PER_CLIENT2 * clients * clients


def improve_with_pyvrp(inst: Instance, part: Part, seconds: float, seed: int) -> Routes | None:
    """Iterated local search from the warm start on one part, within ``seconds``."""
    began = time.perf_counter()
    cars, hotspots = part.cars, part.hotspots
    m = len(cars)
    horizon = int(inst.deadline[cars].max()) + 1
    usable = [
        np.flatnonzero((inst.closes[h] >= 0) & (inst.opens[h] <= horizon)).tolist()
        for h in hotspots.tolist()
    ]
    n_clients = sum(len(u) for u in usable)
    setup = estimated_setup_s(n_clients)
    if setup > 0.4 * seconds:
        return None
    phys = np.concatenate([inst.start[cars], inst.end[cars], inst.node[hotspots]])
    travel = np.minimum(inst.travel[np.ix_(phys, phys)], horizon)
    prizes = inst.weighted_prizes()
    locations = [pyvrp.Location(x=0, y=0) for _ in range(len(phys))]
    depots = [pyvrp.Depot(location=i) for i in range(2 * m)]
    clients: list[pyvrp.Client] = []
    groups: list[pyvrp.ClientGroup] = []
    owner: list[int] = []
    client_of: dict[tuple[int, int], int] = {}
    for i, h in enumerate(hotspots.tolist()):
        members = []
        for w in usable[i]:
            client_of[h, w] = len(clients)
            members.append(len(clients))
            owner.append(h)
            clients.append(
                pyvrp.Client(
                    location=2 * m + i,
                    service_duration=int(inst.service[h]),
                    tw_early=int(max(0, inst.opens[h, w])),
                    tw_late=int(min(horizon, inst.closes[h, w])),
                    prize=int(prizes[h]),
                    required=False,
                    group=len(groups) if len(usable[i]) > 1 else None,
                )
            )
        if len(members) > 1:
            groups.append(pyvrp.ClientGroup(members, required=False))
    vehicle_types = [
        pyvrp.VehicleType(
            start_depot=v,
            end_depot=m + v,
            tw_early=int(inst.available[k]),
            start_late=int(inst.available[k]),
            tw_late=int(inst.deadline[k]),
        )
        for v, k in enumerate(cars)
    ]
    data = pyvrp.ProblemData(
        locations, clients, depots, vehicle_types, [travel], [travel], groups=groups
    )
    initial = _warm_solution(inst, data, part, client_of)
    left = seconds - (time.perf_counter() - began) - setup
    if left <= 0.001:
        return None
    result = pyvrp.solve(
        data,
        MaxRuntime(left),
        seed=seed,
        collect_stats=False,
        display=False,
        params=SolveParams(
            neighbourhood=NeighbourhoodParams(num_neighbours=NEIGHBOURS),
            # prizes outweigh all driving, so a second of time warp must be allowed to cost
            # more than a prize, or the search settles in infeasible plans
            penalty=PenaltyParams(max_penalty=float(max(100_000, 2 * int(prizes.max())))),
        ),
        initial_solution=initial,
    )
    best = result.best
    if not best.is_feasible():
        return None
    routes: Routes = [[] for _ in cars]
    for route in best.routes():
        routes[route.vehicle_type()] = [owner[a.idx] for a in route if a.is_client()]
    return routes


def _warm_solution(
    inst: Instance, data: pyvrp.ProblemData, part: Part, client_of: dict[tuple[int, int], int]
) -> pyvrp.Solution | None:
    """The construction as a PyVRP solution, each stop on the client of the window it uses."""
    routes = []
    for v, (k, route) in enumerate(zip(part.cars, part.warm, strict=True)):
        if not route:
            continue
        timed = inst.timeline(k, route)
        if timed is None:
            return None
        activities = []
        for h, (begin, _) in zip(route, timed[0], strict=True):
            w = int(np.flatnonzero((inst.opens[h] <= begin) & (begin <= inst.closes[h]))[0])
            activities.append(pyvrp.Activity(pyvrp.ActivityType.CLIENT, client_of[h, w]))
        routes.append(pyvrp.Route(data, activities, v))
    return pyvrp.Solution(data, routes)


class PyVrpSolver:
    """PyVRP's iterated local search, warm-started from greedy, per part."""

    name = "pyvrp"

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        return decomposed_solve(
            problem,
            name=self.name,
            improve=improve_with_pyvrp,
            time_limit_s=time_limit_s,
            seed=seed,
        )
