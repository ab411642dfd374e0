"""VROOM (via pyvroom) as a construction for long routes and as an outside anchor.

VROOM maximises the sum of job priorities (whole numbers 0–100) before it minimises driving, so
values are scaled to priorities; that rounding makes it approximate when values differ by less
than 1 % of the largest, which is why ``auto`` only starts PyVRP from its plan (PyVRP then
works with the exact values). Only hotspots some car can reach are passed (the ellipse
prefilter). VROOM does not stop during its set-up, which grows steeply with the jobs (3.4 s
over the limit at 3,000 hotspots), so ``auto`` calls it for parts of at most a few hundred.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import vroom
from numpy.typing import NDArray

from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.pace import collector_paused
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.solver import check_time_limit


def vroom_routes(
    inst: Instance,
    cars: Sequence[int],
    hotspots: NDArray[np.int64],
    seconds: float,
    *,
    level: int = 5,
    threads: int = 2,
) -> Routes | None:
    """VROOM's routes per car of ``cars`` over ``hotspots`` within about ``seconds``, or None
    when a route it returns breaks a window or a deadline here."""
    nodes = np.unique(np.concatenate([inst.start[cars], inst.end[cars], inst.node[hotspots]]))
    local = {int(n): i for i, n in enumerate(nodes.tolist())}
    matrix = np.minimum(inst.travel[np.ix_(nodes, nodes)], 2**31).astype(np.uint32)
    job_input = vroom.Input()
    job_input.set_durations_matrix(profile="car", matrix_input=matrix)
    for v, k in enumerate(cars):
        job_input.add_vehicle(
            vroom.Vehicle(
                v,
                start=local[int(inst.start[k])],
                end=local[int(inst.end[k])],
                time_window=vroom.TimeWindow(int(inst.available[k]), int(inst.deadline[k])),
            )
        )
    top = float(inst.value[hotspots].max()) or 1.0
    for h in hotspots.tolist():
        windows = [
            vroom.TimeWindow(int(lo), int(min(hi, 2**31)))
            for lo, hi in zip(inst.opens[h], inst.closes[h], strict=True)
            if hi >= 0
        ]
        job_input.add_job(
            vroom.Job(
                h,
                location=local[int(inst.node[h])],
                default_service=int(inst.service[h]),
                priority=round(100 * float(inst.value[h]) / top),
                time_windows=windows,
            )
        )
    solution = job_input.solve(
        exploration_level=level,
        nb_threads=threads,
        timeout=timedelta(seconds=max(seconds, 0.001)),
    )
    routes: Routes = [[] for _ in cars]
    raw = solution._routes_numpy()  # the frame in ``solution.routes`` costs pandas' import
    for vehicle, kind, job in zip(raw["vehicle_id"], raw["type"], raw["id"], strict=True):
        if kind in (b"job", "job"):
            routes[int(vehicle)].append(int(job))
    if any(inst.timeline(k, r) is None for k, r in zip(cars, routes, strict=True)):
        return None
    return routes


class VroomSolver:
    """VROOM at an exploration level (default 5), with both cores."""

    name = "vroom"

    def __init__(self, level: int = 5) -> None:
        self.level = level

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        check_time_limit(time_limit_s)
        with collector_paused():
            return self._solve(problem, time_limit_s)

    def _solve(self, problem: Problem, time_limit_s: float) -> Solution:
        began = time.perf_counter()
        inst = Instance.of(problem)
        reach = inst.reach_lists()
        fallback = construct(inst, reach)
        hotspots = np.unique(np.concatenate([*reach, np.empty(0, dtype=np.int64)])).astype(int)
        if len(hotspots) == 0:
            return inst.solution(fallback, self.name, wall_s=time.perf_counter() - began)
        left = time_limit_s - (time.perf_counter() - began) - 0.02
        cars = list(range(inst.n_cars))
        found = vroom_routes(inst, cars, hotspots, left, level=self.level)
        routes = found if found is not None else fallback
        if inst.route_value(routes) < inst.route_value(fallback):
            routes = fallback
        return inst.solution(routes, self.name, wall_s=time.perf_counter() - began)
