"""When a search on short routes has settled: the early stop of PyVRP's search on the
districts' and the live clears' parts (1-4 stops a car).

A live clear's part is searched only where the proofs of ``proofs`` are not begun, which is
when its solve measured a high slowdown (a worker's planning thread waiting for the
interpreter behind AVL batches, ``pace``); the search then ran to the policy's deadline
(80 ms) and never bettered its warm start, the packing's plan: the 90 problems of 80 national
clears dumped in process (``benchmarks.national_profile --parts --dump``) replayed with a
slowdown of 4 and 8 (43 searches of 70-360 iterations) and, proofs off, searched 0.5 s each
(12 searches of 1,600-2,300 iterations): not one better plan after the first iteration
(benchmarks/RESULTS.md, PostGIS session 6). Long routes (TOPTW) keep searching to the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

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
