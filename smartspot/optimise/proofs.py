"""Groups proven optimal: every route their cars can drive listed, then packed to CP-SAT's
proven optimum (one car: its best route). A group so proven needs no search.

Tried on groups few enough (``PROOF_HOTSPOTS``, ``PROOF_LAYER``, ``PROOF_COLUMNS``) and only
where CP-SAT would prove the packing in the time left (``PROOF_S_PER_COLUMN``); the listing
and the packing are those of ``columns``.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray

from smartspot.optimise.columns import Column, listed_routes, solve_packing
from smartspot.optimise.instance import Instance, Routes

# A group is proven optimal by listing every route of its cars (``prove_groups``) only if
# its cars reach at most this many hotspots together, no layer of a car's partial routes
# holds more than PROOF_LAYER orders (a layer's arrays are that times the candidates; a car
# among 102 hotspots listed its 6,906 routes in 20 ms) and they list at most PROOF_COLUMNS.
PROOF_HOTSPOTS = 120
PROOF_LAYER = 10_000
PROOF_COLUMNS = 3_000
# CPU seconds a column CP-SAT takes to prove a packing (25-80 us measured, 555-2,661 columns),
# times the slowdown: a proof that would not fit the time left is not begun. At 20 x 1000 with
# a 0.1 s limit, proofs of 1,000-1,800 columns begun with 13-18 ms left found nothing and cost
# the search 0.5-2 % of value.
PROOF_S_PER_COLUMN = 4e-5


def every_route_of_car(
    inst: Instance, car: int, candidates: NDArray[np.int64], stop_at: float = float("inf")
) -> dict[Column, tuple[int, ...]] | None:
    """``routes_of_car`` without a stop limit: every route ``car`` can drive among
    ``candidates``, or None when a layer grew beyond ``PROOF_LAYER``, the routes beyond
    ``PROOF_COLUMNS`` or the time beyond ``stop_at`` (a ``perf_counter`` moment; then the
    list would not be complete)."""
    cand = np.asarray(candidates, dtype=np.int64)
    most = max(1, len(cand))
    listed, complete = listed_routes(inst, car, cand, most, PROOF_LAYER, stop_at, PROOF_COLUMNS)
    return listed if complete and len(listed) <= PROOF_COLUMNS else None


def prove_groups(
    inst: Instance,
    groups: list[list[int]],
    reach: list[NDArray[np.int64]],
    routes: Routes,
    stop_at: float,
    slowdown: float = 1.0,
) -> list[bool]:
    """Per group, whether its routes are now proven the best: every route of each of its
    cars among its whole reach list (``every_route_of_car``) packed to CP-SAT's proven
    optimum (one car: its best route), the routes set in place. Tried on groups whose cars
    reach at most ``PROOF_HOTSPOTS`` hotspots together and list at most ``PROOF_COLUMNS``
    routes, before ``stop_at`` (a ``perf_counter`` moment). Such a group needs no search."""
    proven = [False] * len(groups)
    for g, cars in enumerate(groups):
        if time.perf_counter() >= stop_at:
            break
        if len(np.unique(np.concatenate([reach[k] for k in cars]))) > PROOF_HOTSPOTS:
            continue
        listed = []
        for k in cars:
            found = every_route_of_car(inst, k, reach[k], stop_at)
            if found is None:
                break
            if routes[k]:
                found.setdefault(tuple(sorted(routes[k])), tuple(routes[k]))
            listed.append(found)
        size = sum(len(c) for c in listed)
        if len(listed) < len(cars) or size > PROOF_COLUMNS:
            continue
        if len(cars) > 1 and time.perf_counter() + PROOF_S_PER_COLUMN * size * slowdown > stop_at:
            continue  # CP-SAT would not prove it in the time left: the search gets that time
        warm = [routes[k] for k in cars]
        better, proven[g] = solve_packing(
            inst, cars, listed, warm, stop_at, slowdown, by_detour=True
        )
        if better is not None:
            for k, route in zip(cars, better, strict=True):
                routes[k] = route
    return proven
