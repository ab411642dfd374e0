"""When PyVRP's search stops: before an iteration that would end past the deadline
(``Before``), and, on short routes, once it has settled: the early stop of the search on the
districts' and the live clears' parts (1-4 stops a car).

A live clear's part is searched only where the proofs of ``proofs`` are not begun, which is
when its solve measured a high slowdown (a worker's planning thread waiting for the
interpreter behind AVL batches, ``pace``); the search then ran to the policy's deadline
(80 ms) and never bettered its warm start, the packing's plan: the 90 problems of 80 national
clears dumped in process (``benchmarks.national_profile --parts --dump``), replayed with a
slowdown of 4 and, the proofs off, of 1 (43 searches of 70-360 iterations), and searched 0.5 s
each with the proofs off (12 searches of 1,600-2,300 iterations): not one better plan after the
first iteration
(benchmarks/RESULTS.md, PostGIS session 6). Long routes (TOPTW) keep searching to the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Before:
    """PyVRP stopping criterion: stop when one more iteration, as long as the longest so far,
    would end after ``stop_at`` (a ``perf_counter`` moment).

    An iteration (a perturbation, a local search and, on a new best, an exhaustive one)
    cannot be interrupted; it takes up to 3-8 ms of CPU at 300 clients with long routes, and
    five to eight times that in wall time when the cores are shared. Measuring the
    iterations keeps the deadline whatever the load, where a fixed margin would be too small
    under load or wasteful without. Before the first iteration nothing is measured yet, so
    it is taken to last ``first_s`` (the wall time of the search's own set-up, which grows
    with the clients and the load alike): under a slowdown of 10-20 a first iteration begun
    with too little time left answered 0.5 s late at 40 × 3000 with a 0.1 s limit."""

    def __init__(self, stop_at: float, first_s: float = 0.0) -> None:
        self.stop_at = stop_at
        self.last: float | None = None
        self.longest = first_s  # a guess until the first iteration is measured
        self.guessed = True

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if self.last is not None:
            took = now - self.last
            self.longest = took if self.guessed else max(self.longest, took)
            self.guessed = False
        self.last = now
        return now + self.longest >= self.stop_at


# A search on short routes stops once it has found no better plan for this many iterations,
# or for this many a client where that is more.
SHORT_SETTLED_MIN = 50
SHORT_SETTLED_PER_CLIENT = 1.0


class Counting(Protocol):
    """The search's callbacks: iterations since the best plan last changed."""

    since_better: int


class Settled:
    """PyVRP stopping criterion: ``before``'s (the deadline), or once ``most`` has not found
    a better plan for ``iterations`` iterations."""

    def __init__(self, before: Callable[[float], bool], most: Counting, iterations: int) -> None:
        self.before = before
        self.most = most
        self.iterations = iterations

    def __call__(self, best_cost: float) -> bool:
        late = self.before(best_cost)  # first: it measures every iteration
        return late or self.most.since_better >= self.iterations


def settled_after(clients: int) -> int:
    """Iterations without a better plan after which a search on short routes stops."""
    return max(SHORT_SETTLED_MIN, round(SHORT_SETTLED_PER_CLIENT * clients))
