"""Exact answers for small problems: enumerate every feasible route per car, then pack.

Routes are enumerated with dominance: of two partial routes with the same set of visited
hotspots ending at the same hotspot, only the one that leaves earlier can lead anywhere the other
cannot (waiting is allowed, so earlier is never worse). Each car's best route per hotspot set
becomes a column; CP-SAT then picks at most one column per car with each hotspot at most once.
Measured on this problem shape this proves optimality at (10 cars, 300 hotspots) in seconds,
where a circuit model in CP-SAT stalls; beyond a label cap it gives up rather than guess.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import BIG, Instance, Routes, components
from smartspot.optimise.pace import collector_paused
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.solver import Part, check_time_limit

MAX_LABELS = 300_000
# Up to this many labels the enumeration never looks at the clock (a few milliseconds of
# work): a small part is then proven the same way on an idle and on a loaded machine, so
# replaying a stored proposal gives its answer again.
CLOCK_FREE_LABELS = 5_000


class GaveUp(Exception):
    """Enumeration exceeded its label cap or its time."""


def enumerate_routes(
    inst: Instance, car: int, reach: NDArray[np.int64], stop_at: float, max_labels: int = MAX_LABELS
) -> dict[frozenset[int], tuple[int, ...]]:
    """Every hotspot set ``car`` can visit in time, with one feasible order for each."""
    best: dict[frozenset[int], tuple[int, ...]] = {frozenset(): ()}
    start, end, deadline = int(inst.start[car]), int(inst.end[car]), int(inst.deadline[car])
    home = inst.travel[inst.node[reach], end]
    layer: dict[tuple[frozenset[int], int], tuple[int, tuple[int, ...]]] = {}
    # the first layer: straight from the start
    begin = inst.earliest(reach, int(inst.available[car]) + inst.travel[start, inst.node[reach]])
    leave = begin + inst.service[reach]
    for i in np.flatnonzero((begin < BIG) & (leave + home <= deadline)).tolist():
        h = int(reach[i])
        layer[(frozenset((h,)), i)] = (int(leave[i]), (h,))
    labels = len(layer)
    while layer:
        for (visited, _), (_, route) in layer.items():
            best.setdefault(visited, route)
        following: dict[tuple[frozenset[int], int], tuple[int, tuple[int, ...]]] = {}
        for (visited, last), (left, route) in layer.items():
            arrive = left + inst.travel[inst.node[reach[last]], inst.node[reach]]
            begin = inst.earliest(reach, np.minimum(arrive, BIG))
            leave = begin + inst.service[reach]
            ok = (begin < BIG) & (leave + home <= deadline)
            for i in np.flatnonzero(ok).tolist():
                h = int(reach[i])
                if h in visited:
                    continue
                key = (visited | {h}, i)
                seen = following.get(key)
                if seen is None or leave[i] < seen[0]:
                    following[key] = (int(leave[i]), (*route, h))
            labels += len(following)
            if labels > max_labels or (
                labels > CLOCK_FREE_LABELS and time.perf_counter() > stop_at
            ):
                raise GaveUp
        layer = following
    return best


def pack(
    inst: Instance,
    cars: list[int],
    columns: list[dict[frozenset[int], tuple[int, ...]]],
    stop_at: float,
) -> tuple[Routes, bool]:
    """At most one route per car, each hotspot at most once, the most value; and whether
    CP-SAT proved it optimal before ``stop_at``."""
    if len(cars) == 1:
        best = max(columns[0], key=lambda s: (inst.route_value([list(s)]), -len(s)))
        return [list(columns[0][best])], True
    from ortools.sat.python import cp_model  # 0.3–1 s to import; one car needs no packing

    prizes = inst.prizes()
    model = cp_model.CpModel()
    choose: list[list[tuple[Any, tuple[int, ...]]]] = []
    covers: dict[int, list[Any]] = {}
    objective: list[Any] = []
    for c, sets in enumerate(columns):
        options: list[tuple[Any, tuple[int, ...]]] = []
        for visited, route in sets.items():
            if not visited:
                continue
            if len(objective) % 1024 == 1023 and time.perf_counter() > stop_at:
                raise GaveUp  # building a model of many columns takes time too
            x = model.new_bool_var(f"c{c}_{len(options)}")
            options.append((x, route))
            objective.append(int(sum(prizes[h] for h in visited)) * x)
            for h in visited:
                covers.setdefault(h, []).append(x)
        model.add_at_most_one(x for x, _ in options)
        choose.append(options)
    for xs in covers.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.001, stop_at - time.perf_counter())
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise GaveUp
    routes = [
        next((list(route) for x, route in options if solver.value(x)), []) for options in choose
    ]
    return routes, status == cp_model.OPTIMAL


def exact_part(inst: Instance, part: Part, seconds: float, seed: int) -> Routes | None:
    """The proven best routes of one part, or None when it cannot be done in ``seconds``."""
    stop_at = time.perf_counter() + seconds
    try:
        columns = [
            enumerate_routes(inst, k, reach, stop_at)
            for k, reach in zip(part.cars, part.reach, strict=True)
        ]
        routes, proven = pack(inst, part.cars, columns, stop_at)
    except GaveUp:
        return None
    return routes if proven else None


class ExactSolver:
    """Proves the optimum by route enumeration and set packing; for small problems.

    When it cannot finish in time it returns the greedy construction for the parts it could
    not prove, and ``proven_optimal`` is False.
    """

    name = "exact"

    def solve(self, problem: Problem, *, time_limit_s: float = 10.0, seed: int = 0) -> Solution:
        check_time_limit(time_limit_s)
        with collector_paused():
            return self._solve(problem, time_limit_s, seed)

    def _solve(self, problem: Problem, time_limit_s: float, seed: int) -> Solution:
        began = time.perf_counter()
        stop_at = began + time_limit_s - 0.01
        inst = Instance.of(problem)
        reach = inst.reach_lists()
        routes = construct(inst, reach)
        proven = True
        for cars in components(inst, reach):
            part = Part(cars, np.empty(0, dtype=np.int64), [reach[k] for k in cars], [])
            left = stop_at - time.perf_counter()
            better = exact_part(inst, part, left, seed) if left > 0 else None
            if better is None:
                proven = False
                continue
            for k, route in zip(cars, better, strict=True):
                routes[k] = route
        solution = inst.solution(routes, self.name, wall_s=time.perf_counter() - began)
        return Solution(
            solution.value, solution.plans, self.name, proven_optimal=proven, stats=solution.stats
        )
