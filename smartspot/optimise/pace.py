"""How much CPU a solve gets, and keeping the collector's pauses out of it.

Both serve the promise that an answer comes within its time limit + 50 ms on a machine whose
cores are shared (benchmarks/RESULTS.md, deadlines under load):

* ``Pace`` measures the slowdown, the wall time one second of this thread's CPU takes. A step
  that cannot be interrupted (a model build, one local-search iteration) takes its CPU time
  times the slowdown, 5-20 with two busy processes beside the other work on the 2-core machine.
* ``collector_paused`` keeps Python's cyclic garbage collector from running during a solve: a
  full collection took 33 ms of CPU (0.1-0.5 s of wall time under load) in the middle of a
  50 ms solve. The solvers make no reference cycles worth collecting; what others make
  meanwhile is collected after the last solve has handed back its answer: the collections a
  solve postponed start at the caller's next allocation, not on the way out of the solve (a
  full pass behind a 1 s solve beside two busy processes took 103 ms of wall time and made the
  answer 87 ms late, ``benchmarks/deadline_load.py``, 2026-12-02).
"""

from __future__ import annotations

import gc
import threading
import time
from types import TracebackType

MAX_SLOWDOWN = 20.0
# below this much CPU time the measurement says nothing (the slowdown is taken as 1)
MIN_MEASURED_CPU_S = 0.002


class Pace:
    """Wall seconds per second of this thread's CPU time since it was made.

    Thread time, not process time, so that other threads of a service (and a backend's own
    worker threads) do not count.
    """

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.thread_time()

    def slowdown(self) -> float:
        """The slowdown so far, between 1 and ``MAX_SLOWDOWN``."""
        cpu = time.thread_time() - self.cpu
        if cpu < MIN_MEASURED_CPU_S:
            return 1.0
        return min(MAX_SLOWDOWN, max(1.0, (time.perf_counter() - self.wall) / cpu))


class _Pauses:
    """How many solves are running, so that concurrent solves (threads of a service) turn
    the collector back on only when the last one ends, and only if it was on before."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.was_enabled = False


_PAUSES = _Pauses()


class collector_paused:  # lower case: used like the function it replaced
    """No cyclic garbage collection inside the block (reference counting still frees).

    A class, not a generator: leaving a generator-based context manager raises and allocates a
    ``StopIteration``, and that allocation, the first after ``gc.enable()``, started the
    postponed collection inside the solve. Here turning the collector back on is the last
    thing the block's exit does.
    """

    def __enter__(self) -> None:
        with _PAUSES.lock:
            if _PAUSES.running == 0:
                _PAUSES.was_enabled = gc.isenabled()
                gc.disable()
            _PAUSES.running += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with _PAUSES.lock:  # releasing a lock allocates nothing the collector tracks
            _PAUSES.running -= 1
            if _PAUSES.running == 0 and _PAUSES.was_enabled:
                gc.enable()


class CollectorHold:
    """A :class:`collector_paused` held past a block, until :meth:`release` (once; later calls
    do nothing): a web route keeps the collector paused from the clear's planning until its
    answer has been sent, so the young collection the planning postponed runs after the
    answer, on what survived it, not inside the route's own work (issue 10 §7, session 9)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pause: collector_paused | None = collector_paused()
        self._pause.__enter__()

    def release(self) -> None:
        with self._lock:
            pause, self._pause = self._pause, None
        if pause is not None:
            pause.__exit__(None, None, None)
