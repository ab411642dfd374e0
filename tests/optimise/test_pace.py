from __future__ import annotations

import gc
import threading
import time

from smartspot.optimise.pace import MAX_SLOWDOWN, Pace, collector_paused
from smartspot.optimise.solvers import get_solver


def test_a_thread_that_waits_has_a_slowdown_and_one_that_works_has_none() -> None:
    pace = Pace()
    assert pace.slowdown() == 1.0  # too little CPU time yet to tell
    x = 0
    while time.thread_time() - pace.cpu < 0.01:
        x += 1
    working = pace.slowdown()
    time.sleep(3 * (time.perf_counter() - pace.wall))  # waits: wall time without CPU time
    assert 1.0 <= working <= MAX_SLOWDOWN
    assert pace.slowdown() >= min(MAX_SLOWDOWN, 3 * working)


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer solve is still running
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_concurrent_solves_turn_the_collector_on_only_when_the_last_one_ends() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other_solve() -> None:
        with collector_paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_solve)
    with collector_paused():
        thread.start()
        inside.wait(10)
    assert not gc.isenabled()  # the other thread's solve goes on
    leave.set()
    thread.join(10)
    assert gc.isenabled()


class _CollectionStarts:
    """When each collection of the cyclic collector started (gc.callbacks)."""

    def __init__(self) -> None:
        self.starts: list[float] = []

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.starts.append(time.perf_counter())

    def __enter__(self) -> _CollectionStarts:
        gc.collect()  # counts at zero: no collection is due when the block begins
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def test_the_postponed_collection_starts_after_the_block_not_on_the_way_out() -> None:
    kept: list[list[int]] = []
    with _CollectionStarts() as collections:
        with collector_paused():
            kept.extend([i] for i in range(5 * gc.get_threshold()[0]))  # a collection is due
        left = time.perf_counter()  # a float: the collector does not track it
        assert not [t for t in collections.starts if t <= left]
        more = [[i] for i in range(5 * gc.get_threshold()[0])]
        assert [t for t in collections.starts if t > left]  # it was postponed, not skipped
    assert len(kept) == len(more)


def test_a_solver_hands_back_its_answer_before_the_postponed_collection(small_problem) -> None:
    solver = get_solver("auto")
    with _CollectionStarts() as collections:
        began = time.perf_counter()
        solution = solver.solve(small_problem, time_limit_s=0.2, seed=0)
        answered = time.perf_counter()
        assert not [t for t in collections.starts if began <= t <= answered]
    assert solution.plans
