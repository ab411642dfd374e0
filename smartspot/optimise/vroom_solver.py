"""VROOM (via pyvroom, a dev dependency) as an outside anchor for the benchmark.

VROOM maximises the sum of job priorities (whole numbers 0–100) before it minimises driving, so
values are scaled to priorities; that rounding makes it approximate when values differ by less
than 1 % of the largest. Only hotspots some car can reach are passed (the ellipse prefilter).
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import vroom

from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.solver import check_time_limit


class VroomSolver:
    """VROOM at an exploration level (default 5), with both cores."""

    name = "vroom"

    def __init__(self, level: int = 5) -> None:
        self.level = level

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        check_time_limit(time_limit_s)
        began = time.perf_counter()
        inst = Instance.of(problem)
        reach = inst.reach_lists()
        fallback = construct(inst, reach)
        hotspots = np.unique(np.concatenate([*reach, np.empty(0, dtype=np.int64)])).astype(int)
        if len(hotspots) == 0:
            return inst.solution(fallback, self.name, wall_s=time.perf_counter() - began)
        nodes = np.unique(np.concatenate([inst.start, inst.end, inst.node[hotspots]]))
        local = {int(n): i for i, n in enumerate(nodes.tolist())}
        matrix = np.minimum(inst.travel[np.ix_(nodes, nodes)], 2**31).astype(np.uint32)
        job_input = vroom.Input()
        job_input.set_durations_matrix(profile="car", matrix_input=matrix)
        for k in range(inst.n_cars):
            job_input.add_vehicle(
                vroom.Vehicle(
                    k,
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
        left = time_limit_s - (time.perf_counter() - began) - 0.02
        solution = job_input.solve(
            exploration_level=self.level,
            nb_threads=2,
            timeout=timedelta(seconds=max(left, 0.001)),
        )
        routes: Routes = [[] for _ in range(inst.n_cars)]
        frame = solution.routes
        for vehicle, kind, job in zip(frame["vehicle_id"], frame["type"], frame["id"], strict=True):
            if kind == "job":
                routes[int(vehicle)].append(int(job))
        if inst.route_value(routes) < inst.route_value(fallback):
            routes = fallback
        valid = all(inst.timeline(k, r) is not None for k, r in enumerate(routes))
        return inst.solution(
            routes if valid else fallback, self.name, wall_s=time.perf_counter() - began
        )
