"""PyVRP's search callbacks: keeping the plan with the most prize the search passes through
(and counting its iterations for the settled stop, ``pyvrp_stop``)."""

from __future__ import annotations

import pyvrp
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks

from smartspot.optimise.pyvrp_pool import Pooling


class MostPrize(IteratedLocalSearchCallbacks):
    """PyVRP callbacks keeping the feasible solution with the most prize the search passes
    through, the cheapest among equals. PyVRP's own best is the cheapest by its objective,
    and with the duration cost of long routes the driving and waiting of several cars can
    outweigh one value unit's prize: value must come first."""

    def __init__(self, start: pyvrp.Solution, pooling: Pooling | None = None) -> None:
        self.best = start
        self.key = (-1, 0)
        self.pooling = pooling
        self.iterations = 0  # of the search
        self.since_better = 0  # iterations since the best last changed
        self.offer(start)

    def offer(self, solution: pyvrp.Solution) -> None:
        if solution.prizes() < self.key[0] or not solution.is_feasible():
            return
        key = (solution.prizes(), -solution.distance_cost() - solution.duration_cost())
        if key > self.key:
            self.best, self.key = solution, key
            self.since_better = 0

    def on_iteration(
        self,
        current: pyvrp.Solution,
        candidate: pyvrp.Solution,
        best: pyvrp.Solution,
        cost_evaluator: pyvrp.CostEvaluator,
    ) -> None:
        self.iterations += 1
        self.since_better += 1
        self.offer(candidate)
        if self.pooling is not None:
            self.pooling.take(candidate)

    def on_best(self, best: pyvrp.Solution) -> None:
        self.offer(best)
