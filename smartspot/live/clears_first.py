"""Clears before AVL batches inside one process (issue 10 §7, session 8).

A worker's threads share one interpreter lock: while a clear plans (tens of ms of Python), each
AVL batch running beside it in the same worker takes the interpreter in turns with it (every
0.5 ms, ``api.app.hand_over_quickly``), and a clear beside several batches took up to three
times its own CPU. A proposal has a latency target, a batch of positions does not (its fixes
are stored in order either way), so a batch that arrives while a clear of the same process is
planning waits until the clear is done, at most ``limit_s``, before it starts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: The longest an AVL batch waits for this process's clears (then it runs beside them).
BATCH_WAIT_S = 0.25


class ClearsFirst:
    """Counts this process's clears in progress; batches wait for none to be left."""

    def __init__(self) -> None:
        self._done = threading.Condition()
        self._clearing = 0

    @contextmanager
    def clearing(self) -> Iterator[None]:
        """A clear in progress (any thread)."""
        with self._done:
            self._clearing += 1
        try:
            yield
        finally:
            with self._done:
                self._clearing -= 1
                if self._clearing == 0:
                    self._done.notify_all()

    def wait(self, limit_s: float | None = None) -> bool:
        """Wait until no clear is in progress, at most ``limit_s`` (default
        :data:`BATCH_WAIT_S`); True when none is."""
        with self._done:
            limit = BATCH_WAIT_S if limit_s is None else limit_s
            return self._done.wait_for(lambda: self._clearing == 0, timeout=limit)
