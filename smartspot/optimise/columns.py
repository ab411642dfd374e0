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
so it never answers with less. A group of cars few enough to list every route they can drive
is packed to its proven optimum and needs no search (``proofs.prove_groups``).
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
# CPU seconds CP-SAT's first import takes (0.5-0.6 s measured at load 7.6, in a new process).
IMPORT_S = 0.6
# CPU seconds per column for building the CP-SAT model in Python (measured 11-13 us), times
# the slowdown: a packing whose model would not be built within half its time is not begun.
BUILD_S_PER_COLUMN = 1.5e-5

Column = tuple[int, ...]  # the hotspots of a route, sorted


def routes_of_car(
    inst: Instance, car: int, candidates: NDArray[np.int64], max_stops: int = MAX_STOPS
) -> dict[Column, tuple[int, ...]]:
    """Every set of at most ``max_stops`` of ``candidates`` that ``car`` can visit in time,
    with the order that brings it home earliest among those found.

    Layer by layer: the feasible orders of ``s`` stops extend those of ``s - 1`` by one more
    candidate (arrival, the window's earliest start, service, and the way home before the
    car's deadline, all as arrays). Of two orders of the same stops ending at the same stop only
    the one that leaves earlier is kept (waiting is allowed, so it is never worse). A layer of
    more than ``MAX_LAYER`` orders is not extended."""
    return listed_routes(inst, car, np.asarray(candidates, dtype=np.int64), max_stops)[0]


def listed_routes(
    inst: Instance,
    car: int,
    cand: NDArray[np.int64],
    max_stops: int,
    max_layer: int | None = None,
    stop_at: float = float("inf"),
    max_columns: int | None = None,
) -> tuple[dict[Column, tuple[int, ...]], bool]:
    """``routes_of_car``, and whether that is every route among ``cand`` (no layer was left
    unextended that could have been extended); ``max_layer`` is ``MAX_LAYER`` by default.
    Beyond ``max_columns`` routes or at ``stop_at`` (a ``perf_counter`` moment) it stops,
    incomplete."""
    max_layer = MAX_LAYER if max_layer is None else max_layer
    out: dict[Column, tuple[int, ...]] = {}
    if len(cand) == 0:
        return out, True
    if max_stops < 1:
        return out, False
    nodes = inst.node[cand]
    travel = inst.travel[np.ix_(nodes, nodes)]
    home = inst.travel[nodes, inst.end[car]]
    deadline = int(inst.deadline[car])
    service = inst.service[cand]
    arrive = np.minimum(inst.available[car] + inst.travel[inst.start[car], nodes], BIG)
    begin = inst.earliest(cand, arrive)
    leave = begin + service
    ok = (begin < BIG) & (leave + home <= deadline)
    # a layer: the orders (rows of local indices), when each leaves its last stop
    orders = np.flatnonzero(ok)[:, None]
    leaves = leave[ok]
    returns = leaves + home[orders[:, -1]]
    for stops in range(1, max_stops + 1):
        if len(orders) == 0:
            return out, True
        # per set of stops the order that is home first (sets of a layer are all new)
        keys = np.sort(orders, axis=1)
        first = np.lexsort((returns, *keys.T[::-1]))
        keys, ranked = keys[first], orders[first]
        fresh = np.ones(len(first), dtype=bool)
        fresh[1:] = (keys[1:] != keys[:-1]).any(axis=1)
        chosen = zip(cand[keys[fresh]].tolist(), cand[ranked[fresh]].tolist(), strict=True)
        for column, order in chosen:
            out[tuple(column)] = tuple(order)
        if stops == len(cand):
            return out, True  # every candidate in each order: none can be extended
        if stops == max_stops or len(orders) > max_layer or time.perf_counter() >= stop_at:
            return out, False
        if max_columns is not None and len(out) > max_columns:
            return out, False
        arrive = np.minimum(leaves[:, None] + travel[orders[:, -1]], BIG)
        # without waiting first (a window only makes it later): most extensions fail here,
        # and the windows are looked at for the few left
        ok = arrive + service[None, :] + home[None, :] <= deadline
        for s in range(orders.shape[1]):
            ok[np.arange(len(orders)), orders[:, s]] = False  # no stop twice
        row, nxt = np.nonzero(ok)
        begin = inst.earliest(cand[nxt], arrive[row, nxt])
        leave = begin + service[nxt]
        ok = (begin < BIG) & (leave + home[nxt] <= deadline)
        row, nxt, leaves = row[ok], nxt[ok], leave[ok]
        orders = np.concatenate([orders[row], nxt[:, None]], axis=1)
        returns = leaves + home[nxt]
        orders, leaves, returns = _earliest_per_label(orders, leaves, returns)
    return out, False  # not reached: the loop returns


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


def import_packing(seconds: float, slowdown: float = 1.0) -> bool:
    """Whether CP-SAT is imported, importing it first if ``seconds`` hold its import
    (``IMPORT_S`` of CPU times the slowdown) twice over: a long solve from the command line
    (``smartspot solve --time-limit 5``) packs too, a short one is not delayed."""
    if not packing_available() and seconds >= 2 * IMPORT_S * slowdown:
        import ortools.sat.python.cp_model  # noqa: F401
    return packing_available()


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
    return solve_packing(inst, cars, columns, warm, stop_at, slowdown)[0]


def solve_packing(
    inst: Instance,
    cars: list[int],
    columns: list[dict[Column, tuple[int, ...]]],
    warm: Routes,
    stop_at: float,
    slowdown: float = 1.0,
    *,
    by_detour: bool = False,
) -> tuple[Routes | None, bool]:
    """``pack_columns``, and whether the answer (better routes, or ``warm`` when None) is
    proven the best packing of ``columns``. With ``by_detour`` the least detour (driving and
    waiting beyond the direct trip home) decides among packings of the same value: where no
    search follows (a proven group) nothing else would. One car needs no CP-SAT: its best
    column."""
    units = np.rint(inst.value * 1000).astype(np.int64)  # values carry three decimals
    # one value unit outweighs every car's whole time: value first, the detour second
    weight = 1 + int(sum(inst.deadline[k] - inst.available[k] for k in cars)) if by_detour else 1
    worth = [
        _worth(inst, k, c, units, weight, by_detour) for k, c in zip(cars, columns, strict=True)
    ]
    floor = sum(
        _worth(inst, k, {_key(r): tuple(r)}, units, weight, by_detour)[0]
        for k, r in zip(cars, warm, strict=True)
    )
    if len(cars) == 1:
        at = int(np.argmax(worth[0])) if len(worth[0]) else -1
        if at < 0 or worth[0][at] <= floor:
            return None, True
        return [list(list(columns[0].values())[at])], True
    if not packing_available():
        return None, False
    size = sum(len(c) for c in columns)
    need = (PACK_MIN_S + 2 * BUILD_S_PER_COLUMN * size) * slowdown
    if time.perf_counter() + need >= stop_at:
        return None, False
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    choose: list[list[tuple[cp_model.IntVar, tuple[int, ...]]]] = []
    covers: dict[int, list[cp_model.IntVar]] = {}
    terms = []
    for car_columns_, route, car_worth in zip(columns, warm, worth, strict=True):
        current = _key(route)
        options = []
        for (column, order), w in zip(car_columns_.items(), car_worth.tolist(), strict=True):
            x = model.new_bool_var("")
            options.append((x, order))
            terms.append(w * x)
            for h in column:
                covers.setdefault(h, []).append(x)
            model.add_hint(x, column == current)
        if len(options) > 1:
            model.add_at_most_one(x for x, _ in options)
        choose.append(options)
        if time.perf_counter() > stop_at:
            return None, False
    for xs in covers.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    model.maximize(sum(terms))
    left = stop_at - time.perf_counter()
    if left <= 0.002 * slowdown:
        return None, False
    solver = cp_model.CpSolver()
    # CP-SAT's own start and its answer take a few ms more on a busy machine
    solver.parameters.max_time_in_seconds = left * 0.8
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    proven = status == cp_model.OPTIMAL
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value <= floor:
        return None, proven
    routes = [
        next((list(order) for x, order in options if solver.value(x)), []) for options in choose
    ]
    if any(inst.timeline(k, r) is None for k, r in zip(cars, routes, strict=True)):
        return None, False  # never expected: every column was listed feasible
    return routes, proven


def _key(route: Sequence[int]) -> Column:
    return tuple(sorted(route))


def _worth(
    inst: Instance,
    car: int,
    columns: dict[Column, tuple[int, ...]],
    units: NDArray[np.int64],
    weight: int,
    by_detour: bool,
) -> NDArray[np.int64]:
    """Per column (in order): its value units times ``weight``, less its detour in seconds
    if ``by_detour``. The empty route is worth 0."""
    worth = np.array([int(units[list(c)].sum()) for c in columns], dtype=np.int64) * weight
    if not by_detour or not columns:
        return worth
    direct = int(inst.travel[inst.start[car], inst.end[car]])
    detour = _back_times(inst, car, list(columns.values())) - int(inst.available[car]) - direct
    return np.where(worth > 0, worth - np.maximum(detour, 0), 0)


def _back_times(inst: Instance, car: int, orders: list[tuple[int, ...]]) -> NDArray[np.int64]:
    """When ``car`` is home after each of ``orders`` (feasible ones), as arrays a stop count
    at a time."""
    back = np.zeros(len(orders), dtype=np.int64)
    lengths = np.array([len(o) for o in orders])
    for n in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == n)
        if n == 0:
            back[rows] = inst.available[car] + inst.travel[inst.start[car], inst.end[car]]
            continue
        stops = np.array([orders[i] for i in rows.tolist()], dtype=np.int64)
        clock = np.full(len(rows), int(inst.available[car]), dtype=np.int64)
        here = np.full(len(rows), int(inst.start[car]), dtype=np.int64)
        for j in range(n):
            nodes = inst.node[stops[:, j]]
            begin = inst.earliest(stops[:, j], clock + inst.travel[here, nodes])
            clock, here = begin + inst.service[stops[:, j]], nodes
        back[rows] = clock + inst.travel[here, inst.end[car]]
    return back


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
