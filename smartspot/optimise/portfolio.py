"""A second search on the other core: the same work in a forked process, its answer by a
deadline or not at all.

PyVRP's local search holds the GIL, so a second search in a thread would only take turns with
the first; a forked child shares the built model (copy on write, no imports, no pickling of
the problem) and searches with another seed while the parent searches on. The child sends its
answer (a small picklable object) through a pipe and ends with ``os._exit`` (no clean-up of
the parent's objects runs in it). The parent takes the answer when it wants it, waiting no
later than its own deadline; a child that is late is killed and reaped, and its answer is
lost: the parent's own search is the answer then.

Used only where a search is long enough to pay for a fork (``pyvrp_solver``: long routes, at
least ``pyvrp_solver.PORTFOLIO_MIN_S`` of search) and the process may use two cores.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

# The least number of cores this process may run on for a second search to be worth it.
MIN_CORES = 2


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a second search can run beside this one (POSIX fork and two cores or more)."""
    return hasattr(os, "fork") and cores() >= MIN_CORES


class Child:
    """A forked search: ``answer(until)`` is its result, or None if it had none by then."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.done = False

    def answer(self, until: float) -> Any | None:
        """The child's result, waiting at most until ``until`` (a ``perf_counter`` moment);
        None when it failed or is not done by then (it is killed). Always reaps the child."""
        chunks: list[bytes] = []
        try:
            while True:
                left = until - time.perf_counter()
                if left <= 0:
                    return None
                ready, _, _ = select.select([self.fd], [], [], left)
                if not ready:
                    return None
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break  # the child closed its end: everything is here
                chunks.append(chunk)
            data = b"".join(chunks)
            return pickle.loads(data) if data else None
        finally:
            self.close()

    def close(self) -> None:
        """Kill the child if it still runs, reap it and close the pipe (idempotent)."""
        if self.done:
            return
        self.done = True
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(self.pid, os.WNOHANG)[0] == 0:
                # still tearing down (a few ms of the kernel's time, more under load): reaped
                # beside the solve, which does not wait for it
                threading.Thread(target=_reap, args=(self.pid,), daemon=True).start()


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def fork(work: Callable[[], Any]) -> Child | None:
    """Run ``work()`` in a forked child; None when no child could be made.

    In the child, ``work``'s result is pickled to the pipe and the child ends at once
    (``os._exit``: no ``atexit`` handler, finaliser or buffered output of the parent runs
    twice); an exception ends it without an answer."""
    if not can_fork():
        return None
    read, write = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process that has threads: the child here runs
            # only ``work`` (numpy and PyVRP, no lock another thread may hold) and exits
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # pragma: no cover - the child (its coverage is never written)
        code = 1
        try:
            os.close(read)
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(write, view) :]
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return Child(pid, read)
