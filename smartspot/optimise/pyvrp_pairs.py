"""Long routes of three cars or more: a large neighbourhood search over pairs of cars.

The other cars' routes are held, and the pair's two routes are searched again among the
hotspots those routes leave (a PyVRP search of a part of two cars, a short slice of time each);
a pair's new routes are kept when they collect more. A search of two cars among the hotspots
left makes several times the iterations of one over every car and hotspot, and on pr10 with 4
cars (288 clients) 1 s of the whole search then 1 s of pairs in slices of 0.12 s gave 1,908 on
average over 5 seeds where 2 s of the whole search gave 1,875 (benchmarks/RESULTS.md, issue 15
sixth session). Only where no second search runs on the other core (``pyvrp_solver``): beside
one, the pairs did not pay.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import numpy as np

from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.pace import Pace
from smartspot.optimise.solver import Part

# search(instance, part of two cars, stop_at, seed) -> the part's routes, or None
PairSearch = Callable[[Instance, Part, float, int], Routes | None]


def pair_order(cars: int) -> list[tuple[int, int]]:
    """Every pair of ``cars`` positions, disjoint pairs next to each other (0-1, 2-3, 0-2,
    1-3, 0-3, 1-2 for four)."""
    pairs = list(itertools.combinations(range(cars), 2))
    ordered: list[tuple[int, int]] = []
    while pairs:
        first = pairs.pop(0)
        ordered.append(first)
        other = next((p for p in pairs if not set(p) & set(first)), None)
        if other is not None:
            pairs.remove(other)
            ordered.append(other)
    return ordered


def improve_pairs(
    inst: Instance,
    part: Part,
    routes: Routes,
    stop_at: float,
    seed: int,
    search: PairSearch,
    slice_s: float,
) -> Routes:
    """``routes`` (per car of ``part``) improved pair by pair of cars until ``stop_at`` (a
    ``perf_counter`` moment), each pair's search given ``slice_s`` seconds or what is left.

    A pair's set-up cannot be interrupted, and ``search`` estimates it times the slowdown it
    is told: the slowdown of the pair before, where that was higher than the solve's own,
    measured at its start (the load may have risen since: one answer came 115 ms late at
    load 9.6 with the solve's slowdown only)."""
    best = [list(r) for r in routes]
    order = pair_order(len(part.cars))
    slowdown = part.slowdown
    for step in itertools.count():
        if stop_at - time.perf_counter() < slice_s / 2:
            break
        pair = order[step % len(order)]
        held = np.zeros(inst.n_hotspots, dtype=bool)
        for i, route in enumerate(best):
            if i not in pair:
                held[route] = True
        hotspots = part.hotspots[~held[part.hotspots]]
        reach = [part.reach[i][~held[part.reach[i]]] for i in pair]
        warm = [best[i] for i in pair]
        sub = Part([part.cars[i] for i in pair], hotspots, reach, warm, slowdown)
        until = min(stop_at, time.perf_counter() + slice_s)
        pace = Pace()
        found = search(inst, sub, until, seed + step + 1)
        slowdown = max(part.slowdown, pace.slowdown())
        if found is not None and inst.route_value(found) > inst.route_value(warm):
            for i, route in zip(pair, found, strict=True):
                best[i] = list(route)
    return best
