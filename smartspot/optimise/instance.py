"""The problem as integer arrays, shared by every solver: scaling happens here and only here.

* times are whole seconds already; an unreachable leg (NaN) becomes ``BIG``, which fails every
  deadline test because ``BIG`` exceeds any horizon;
* values (floats) become whole ``VALUE_UNITS`` for the solvers that need integer prizes, and
  ``prize_weight`` makes one value unit outweigh all driving, so value always comes first and
  driving time only breaks ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.optimise.problem import Plan, Problem, Solution, Stop

BIG = 10**9  # seconds; stands for "no road" in integer matrices
VALUE_UNITS = 1000  # value 1.0 = 1000 prize units: three decimals survive the scaling
Routes = list[list[int]]  # per car, the hotspot indices in visiting order


@dataclass(frozen=True, eq=False)
class Instance:
    """Integer arrays of a problem. Hotspot ``h`` sits at node ``node[h]``."""

    problem: Problem
    travel: NDArray[np.int64]  # node × node seconds, BIG where unreachable
    node: NDArray[np.int64]
    value: NDArray[np.float64]
    service: NDArray[np.int64]
    opens: NDArray[np.int64]  # hotspot × window; padding opens at BIG
    closes: NDArray[np.int64]  # padding closes at -1
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    available: NDArray[np.int64]
    deadline: NDArray[np.int64]

    @classmethod
    def of(cls, problem: Problem) -> Instance:
        """The arrays of ``problem``; the integer matrix is computed once per problem (it is
        part of building the problem, and costs 60 ms at 3,000 hotspots)."""
        travel = getattr(problem, "_int_travel", None)
        if travel is None:
            travel = np.where(np.isnan(problem.travel_s), BIG, problem.travel_s).astype(np.int64)
            travel.setflags(write=False)
            object.__setattr__(problem, "_int_travel", travel)
        tasks = problem.hotspots
        width = max([1, *(len(t.windows) for t in tasks)])
        opens = np.full((len(tasks), width), BIG, dtype=np.int64)
        closes = np.full((len(tasks), width), -1, dtype=np.int64)
        for h, task in enumerate(tasks):
            windows = task.windows or ((0, BIG),)
            for w, (lo, hi) in enumerate(windows):
                opens[h, w], closes[h, w] = lo, hi
        cars = problem.cars
        return cls(
            problem=problem,
            travel=travel,
            node=np.array([t.node for t in tasks], dtype=np.int64),
            value=np.array([t.value for t in tasks], dtype=np.float64),
            service=np.array([t.service_s for t in tasks], dtype=np.int64),
            opens=opens,
            closes=closes,
            start=np.array([c.start for c in cars], dtype=np.int64),
            end=np.array([c.end for c in cars], dtype=np.int64),
            available=np.array([c.available_s for c in cars], dtype=np.int64),
            deadline=np.array([problem.deadline(c) for c in cars], dtype=np.int64),
        )

    @property
    def n_cars(self) -> int:
        return len(self.start)

    @property
    def n_hotspots(self) -> int:
        return len(self.node)

    def earliest(self, hotspots: NDArray[np.int64], arrive: NDArray[np.int64]) -> NDArray[np.int64]:
        """Earliest service start at or after ``arrive`` inside a window; BIG when none."""
        begin = np.maximum(arrive[:, None], self.opens[hotspots])
        begin = np.where(begin <= self.closes[hotspots], begin, BIG)
        return np.asarray(begin.min(axis=1), dtype=np.int64)

    def start_at(self, h: int, arrive: int) -> int:
        """Scalar ``earliest``: the first moment service at ``h`` can start (BIG if none)."""
        best = BIG
        for lo, hi in zip(self.opens[h], self.closes[h], strict=True):
            begin = arrive if arrive > lo else int(lo)
            if begin <= hi and begin < best:
                best = begin
        return best

    def reach(self, car: int) -> NDArray[np.int64]:
        """Hotspots ``car`` can visit alone and still be home in time (the ellipse + window
        test: start → hotspot → end within the direct trip plus the budget)."""
        arrive = self.available[car] + self.travel[self.start[car], self.node]
        home = self.travel[self.node, self.end[car]]
        # without waiting first (a window can only make it later): most hotspots fail here,
        # and the window test runs on the few left (5.8 → 1.5 ms of CPU at 40 × 3,000)
        near = (arrive < BIG) & (arrive + self.service + home <= self.deadline[car])
        hotspots = np.flatnonzero(near & (self.value > 0))
        begin = self.earliest(hotspots, arrive[hotspots])
        back = begin + self.service[hotspots] + home[hotspots]
        return hotspots[(begin < BIG) & (back <= self.deadline[car])]

    def reach_lists(self) -> list[NDArray[np.int64]]:
        return [self.reach(k) for k in range(self.n_cars)]

    def timeline(self, car: int, route: Sequence[int]) -> tuple[list[tuple[int, int]], int] | None:
        """Earliest (start, leave) per stop and the return time, or None if infeasible."""
        here = int(self.start[car])
        clock = int(self.available[car])
        times = []
        for h in route:
            begin = self.start_at(h, clock + int(self.travel[here, self.node[h]]))
            if begin >= BIG:
                return None
            clock = begin + int(self.service[h])
            times.append((begin, clock))
            here = int(self.node[h])
        back = clock + int(self.travel[here, self.end[car]])
        if back > self.deadline[car]:
            return None
        return times, back

    def solution(self, routes: Routes, solver: str, **stats: object) -> Solution:
        """Timed plans from routes; raises if a route breaks a window or a deadline, or if a
        hotspot appears twice (a solver bug, never the user's fault)."""
        seen: set[int] = set()
        plans = []
        total = 0.0
        for k, route in enumerate(routes):
            if seen.intersection(route) or len(set(route)) != len(route):
                raise InvalidInputError(msg("{solver}: a hotspot is planned twice", solver=solver))
            seen.update(route)
            timed = self.timeline(k, route)
            if timed is None:
                raise InvalidInputError(
                    msg(
                        "{solver}: car {k}'s route {route} is infeasible",
                        solver=solver,
                        k=k,
                        route=route,
                    )
                )
            times, back = timed
            tasks = self.problem.hotspots
            stops = tuple(Stop(tasks[h].id, b, e) for h, (b, e) in zip(route, times, strict=True))
            total += float(sum(self.value[h] for h in route))
            plans.append(Plan(self.problem.cars[k].id, stops, back))
        return Solution(value=total, plans=tuple(plans), solver=solver, stats=dict(stats))

    def route_value(self, routes: Routes) -> float:
        return float(sum(self.value[h] for route in routes for h in route))

    # ---- integer prizes for solvers that need them

    def prizes(self) -> NDArray[np.int64]:
        """Whole prize units per hotspot (value × VALUE_UNITS, rounded)."""
        return np.rint(self.value * VALUE_UNITS).astype(np.int64)

    def weighted_prizes(self) -> NDArray[np.int64]:
        """Prizes in seconds of driving: value 1.0 outweighs all driving any plan can do, so
        solvers that minimise driving + missed prizes put value first and driving second."""
        return self.prizes() * self._per_prize_unit()

    def _per_prize_unit(self) -> int:
        return -(-int(np.sum(self.deadline - self.available)) // VALUE_UNITS) + 1

    def weighted_prizes_per_value(self) -> int:
        """The weighted prize of value 1.0 (see ``weighted_prizes``)."""
        return VALUE_UNITS * self._per_prize_unit()


def routes_of(instance: Instance, solution: Solution) -> Routes:
    """Hotspot-index routes of a solution (the inverse of ``Instance.solution``)."""
    index = {t.id: h for h, t in enumerate(instance.problem.hotspots)}
    by_car = {plan.car: [index[s.hotspot] for s in plan.stops] for plan in solution.plans}
    return [by_car.get(car.id, []) for car in instance.problem.cars]


def components(instance: Instance, reach: list[NDArray[np.int64]]) -> list[list[int]]:
    """Groups of cars that compete for some hotspot (their ellipses overlap); groups never
    share a hotspot, so each can be solved on its own."""
    parent = list(range(instance.n_cars))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict[int, int] = {}
    for k, hotspots in enumerate(reach):
        for h in hotspots.tolist():
            if h in owner:
                parent[find(k)] = find(owner[h])
            else:
                owner[h] = k
    groups: dict[int, list[int]] = {}
    for k in range(instance.n_cars):
        groups.setdefault(find(k), []).append(k)
    return sorted(groups.values(), key=lambda g: -len(g))
