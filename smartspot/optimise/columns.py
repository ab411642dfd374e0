"""Short routes listed and packed: every route a car can drive among its best few candidates,
then CP-SAT chooses one route a car, no hotspot twice, the most value.

On the districts' shape (budgets of 20-45 min, dwells of 10-15 min: 1-3 stops a car) a car has
only a few hundred feasible routes among its 10-20 best candidates, and the packing of those
columns is a set-packing model whose linear relaxation is nearly tight: CP-SAT proves its
optimum over a component of 26 cars (2,661 columns) in 0.07-0.1 s. Probe on the benchmark's
40 x 3000 instances (benchmarks/RESULTS.md, issue 15 fifth session): the packing over 15
candidates a car matched or beat a 60 s PyVRP run on every component, where PyVRP's share of
a 1 s solve (0.17 s a piece) stayed 1-2 % below it. The routes are listed with numpy, a stop
count a layer (``routes_of_car``); the packing starts from the current plan (CP-SAT's hint),
so it never answers with less.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from smartspot.optimise.instance import BIG, Instance, Routes

# Routes of up to this many stops are listed; longer ones enter only as the current plan's.
MAX_STOPS = 3
# A layer of partial routes larger than this is not extended (a car with a long budget among
# many close candidates): the columns stay those of the shorter layers.
MAX_LAYER = 20_000
# Columns a car keeps at most (the most valuable), so that one car with a long budget cannot
# make the model too big to solve in its share.
MAX_COLUMNS_PER_CAR = 1_500
# The least CPU seconds (times the slowdown) a packing is begun with: CP-SAT's own start and
# answer take a few ms whatever the model.
PACK_MIN_S = 0.005
# CPU seconds per column for building the CP-SAT model in Python (measured 11-13 us), times
# the slowdown: a packing whose model would not be built within half its time is not begun.
BUILD_S_PER_COLUMN = 1.5e-5

Column = tuple[int, ...]  # the hotspots of a route, sorted


def _earliest(inst: Instance, hotspots: NDArray[np.int64], arrive: NDArray[np.int64]) -> NDArray:
    """``Instance.earliest`` for arrays of any shape (``hotspots`` and ``arrive`` alike)."""
    begin = np.maximum(arrive[..., None], inst.opens[hotspots])
    begin = np.where(begin <= inst.closes[hotspots], begin, BIG)
    return begin.min(axis=-1)


def routes_of_car(
    inst: Instance, car: int, candidates: NDArray[np.int64], max_stops: int = MAX_STOPS
) -> dict[Column, tuple[int, ...]]:
    """Every set of at most ``max_stops`` of ``candidates`` that ``car`` can visit in time,
    with the order that brings it home earliest among those found.

    Layer by layer: the feasible orders of ``s`` stops extend those of ``s - 1`` by one more
    candidate (arrival, the window's earliest start, service, and the way home before the
    car's deadline, all as arrays). Of two orders of the same stops ending at the same stop only
    the one that leaves earlier is kept (waiting is allowed, so it is never worse)."""
    cand = np.asarray(candidates, dtype=np.int64)
    out: dict[Column, tuple[int, ...]] = {}
    if len(cand) == 0 or max_stops < 1:
        return out
    nodes = inst.node[cand]
    travel = inst.travel[np.ix_(nodes, nodes)]
    home = inst.travel[nodes, inst.end[car]]
    deadline = int(inst.deadline[car])
    service = inst.service[cand]
    arrive = np.minimum(inst.available[car] + inst.travel[inst.start[car], nodes], BIG)
    begin = _earliest(inst, cand, arrive)
    leave = begin + service
    ok = (begin < BIG) & (leave + home <= deadline)
    # a layer: the orders (rows of local indices), when each leaves its last stop
    orders = np.flatnonzero(ok)[:, None]
    leaves = leave[ok]
    returns = leaves + home[orders[:, -1]]
    best_back: dict[Column, int] = {}
    for stops in range(1, max_stops + 1):
        keys = np.sort(orders, axis=1)
        for key, order, back in zip(keys.tolist(), orders.tolist(), returns.tolist(), strict=True):
            column = tuple(int(cand[i]) for i in key)
            if column not in best_back or back < best_back[column]:
                best_back[column] = back
                out[column] = tuple(int(cand[i]) for i in order)
        if stops == max_stops or len(orders) == 0 or len(orders) > MAX_LAYER:
            break
        last = orders[:, -1]
        arrive = np.minimum(leaves[:, None] + travel[last], BIG)
        begin = _earliest(inst, np.broadcast_to(cand, arrive.shape), arrive)
        leave = begin + service[None, :]
        ok = (begin < BIG) & (leave + home[None, :] <= deadline)
        for s in range(orders.shape[1]):
            ok[np.arange(len(orders)), orders[:, s]] = False  # no stop twice
        row, nxt = np.nonzero(ok)
        orders = np.concatenate([orders[row], nxt[:, None]], axis=1)
        leaves = leave[row, nxt]
        returns = leaves + home[nxt]
        orders, leaves, returns = _earliest_per_label(orders, leaves, returns)
    return out


def _earliest_per_label(
    orders: NDArray[np.int64], leaves: NDArray[np.int64], returns: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Of the orders with the same stops and the same last stop, the one leaving it first."""
    if len(orders) == 0:
        return orders, leaves, returns
    label = np.concatenate([np.sort(orders[:, :-1], axis=1), orders[:, -1:]], axis=1)
    first = np.lexsort((leaves, *label.T[::-1]))
    label = label[first]
    fresh = np.ones(len(first), dtype=bool)
    fresh[1:] = (label[1:] != label[:-1]).any(axis=1)
    keep = first[fresh]
    return orders[keep], leaves[keep], returns[keep]


def car_columns(
    inst: Instance, car: int, candidates: NDArray[np.int64], route: list[int]
) -> dict[Column, tuple[int, ...]]:
    """``routes_of_car`` with the car's current ``route`` among them, at most
    ``MAX_COLUMNS_PER_CAR`` (the most valuable, the current route always)."""
    columns = routes_of_car(inst, car, candidates)
    if len(columns) > MAX_COLUMNS_PER_CAR:
        ranked = sorted(columns, key=lambda c: -float(inst.value[list(c)].sum()))
        columns = {c: columns[c] for c in ranked[:MAX_COLUMNS_PER_CAR]}
    if route:
        columns.setdefault(tuple(sorted(route)), tuple(route))
    return columns


def packing_available() -> bool:
    """CP-SAT is used only once imported (its first import takes 0.3-1 s, more than a whole
    district solve; a service imports it at its start, ``solvers.preload``)."""
    return "ortools.sat.python.cp_model" in sys.modules


def pack_columns(
    inst: Instance,
    cars: list[int],
    columns: list[dict[Column, tuple[int, ...]]],
    warm: Routes,
    stop_at: float,
    slowdown: float = 1.0,
) -> Routes | None:
    """At most one column a car, no hotspot twice, the most value, starting from ``warm``
    (the cars' current routes, each among its columns): the routes per car, or None when
    nothing better was found before ``stop_at`` (a ``perf_counter`` moment).

    CP-SAT without its presolve: with the hint it holds the current plan from the first
    moment, and on these models it proved the optimum sooner without (0.066 against 0.104 s
    for 2,661 columns)."""
    if not packing_available():
        return None
    size = sum(len(c) for c in columns)
    need = (PACK_MIN_S + 2 * BUILD_S_PER_COLUMN * size) * slowdown
    if time.perf_counter() + need >= stop_at:
        return None
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    choose: list[list[tuple[cp_model.IntVar, tuple[int, ...]]]] = []
    covers: dict[int, list[cp_model.IntVar]] = {}
    terms = []
    units = np.rint(inst.value * 1000).astype(np.int64)  # values carry three decimals
    for car_columns_, route in zip(columns, warm, strict=True):
        current = tuple(sorted(route))
        options = []
        for column, order in car_columns_.items():
            x = model.new_bool_var("")
            options.append((x, order))
            terms.append(int(units[list(column)].sum()) * x)
            for h in column:
                covers.setdefault(h, []).append(x)
            model.add_hint(x, column == current)
        if len(options) > 1:
            model.add_at_most_one(x for x, _ in options)
        choose.append(options)
        if time.perf_counter() > stop_at:
            return None
    for xs in covers.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    floor = int(sum(units[h] for route in warm for h in route))
    model.maximize(sum(terms))
    left = stop_at - time.perf_counter()
    if left <= 0.002 * slowdown:
        return None
    solver = cp_model.CpSolver()
    # CP-SAT's own start and its answer take a few ms more on a busy machine
    solver.parameters.max_time_in_seconds = left * 0.8
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value <= floor:
        return None
    routes = [
        next((list(order) for x, order in options if solver.value(x)), []) for options in choose
    ]
    if any(inst.timeline(k, r) is None for k, r in zip(cars, routes, strict=True)):
        return None  # never expected: every column was listed feasible
    return routes


def pack_groups(
    inst: Instance,
    groups: list[list[int]],
    candidates: Callable[[int, int], NDArray[np.int64]],
    routes: Routes,
    rounds: Sequence[tuple[int, int]],
    stop_at: float,
    slowdown: float = 1.0,
) -> int:
    """Each group of several cars repacked in place from its cars' routes among their best
    candidates (``candidates(car, keep)``), a round for each ``(keep, most)`` of ``rounds``
    while time is left before ``stop_at`` (a ``perf_counter`` moment); the number of packings
    that improved a group. Groups must not share a hotspot (``instance.components``). A
    round's groups share its time by their number of columns; a group of more than ``most``
    columns is packed a chunk of neighbouring cars at a time, the others' routes fixed."""
    todo = [cars for cars in groups if len(cars) > 1]
    improved = 0
    for keep, most in rounds:
        listed: list[list[dict[Column, tuple[int, ...]]]] = []
        for cars in todo:
            group = []
            for k in cars:
                if time.perf_counter() >= stop_at:
                    return improved
                group.append(car_columns(inst, k, candidates(k, keep), routes[k]))
            listed.append(group)
        work = sum(sum(len(c) for c in group) for group in listed)
        for cars, group in zip(todo, listed, strict=True):
            for chunk in _chunks(inst, cars, [len(c) for c in group], most):
                chosen = [group[cars.index(k)] for k in chunk]
                if len(chunk) < len(cars):
                    chosen = _free_of(inst, routes, cars, chunk, chosen)
                size = sum(len(c) for c in chosen)
                left = stop_at - time.perf_counter()
                share = left * min(1.0, size / max(work, 1))
                work -= size
                if left <= 0.002:
                    return improved
                warm = [routes[k] for k in chunk]
                now = time.perf_counter()
                better = pack_columns(inst, chunk, chosen, warm, now + share, slowdown)
                if better is not None:
                    for k, route in zip(chunk, better, strict=True):
                        routes[k] = route
                    improved += 1
    return improved


def _chunks(inst: Instance, cars: list[int], sizes: list[int], most: int) -> list[list[int]]:
    """``cars`` cut into chunks of neighbouring cars with at most ``most`` columns each (a
    car with more is a chunk of its own); ``cars`` whole when they fit."""
    if sum(sizes) <= most:
        return [cars]
    size = dict(zip(cars, sizes, strict=True))
    left = list(cars)
    chunks = []
    while left:
        seed = left.pop(0)
        near = sorted(left, key=lambda k: inst.travel[inst.start[seed], inst.start[k]])
        chunk, total = [seed], size[seed]
        for k in near:
            if total + size[k] > most:
                break
            chunk.append(k)
            total += size[k]
            left.remove(k)
        chunks.append(chunk)
    return chunks


def _free_of(
    inst: Instance,
    routes: Routes,
    cars: list[int],
    chunk: list[int],
    columns: list[dict[Column, tuple[int, ...]]],
) -> list[dict[Column, tuple[int, ...]]]:
    """``columns`` of the cars of ``chunk`` without the hotspots the group's other cars plan."""
    taken = np.zeros(inst.n_hotspots, dtype=bool)
    for k in cars:
        if k not in chunk:
            taken[routes[k]] = True
    kept = []
    for k, listed in zip(chunk, columns, strict=True):
        own = tuple(sorted(routes[k]))
        kept.append({c: o for c, o in listed.items() if c == own or not taken[list(c)].any()})
    return kept
