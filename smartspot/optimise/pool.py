"""Set partitioning over the routes a search passed through: the last percent on long routes.

A local search over several long routes keeps changing all of them together; a route it found
early, good on its own, is lost when a neighbour route takes one of its hotspots. Every route
the search meets that is feasible by itself is kept in a pool, and a packing then chooses at most
one route per car (a route fits every car of its class: the same start, end, times), no hotspot
twice, the most value: the route recombination of the TOPTW literature (Hu & Lim 2014, Ke et
al. 2016), which is where their heuristics close the last percent. With at most a handful of
cars the packing is a shallow search, exact and faster than a CP-SAT model; with more (the
districts' parts of 5-13 cars with 1-4 stops each) it is CP-SAT's (``best_packing``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

# The most routes (the most valuable) the packing chooses among.
POOL_LIMIT = 600
# Up to this many cars the packing is a depth-first search, beyond it CP-SAT's.
SEARCH_CARS = 4


@dataclass
class RoutePool:
    """Routes (hotspot tuples) per car class with their value, each route once."""

    routes: dict[tuple[int, tuple[int, ...]], float] = field(default_factory=dict)

    def add(self, klass: int, route: Sequence[int], value: float) -> None:
        """Keep ``route``, feasible for every car of ``klass``."""
        if route:
            self.routes.setdefault((klass, tuple(route)), value)

    def best(self, limit: int) -> list[tuple[tuple[int, tuple[int, ...]], float]]:
        """The ``limit`` routes worth the most."""
        items = list(self.routes.items())
        if len(items) > limit:
            items.sort(key=lambda item: -item[1])
            del items[limit:]
        return items

    def __len__(self) -> int:
        return len(self.routes)


def best_packing(
    pool: RoutePool,
    seats: dict[int, int],
    floor: float,
    stop_at: float,
) -> list[tuple[int, tuple[int, ...]]] | None:
    """The routes of ``pool`` worth the most together, if more than ``floor``: at most
    ``seats[klass]`` routes of each class, no hotspot in two. None when nothing beats
    ``floor`` or nothing was found before ``stop_at`` (a ``perf_counter`` moment).

    Up to ``SEARCH_CARS`` cars a depth-first search (``_searched``); more cars (the districts'
    short routes, 5-13 cars a part) go to CP-SAT, whose model of a few hundred routes of 1-4
    hotspots it solves in 5-20 ms, but only if CP-SAT is imported already (``preload``): its
    first import takes 0.3-1 s, more than a whole district solve."""
    if sum(seats.values()) <= SEARCH_CARS:
        return _searched(pool, seats, floor, stop_at)
    if "ortools.sat.python.cp_model" not in sys.modules:
        return None
    return _cp_sat(pool, seats, floor, stop_at)


def _cp_sat(
    pool: RoutePool,
    seats: dict[int, int],
    floor: float,
    stop_at: float,
) -> list[tuple[int, tuple[int, ...]]] | None:
    from ortools.sat.python import cp_model

    items = pool.best(POOL_LIMIT)
    model = cp_model.CpModel()
    chosen = [model.new_bool_var("") for _ in items]
    covers: dict[int, list[cp_model.IntVar]] = {}
    by_class: dict[int, list[cp_model.IntVar]] = {}
    for n, (x, ((klass, route), _)) in enumerate(zip(chosen, items, strict=True)):
        if n % 128 == 127 and time.perf_counter() > stop_at:
            return None
        by_class.setdefault(klass, []).append(x)
        for h in route:
            covers.setdefault(h, []).append(x)
    for xs in covers.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    for klass, xs in by_class.items():
        model.add(sum(xs) <= seats.get(klass, 0))  # type: ignore[arg-type]
    units = [round(value * 1000) for _, value in items]  # values carry three decimals
    model.add(sum(u * x for u, x in zip(units, chosen, strict=True)) >= round(floor * 1000) + 1)  # type: ignore[arg-type]
    model.maximize(sum(u * x for u, x in zip(units, chosen, strict=True)))  # type: ignore[arg-type]
    left = stop_at - time.perf_counter()
    if left <= 0.001:
        return None
    solver = cp_model.CpSolver()
    # CP-SAT's own start and its answer take up to 15-30 ms of wall time on a busy machine
    solver.parameters.max_time_in_seconds = left / 2
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [key for x, (key, _) in zip(chosen, items, strict=True) if solver.value(x)]


def _searched(
    pool: RoutePool,
    seats: dict[int, int],
    floor: float,
    stop_at: float,
) -> list[tuple[int, tuple[int, ...]]] | None:
    """``best_packing`` for a few cars; when ``stop_at`` comes first, the best found.

    Depth-first over the routes, the most valuable first, bounded by the next routes' values
    (at most ``sum(seats)`` deep: a car a route); each step keeps only the routes disjoint
    from the one chosen. CP-SAT spent 0.2-0.6 s on its presolve alone for 650
    routes of 4 cars, where this takes 20-90 ms (benchmarks/RESULTS.md)."""
    items = pool.best(POOL_LIMIT)
    if not items:
        return None
    items.sort(key=lambda item: -item[1])
    keys = [key for key, _ in items]
    values = np.array([value for _, value in items])
    classes = [key[0] for key in keys]
    local = {h: i for i, h in enumerate(sorted({h for _, route in keys for h in route}))}
    words = -(-len(local) // 64)
    bits = np.zeros((len(keys), 64 * words), dtype=bool)
    for i, (_, route) in enumerate(keys):
        if i % 128 == 127 and time.perf_counter() > stop_at:
            return None
        bits[i, [local[h] for h in route]] = True
    masks = np.packbits(bits, axis=1).view(np.uint64)  # a route's hotspots, 64 a word
    # in this thread (a matrix product would wait for BLAS threads on a busy machine)
    disjoint = np.asarray(~(masks[:, None, :] & masks[None, :, :]).any(axis=2))
    if time.perf_counter() > stop_at:
        return None
    search = _Search(values, disjoint, classes, dict(seats), floor, stop_at)
    search.run(np.arange(len(keys)), sum(seats.values()), 0.0)
    return None if search.chosen is None else [keys[i] for i in search.chosen]


class _Search:
    def __init__(
        self,
        values: NDArray[np.float64],
        disjoint: NDArray[np.bool_],
        classes: list[int],
        seats: dict[int, int],
        floor: float,
        stop_at: float,
    ) -> None:
        self.values, self.disjoint, self.classes, self.seats = values, disjoint, classes, seats
        self.best = floor + 1e-9
        self.chosen: list[int] | None = None
        self.path: list[int] = []
        self.stop_at = stop_at

    def run(self, candidates: NDArray[np.int64], left: int, value: float) -> bool:
        """Extend the path by one of ``candidates`` (sorted, the most valuable first); False
        when time ran out."""
        values, seats, classes = self.values, self.seats, self.classes
        for at in range(len(candidates)):
            if value + values[candidates[at : at + left]].sum() <= self.best:
                return True  # the rest are worth less
            i = int(candidates[at])
            if seats.get(classes[i], 0) == 0:
                continue
            if time.perf_counter() > self.stop_at:
                return False
            total = value + values[i]
            self.path.append(i)
            if total > self.best:
                self.best, self.chosen = total, list(self.path)
            if left > 1:
                rest = candidates[at + 1 :]
                rest = rest[self.disjoint[i, rest]]
                seats[classes[i]] -= 1
                going = self.run(rest, left - 1, total)
                seats[classes[i]] += 1
                if not going:
                    return False
            self.path.pop()
            if left == 1:
                return True  # the first that fits is the most valuable last route
        return True
