"""PyVRP (iterated local search) as a backend, warm-started from greedy, per part.

Hotspots are optional clients with prizes; PyVRP minimises driving plus uncollected prizes, and
the prizes are weighted so that value always comes first. A hotspot with several windows becomes
one client per window in a mutually exclusive, optional client group. Each car is its own
vehicle type: its own start and end depot, leaving at ``available_s`` (``start_late`` pins it)
and back by its deadline. The search stops before an iteration as long as the longest so far
would end past the deadline (``Before``); the set-up (building ``ProblemData``, neighbourhoods)
cannot be interrupted, so it is estimated, times the measured slowdown, and parts that would
not fit the time left are not attempted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyvrp
from numpy.typing import NDArray
from pyvrp import PenaltyManager, PenaltyParams, RandomNumberGenerator
from pyvrp.IteratedLocalSearch import (
    IteratedLocalSearch,
    IteratedLocalSearchCallbacks,
    IteratedLocalSearchParams,
)
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.solver import LONG_ROUTE_STOPS, Part, decomposed_solve, has_long_routes

# Set-up CPU time (ProblemData, the warm start, neighbourhoods, operators) in thread time,
# best of 5 on the district instances: 0.23 ms at 13 clients, 1.1 ms at 51, 3.6 ms at 133,
# 36 ms at 652 (8.7 and 11.7 ms at 284 and 288 TOPTW clients). It is multiplied by the
# measured slowdown. The fixed part was 2 ms: times a slowdown of 20 that exceeded 40 % of a
# small part's share, and PyVRP was skipped where it used to find the optimum (3 × 50).
SETUP_S_FIXED = 0.0003
SETUP_S_PER_CLIENT = 2e-5
SETUP_S_PER_CLIENT2 = 6e-8
NEIGHBOURS = 50  # PyVRP's default granular neighbourhood
# Long routes (a warm start with LONG_ROUTE_STOPS stops a car or more: the TOPTW instances, not
# the districts' 1–4) search better with a shorter late-acceptance history than PyVRP's 300, and
# with a first time-warp penalty of this share of one value unit's prize per second instead of
# the midpoint of the penalty range (+2 points of best-known at 2 s on the hardest Cordeau
# instances); on the districts the low penalty lost 1–2 % at 40 × 3000, so they keep PyVRP's.
HISTORY = 50
PYVRP_HISTORY = 300
PENALTY_PER_PRIZE = 0.01
# Candidates between penalty updates on long routes. It used to be 250 a second of the limit
# (500 at 2 s); under load a 2 s run made only 600-750 candidates on pr10 with 4 cars, so the
# penalty was updated once, the search stayed among infeasible plans and returned the warm
# start (85.9 % of best-known; benchmarks/RESULTS.md). Counted in candidates, it adapts to the
# CPU the search really gets.
UPDATES_EVERY = 100
# Long routes also pay for duration (waiting included), not only for driving: time spent
# waiting for a window to open is what keeps a long route from taking one more stop. On the 8
# hardest Cordeau problems at 2 s this raised the mean share of best-known from 93.8 % to
# 95.0 % (3 seeds each; benchmarks/RESULTS.md).
LONG_DURATION_COST = 1


def estimated_setup_s(clients: int) -> float:
    return SETUP_S_FIXED + SETUP_S_PER_CLIENT * clients + SETUP_S_PER_CLIENT2 * clients**2


class Before:
    """PyVRP stopping criterion: stop when one more iteration, as long as the longest so far,
    would end after ``stop_at`` (a ``perf_counter`` moment).

    An iteration (a perturbation, a local search and, on a new best, an exhaustive one)
    cannot be interrupted; it takes up to 3-8 ms of CPU at 300 clients with long routes, and
    five to eight times that in wall time when the cores are shared. Measuring the
    iterations keeps the deadline whatever the load, where a fixed margin would be too small
    under load or wasteful without. Before the first iteration nothing is measured yet, so
    it is taken to last ``first_s`` (the wall time of the search's own set-up, which grows
    with the clients and the load alike): under a slowdown of 10-20 a first iteration begun
    with too little time left answered 0.5 s late at 40 × 3000 with a 0.1 s limit."""

    def __init__(self, stop_at: float, first_s: float = 0.0) -> None:
        self.stop_at = stop_at
        self.last: float | None = None
        self.longest = first_s  # a guess until the first iteration is measured
        self.guessed = True

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if self.last is not None:
            took = now - self.last
            self.longest = took if self.guessed else max(self.longest, took)
            self.guessed = False
        self.last = now
        return now + self.longest >= self.stop_at


class MostPrize(IteratedLocalSearchCallbacks):
    """PyVRP callbacks keeping the feasible solution with the most prize the search passes
    through, the cheapest among equals. PyVRP's own best is the cheapest by its objective,
    and with the duration cost of long routes the driving and waiting of several cars can
    outweigh one value unit's prize: value must come first."""

    def __init__(self, start: pyvrp.Solution) -> None:
        self.best = start
        self.key = (-1, 0)
        self.offer(start)

    def offer(self, solution: pyvrp.Solution) -> None:
        if solution.prizes() < self.key[0] or not solution.is_feasible():
            return
        key = (solution.prizes(), -solution.distance_cost() - solution.duration_cost())
        if key > self.key:
            self.best, self.key = solution, key

    def on_iteration(
        self,
        current: pyvrp.Solution,
        candidate: pyvrp.Solution,
        best: pyvrp.Solution,
        cost_evaluator: pyvrp.CostEvaluator,
    ) -> None:
        self.offer(candidate)

    def on_best(self, best: pyvrp.Solution) -> None:
        self.offer(best)


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
    vehicle_types = [
        pyvrp.VehicleType(
            start_depot=v,
            end_depot=m + v,
            tw_early=int(inst.available[k]),
            start_late=int(inst.available[k]),
            tw_late=int(inst.deadline[k]),
            unit_duration_cost=LONG_DURATION_COST if long else 0,
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


def run_pyvrp(
    model: Model,
    part: Part,
    stop_at: float,
    seed: int,
    initial: pyvrp.Solution | None,
) -> tuple[Routes, pyvrp.Solution] | None:
    """One iterated local search on a built model until ``stop_at`` (a ``perf_counter``
    moment): the routes per car of the part and PyVRP's best solution, or None if it found
    nothing feasible or had no time.

    This is ``pyvrp.solve`` taken apart for two reasons: its neighbourhoods are computed
    before the search time is measured, so the deadline covers them; and the time-warp
    penalty starts at ``PENALTY_PER_PRIZE`` of a value unit's prize per second instead of
    the midpoint of its range, which let the search through infeasible plans and raised the
    long TOPTW routes by about 2 points of best-known (benchmarks/RESULTS.md).
    """
    data = model.data
    began = time.perf_counter()
    rng = RandomNumberGenerator(seed=seed)
    neighbours = compute_neighbours(data, NeighbourhoodParams(num_neighbours=NEIGHBOURS))
    search = LocalSearch(data, rng, neighbours, PerturbationManager(PerturbationParams()))
    for operator in OPERATORS:
        if operator.supports(data):
            search.add_operator(operator(data))
    if time.perf_counter() >= stop_at - 0.001:
        return None
    penalties = _penalties(model, initial)
    if initial is None:
        random = pyvrp.Solution.make_random(data, rng)
        initial = search(random, penalties.max_cost_evaluator(), exhaustive=True)
    left = stop_at - time.perf_counter()
    if left <= 0.001:
        return None
    most = MostPrize(initial)
    ils = IteratedLocalSearch(
        data,
        penalties,
        search,
        initial,
        IteratedLocalSearchParams(history_length=_history(initial), callbacks=most),
    )
    ils.run(Before(stop_at, first_s=time.perf_counter() - began), collect_stats=False)
    best = most.best
    if not best.is_feasible():
        return None
    routes: Routes = [[] for _ in part.cars]
    for route in best.routes():
        routes[route.vehicle_type()] = [model.owner[a.idx] for a in route if a.is_client()]
    return routes, best


def _long(initial: pyvrp.Solution | None) -> bool:
    if initial is None or initial.num_routes() == 0:
        return False
    return initial.num_clients() / initial.num_routes() >= LONG_ROUTE_STOPS


def _penalties(model: Model, initial: pyvrp.Solution | None) -> PenaltyManager:
    """Long routes start from a low time-warp penalty, short ones from PyVRP's midpoint."""
    if _long(initial):
        start = model.unit_prize * PENALTY_PER_PRIZE
        params = PenaltyParams(
            solutions_between_updates=UPDATES_EVERY,
            min_penalty=start * 1e-3,
            max_penalty=start * 1e3,
        )
    else:
        params = PenaltyParams(max_penalty=float(max(100_000, 2 * model.max_prize)))
        start = params.min_penalty + (params.max_penalty - params.min_penalty) / 2
    return PenaltyManager(([start] * model.data.num_load_dimensions, start, start), params)


def _history(initial: pyvrp.Solution | None) -> int:
    return HISTORY if _long(initial) else PYVRP_HISTORY


def improve_with_pyvrp(inst: Instance, part: Part, seconds: float, seed: int) -> Routes | None:
    """Iterated local search from the warm start on one part, within ``seconds``."""
    began = time.perf_counter()
    setup = estimated_setup_s(client_count(inst, part)) * part.slowdown
    if setup > 0.4 * seconds:
        return None
    model = build_model(inst, part)
    initial = warm_solution(inst, model, part, part.warm)
    found = run_pyvrp(model, part, began + seconds, seed, initial)
    return None if found is None else found[0]


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
