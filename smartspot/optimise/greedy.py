"""Greedy insertion: what a dispatcher does by hand, and the construction every solver starts from.

Repeatedly insert the hotspot, car and position with the most value per added minute while the
plan stays feasible. Feasibility of an insertion is tested in O(1) per position with the
classic *wait* and *max-shift* bookkeeping (Vansteenwegen et al. 2009): a delay arriving at a
stop is absorbed first by its waiting time, then by the slack downstream (window closes and the
car's deadline). With several windows per hotspot this is conservative (a delay that would jump
to a later window is refused), so every accepted insertion is feasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartspot.optimise.instance import BIG, Instance, Routes
from smartspot.optimise.problem import Problem, Solution


@dataclass
class _CarState:
    reach: NDArray[np.int64]
    score: NDArray[np.float64]
    position: NDArray[np.int64]
    best: int


def _slack(inst: Instance, car: int, route: list[int]) -> tuple[list[int], list[int], list[int]]:
    """Per insertion position p (before stop p, or before the end): the previous node, the time
    the car leaves it, and how much later than now the next node may be reached."""
    prev_node = [int(inst.start[car])]
    prev_leave = [int(inst.available[car])]
    arrivals, begins, closes = [], [], []
    for h in route:
        arrive = prev_leave[-1] + int(inst.travel[prev_node[-1], inst.node[h]])
        begin = inst.start_at(h, arrive)
        window = (inst.opens[h] <= begin) & (begin <= inst.closes[h])
        arrivals.append(arrive)
        begins.append(begin)
        closes.append(int(inst.closes[h][window].min()))
        prev_node.append(int(inst.node[h]))
        prev_leave.append(begin + int(inst.service[h]))
    back = prev_leave[-1] + int(inst.travel[prev_node[-1], inst.end[car]])
    slack = [int(inst.deadline[car]) - back]  # at the end node: no waiting, only the deadline
    for i in range(len(route) - 1, -1, -1):
        wait_next = 0 if i == len(route) - 1 else begins[i + 1] - arrivals[i + 1]
        slack.append(min(closes[i] - begins[i], wait_next + slack[-1]))
    slack.reverse()  # slack[i] = max delay of stop i's start (i == len(route): the return)
    waits = [b - a for a, b in zip(arrivals, begins, strict=True)] + [0]
    absorb = [w + s for w, s in zip(waits, slack, strict=True)]
    return prev_node, prev_leave, absorb


def _evaluate(
    inst: Instance,
    car: int,
    route: list[int],
    state: _CarState,
    taken: NDArray[np.bool_],
    power: float,
) -> None:
    reach = state.reach
    prev_node, prev_leave, absorb = _slack(inst, car, route)
    next_nodes = [int(inst.node[h]) for h in route] + [int(inst.end[car])]
    score = np.full(len(reach), -np.inf)
    position = np.zeros(len(reach), dtype=np.int64)
    free = ~taken[reach]
    if free.any():
        cand = reach[free]
        nodes = inst.node[cand]
        gain = inst.value[cand] ** power
        best = np.full(len(cand), -np.inf)
        where = np.zeros(len(cand), dtype=np.int64)
        for p, (a, t, nxt) in enumerate(zip(prev_node, prev_leave, next_nodes, strict=True)):
            old = t + int(inst.travel[a, nxt])
            begin = inst.earliest(cand, t + inst.travel[a, nodes])
            shift = begin + inst.service[cand] + inst.travel[nodes, nxt] - old
            ok = (begin < BIG) & (shift <= absorb[p])
            s = np.where(ok, gain / np.maximum(shift, 1), -np.inf)
            better = s > best
            best[better] = s[better]
            where[better] = p
        score[free] = best
        position[free] = where
    state.score, state.position = score, position
    state.best = int(np.argmax(score)) if len(score) else -1


def greedy_routes(
    inst: Instance,
    reach: list[NDArray[np.int64]],
    *,
    power: float = 1.0,
    cars: list[int] | None = None,
    routes: Routes | None = None,
    deadline: float = float("inf"),
) -> Routes:
    """Routes built by best ``value**power / added seconds`` insertion over ``cars`` (all by
    default), starting from ``routes`` (empty by default). At ``deadline`` (a
    ``time.perf_counter()`` moment) it stops inserting: every prefix of the insertions is a
    feasible plan, so a hard time limit is kept even on the largest problems."""
    routes = [list(r) for r in routes] if routes else [[] for _ in range(inst.n_cars)]
    cars = list(range(inst.n_cars)) if cars is None else cars
    taken = np.zeros(inst.n_hotspots, dtype=bool)
    for route in routes:
        taken[route] = True
    states: dict[int, _CarState] = {}
    members: dict[int, list[tuple[int, int]]] = {}
    for k in cars:
        if time.perf_counter() >= deadline:
            return routes  # nothing inserted yet: the plans given are the answer
        states[k] = _CarState(reach[k], np.empty(0), np.empty(0, dtype=np.int64), -1)
        _evaluate(inst, k, routes[k], states[k], taken, power)
        for i, h in enumerate(reach[k].tolist()):
            members.setdefault(h, []).append((k, i))
    while time.perf_counter() < deadline:
        car, top = -1, -np.inf
        for k, st in states.items():
            if st.best >= 0 and st.score[st.best] > top:
                car, top = k, st.score[st.best]
        if car < 0 or not np.isfinite(top):
            return routes
        st = states[car]
        h = int(st.reach[st.best])
        routes[car].insert(int(st.position[st.best]), h)
        taken[h] = True
        _evaluate(inst, car, routes[car], st, taken, power)
        for k, i in members.get(h, []):
            other = states[k]
            if k != car:
                other.score[i] = -np.inf
                if other.best == i:
                    other.best = int(np.argmax(other.score))
    return routes


POWERS = (1.0, 1.5, 2.0)  # value**power / added seconds; 1.5 was best most often (benchmark)


def construct(
    inst: Instance,
    reach: list[NDArray[np.int64]],
    *,
    deadline: float = float("inf"),
    groups: list[list[int]] | None = None,
    hard_deadline: float = float("inf"),
) -> Routes:
    """The strongest cheap construction: greedy with value**p per added second for each p in
    ``POWERS`` (while time before ``deadline``, a ``time.perf_counter()`` moment, allows),
    keeping for each group of cars that share hotspots the best of the passes.

    The first pass runs past ``deadline`` (it is the floor no solver may fall below; a pass
    cut at the deadline under a stalled CPU once returned nothing at 40 × 3000), but never
    past ``hard_deadline``: the limit + 50 ms promise holds with other work on the cores."""
    groups = groups if groups is not None else [list(range(inst.n_cars))]
    passes: list[Routes] = []
    for power in POWERS:
        began = time.perf_counter()
        cutoff = deadline if passes else hard_deadline
        passes.append(greedy_routes(inst, reach, power=power, deadline=cutoff))
        if deadline - time.perf_counter() < 3 * (time.perf_counter() - began):
            break
    routes: Routes = [[] for _ in range(inst.n_cars)]
    for cars in groups:
        best = max(passes, key=lambda r: sum(float(inst.value[h]) for k in cars for h in r[k]))
        for k in cars:
            routes[k] = best[k]
    return routes


class GreedySolver:
    """The dispatcher's baseline: best value per added minute, inserted while feasible."""

    name = "greedy"

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        began = time.perf_counter()
        inst = Instance.of(problem)
        routes = greedy_routes(inst, inst.reach_lists())
        return inst.solution(routes, self.name, wall_s=time.perf_counter() - began)
