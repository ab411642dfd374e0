"""String removals (SISR, Christiaens & Vanden Berghe 2020) as a perturbation of PyVRP's
iterated local search on long routes of several cars.

PyVRP's own perturbation removes or inserts a few random clients near one another; every
``every``-th call of ``StringSearch`` instead ruins strings of 1 to ``max_string``
consecutive visits from the 1 to ``max_routes`` routes nearest a random visited client (each
string holds that route's visit nearest the seed), rebuilds the solution and lets PyVRP's
compiled search recreate and improve it over all clients (``exhaustive``: it marks every
client promising, so the removed ones are reinserted where they pay, and unvisited clients
near the seed too). The other calls are PyVRP's.
"""

from __future__ import annotations

import random

import numpy as np
import pyvrp
from pyvrp.search import LocalSearch, PerturbationManager

STRING_EVERY = 4
MAX_STRING = 6
MAX_ROUTES = 3


class StringSearch(LocalSearch):
    """PyVRP's local search, with a string removal before every ``every``-th search."""

    def __init__(
        self,
        data: pyvrp.ProblemData,
        rng: pyvrp.RandomNumberGenerator,
        neighbours: dict[pyvrp.Activity, list[pyvrp.Activity]],
        perturbation: PerturbationManager,
        seed: int,
        every: int | None = None,
    ) -> None:
        super().__init__(data, rng, neighbours, perturbation)
        self.data = data
        # the module's settings when the search is made (not when this module was read)
        self.every = STRING_EVERY if every is None else every
        self.max_string = MAX_STRING
        self.max_routes = MAX_ROUTES
        self.random = random.Random(seed)
        self.calls = 0
        self.ruins = 0
        locations = np.array([c.location for c in data.clients()], dtype=np.int64)
        self.distance = data.distance_matrix(0)[np.ix_(locations, locations)]

    def __call__(
        self,
        solution: pyvrp.Solution,
        cost_evaluator: pyvrp.CostEvaluator,
        exhaustive: bool = False,
    ) -> pyvrp.Solution:
        if not exhaustive:
            self.calls += 1
            if self.every > 0 and self.calls % self.every == 0:
                ruined = self.ruin(solution)
                if ruined is not None:
                    self.ruins += 1
                    return super().__call__(ruined, cost_evaluator, exhaustive=True)
        return super().__call__(solution, cost_evaluator, exhaustive)

    def ruin(self, solution: pyvrp.Solution) -> pyvrp.Solution | None:
        """The solution without strings of visits near a random visited client, or None if it
        visits none."""
        routes = [
            (route.vehicle_type(), [a.idx for a in route if a.is_client()])
            for route in solution.routes()
        ]
        routes = [(v, visits) for v, visits in routes if visits]
        if not routes:
            return None
        pick = self.random
        _, visits = routes[pick.randrange(len(routes))]
        seed = visits[pick.randrange(len(visits))]
        near = self.distance[seed]
        # the routes by their visit nearest the seed
        order = sorted(range(len(routes)), key=lambda i: int(near[routes[i][1]].min()))
        count = pick.randint(1, min(self.max_routes, len(routes)))
        kept: list[pyvrp.Route] = []
        for rank, i in enumerate(order):
            vehicle, visits = routes[i]
            if rank < count:
                at = int(np.argmin(near[visits]))
                length = pick.randint(1, min(self.max_string, len(visits)))
                # a string of ``length`` visits holding the visit nearest the seed
                first = pick.randint(max(0, at - length + 1), min(at, len(visits) - length))
                visits = visits[:first] + visits[first + length :]
            if visits:
                activities = [pyvrp.Activity(pyvrp.ActivityType.CLIENT, c) for c in visits]
                kept.append(pyvrp.Route(self.data, activities, vehicle))
        return pyvrp.Solution(self.data, kept)
