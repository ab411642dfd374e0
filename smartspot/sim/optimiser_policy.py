"""The ``greedy`` and ``optimiser`` policies: the optimiser package's own problem builder, rules,
value model and solvers, exactly as the API calls them, fed from the simulation's state.

- ``greedy`` solves with the optimiser's greedy baseline (a dispatcher's rule of thumb: the best
  value per added minute while it fits);
- ``optimiser`` solves with the optimiser's default solver, with the scenario's time limit.

Both see the same problem: the freed car's position and home, its detour budget, every open
hotspot not claimed by another car, the visit log, the urgent queue and (when on) the coverage
guard over the other available cars.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
from shapely.geometry import Point

from smartspot.optimise.build import FreeCar, PlanningContext, build_problem
from smartspot.optimise.rules import CoverageGuard
from smartspot.optimise.solvers import DEFAULT_SOLVER, get_solver
from smartspot.optimise.value import ValueSettings
from smartspot.sim.policies import Proposal, Stop

if TYPE_CHECKING:
    from smartspot.sim.dispatch import Car, Model

WEEK_S = 7 * 86400.0
AVAILABLE = ("idle", "returning")


class OptimiserPolicy:
    """Proposals from the optimiser package (see the module docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.solver = get_solver("greedy" if name == "greedy" else DEFAULT_SOLVER)
        self._prepared_for: int | None = None
        self._round_trip: dict[str, float] = {}
        self._index: dict[str, int] = {}
        self._guard: CoverageGuard | None = None
        self._settings = ValueSettings()
        self.solves = 0

    def _prepare(self, model: Model) -> None:
        """Once per run: station round trips, hotspot indices, the coverage guard."""
        district = model.district
        xy = district.hotspot_xy
        there = model.travel.matrix(district.station_xy, xy)
        back = model.travel.matrix(xy, district.station_xy).T
        both = np.where(np.isnan(there + back), np.inf, there + back).min(axis=0)
        self._round_trip = {
            h.id: (math.nan if math.isinf(t) else float(t))
            for h, t in zip(district.hotspots, both, strict=True)
        }
        self._index = {h.id: i for i, h in enumerate(district.hotspots)}
        smartspot = model.scenario.smartspot
        self._settings = ValueSettings(cooldown_min=smartspot.cooldown_min, jitter=smartspot.jitter)
        self._guard = None
        if smartspot.coverage_guard_min is not None:
            names, points = district.kommune_points()
            self._guard = CoverageGuard(smartspot.coverage_guard_min, names, points)
        self._prepared_for = id(model)

    def propose(self, model: Model, car: Car) -> Proposal | None:
        if self._prepared_for != id(model):
            self._prepare(model)
        scenario = model.scenario
        now = model.moment()
        others = [c for c in model.cars if c is not car and c.state in AVAILABLE and not c.leaving]
        world = PlanningContext(
            urgent_waiting=frozenset({scenario.politikreds}) if model.urgent_queue else frozenset(),
            claimed=frozenset(model.district.hotspots[i].id for i in model.claimed),
            coverage=self._guard,
            other_available=np.array(
                [c.leg_to if c.state == "returning" else c.pos for c in others]
            ).reshape(-1, 2),
        )
        since = now - timedelta(seconds=WEEK_S)
        visits = [v for v in model.visit_log if v.arrived_at >= since]
        free = FreeCar(
            call_sign=car.id,
            position=Point(car.pos),
            home=Point(car.home),
            free_at=now,
            budget_s=int(scenario.smartspot.detour_budget_min * 60),
            politikreds=scenario.politikreds,
        )
        built = build_problem(
            [free],
            model.district.hotspots,
            model.travel,  # type: ignore[arg-type]
            now,
            stations=model.district.station_xy,
            visits=visits,
            settings=self._settings,
            rng=model.rng,
            context=world,
            station_round_trip_s=self._round_trip,
        )
        problem = built.problem
        if problem is None or not problem.hotspots:
            return None
        self.solves += 1
        seed = int(model.rng.integers(0, 2**31 - 1))
        solution = self.solver.solve(
            problem, time_limit_s=scenario.smartspot.time_limit_ms / 1000.0, seed=seed
        )
        values = {task.id: task.value for task in problem.hotspots}
        stops = tuple(
            Stop(self._index[stop.hotspot], model.env.now + stop.start_s, values[stop.hotspot])
            for plan in solution.plans
            if plan.car == car.id
            for stop in plan.stops
        )
        if not stops:
            return None
        return Proposal(stops, sum(s.value for s in stops))
