"""Clears before AVL batches inside one process (issue 10 §7, session 8).

A worker's threads share one interpreter lock: while a clear plans (tens of ms of Python), each
AVL batch running beside it in the same worker takes the interpreter in turns with it (every
0.5 ms, ``api.app.hand_over_quickly``), and a clear beside several batches took up to three
times its own CPU. A proposal has a latency target, a batch of positions does not (its fixes
are stored in order either way), so a batch that arrives while a clear of the same process is
planning waits until the clear is done, at most ``limit_s``, before it starts.

Across processes (PostgreSQL, several workers; session 9) the store's :class:`ClearGate` does
the same: a clear holds it, and a batch waits for the clears of every worker, the whole wait
still at most ``limit_s`` (this process's clears first: no round trip for them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from smartspot.store.port import ClearGate, OneProcess

#: The longest an AVL batch waits for this process's clears (then it runs beside them).
BATCH_WAIT_S = 0.25


class ClearsFirst:
    """Counts this process's clears in progress; batches wait for none to be left."""

    def __init__(self, gate: ClearGate | None = None) -> None:
        self._done = threading.Condition()
        self._clearing = 0
        self._gate = gate or OneProcess()

    @contextmanager
    def clearing(self) -> Iterator[None]:
        """A clear in progress (any thread)."""
        with self._done:
            self._clearing += 1
        try:
            with self._gate.clearing():
                yield
        finally:
            with self._done:
                self._clearing -= 1
                if self._clearing == 0:
                    self._done.notify_all()

    def wait(self, limit_s: float | None = None) -> bool:
        """Wait until no clear of this process, then none of any process (the store's gate),
        is in progress, at most ``limit_s`` in all (default :data:`BATCH_WAIT_S`); True when
        none is."""
        limit = BATCH_WAIT_S if limit_s is None else limit_s
        start = time.monotonic()
        with self._done:
            if not self._done.wait_for(lambda: self._clearing == 0, timeout=limit):
                return False
        return self._gate.wait(limit - (time.monotonic() - start))
