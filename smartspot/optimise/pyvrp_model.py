"""A part as PyVRP data (optional clients with weighted prizes, a vehicle type per car), and
routes to and from PyVRP solutions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvrp
from numpy.typing import NDArray

from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.solver import Part, has_long_routes

# Long routes also pay for duration (waiting included), not only for driving: time spent
# waiting for a window to open is what keeps a long route from taking one more stop. On the 8
# hardest Cordeau problems at 2 s this raised the mean share of best-known from 93.8 % to
# 95.0 % (3 seeds each; benchmarks/RESULTS.md). Several cars pay three times that: 2 s, the
# second search emulated, same runs (issue 15 seventh session), pr10 with 4 cars 1,866 -> 1,886
# on average over 12 seeds and with 3 cars 1,545 -> 1,564 over 6 (load 5.6); all 20 Cordeau
# problems with 3-4 cars x 2 seeds 97.11 / 89.8 % -> 97.31 / 91.8 % (mean / worst of
# best-known); 19 other problems with 2-4 cars x 2 seeds about even (load 8.4). One car keeps 1
# (5 one-car problems x 2 seeds: -0.4 points).
LONG_DURATION_COST = 1
LONG_DURATION_COST_CARS = 3


@dataclass(frozen=True, eq=False)
class Model:
    """A part as PyVRP data: which hotspot each client stands for, and the client of each
    (hotspot, window)."""

    data: pyvrp.ProblemData
    owner: list[int]
    client_of: dict[tuple[int, int], int]
    max_prize: int
    unit_prize: float  # the weighted prize of one value unit


def build_model(inst: Instance, part: Part) -> Model:
    """The PyVRP data of one part (hotspots as optional clients with weighted prizes)."""
    cars, hotspots = part.cars, part.hotspots
    m = len(cars)
    horizon = int(inst.deadline[cars].max()) + 1
    usable = _usable_windows(inst, hotspots, horizon)
    phys = np.concatenate([inst.start[cars], inst.end[cars], inst.node[hotspots]])
    travel = np.minimum(inst.travel[np.ix_(phys, phys)], horizon)
    long = has_long_routes(part.warm)
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
    duration_cost = (LONG_DURATION_COST if m == 1 else LONG_DURATION_COST_CARS) if long else 0
    vehicle_types = [
        pyvrp.VehicleType(
            start_depot=v,
            end_depot=m + v,
            tw_early=int(inst.available[k]),
            start_late=int(inst.available[k]),
            tw_late=int(inst.deadline[k]),
            unit_duration_cost=duration_cost,
        )
        for v, k in enumerate(cars)
    ]
    data = pyvrp.ProblemData(
        locations, clients, depots, vehicle_types, [travel], [travel], groups=groups
    )
    unit = float(inst.weighted_prizes_per_value())
    return Model(data, owner, client_of, int(prizes.max()) if len(prizes) else 1, unit)


def _usable_windows(inst: Instance, hotspots: NDArray[np.int64], horizon: int) -> list[list[int]]:
    return [
        np.flatnonzero((inst.closes[h] >= 0) & (inst.opens[h] <= horizon)).tolist()
        for h in hotspots.tolist()
    ]


def client_count(inst: Instance, part: Part) -> int:
    horizon = int(inst.deadline[part.cars].max()) + 1
    return sum(len(u) for u in _usable_windows(inst, part.hotspots, horizon))


def warm_solution(inst: Instance, model: Model, part: Part, warm: Routes) -> pyvrp.Solution | None:
    """Routes per car of the part as a PyVRP solution, each stop on the client of the window
    it uses."""
    data, client_of = model.data, model.client_of
    routes = []
    for v, (k, route) in enumerate(zip(part.cars, warm, strict=True)):
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


def solution_routes(model: Model, part: Part, solution: pyvrp.Solution) -> Routes:
    routes: Routes = [[] for _ in part.cars]
    for route in solution.routes():
        routes[route.vehicle_type()] = [model.owner[a.idx] for a in route if a.is_client()]
    return routes
