"""The ``Solver`` port and the shared driver every improving solver runs in.

The driver does what measurements on this problem shape showed matters most (see
``benchmarks/RESULTS.md``): the ellipse prefilter (per-car reach lists), a strong greedy
construction, per-component decomposition (cars whose ellipses do not overlap never compete, so
each group is solved on its own with its share of the time), a warm start of the backend from
the construction, and never returning less than the construction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance, Routes, components
from smartspot.optimise.problem import Problem, Solution

# Returning the answer (building Plan objects) takes a few ms; backends stop this much early.
RETURN_MARGIN_S = 0.01


class Solver(Protocol):
    """Anything that turns a problem into plans within a hard deadline."""

    name: str

    def solve(self, problem: Problem, *, time_limit_s: float, seed: int = 0) -> Solution:
        """Plans for ``problem`` within ``time_limit_s`` seconds of wall time (+50 ms at most).

        Raises
        ------
        InvalidInputError
            When ``time_limit_s`` is not positive.
        """
        ...


@dataclass(frozen=True)
class Part:
    """One group of cars and the hotspots only they can reach, with a warm start."""

    cars: list[int]
    hotspots: NDArray[np.int64]
    reach: list[NDArray[np.int64]]  # per car of the part, global hotspot indices
    warm: Routes  # per car of the part


# improve(instance, part, seconds available, seed) -> routes per car of the part, or None
Improver = Callable[[Instance, Part, float, int], Routes | None]


def check_time_limit(time_limit_s: float) -> None:
    if not time_limit_s > 0:
        raise InvalidInputError(
            f"time limit is {time_limit_s} s; it must be more than 0", field="time_limit"
        )


def decomposed_solve(
    problem: Problem,
    *,
    name: str,
    improve: Improver,
    time_limit_s: float,
    seed: int,
    small: Improver | None = None,
    small_size: int = 0,
) -> Solution:
    """Construct greedily, then let ``improve`` (or ``small`` for parts whose cars together reach
    at most ``small_size`` hotspots) better each part within the shared deadline."""
    check_time_limit(time_limit_s)
    began = time.perf_counter()
    deadline = began + time_limit_s - RETURN_MARGIN_S
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    routes = construct(inst, reach)
    start_value = inst.route_value(routes)
    groups = components(inst, reach)
    parts = []
    for cars in groups:
        hotspots = np.unique(np.concatenate([reach[k] for k in cars])) if cars else np.empty(0)
        if len(hotspots) == 0:
            continue
        warm = [routes[k] for k in cars]
        parts.append(Part(cars, hotspots.astype(np.int64), [reach[k] for k in cars], warm))
    work = sum(len(p.hotspots) for p in parts)
    improved = 0
    for part in parts:
        left = deadline - time.perf_counter()
        if left <= 0.002:
            break
        share = left * len(part.hotspots) / max(work, 1)
        work -= len(part.hotspots)
        use_small = small is not None and len(part.hotspots) <= small_size
        better = (small if use_small and small else improve)(inst, part, share, seed)
        if better is None:
            continue
        if inst.route_value(better) > inst.route_value(part.warm) + 1e-9:
            for k, route in zip(part.cars, better, strict=True):
                routes[k] = route
            improved += 1
    return inst.solution(
        routes,
        name,
        wall_s=time.perf_counter() - began,
        parts=len(parts),
        improved_parts=improved,
        construction_value=start_value,
    )
