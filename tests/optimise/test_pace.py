from __future__ import annotations

import gc
import threading
import time

from smartspot.optimise.pace import MAX_SLOWDOWN, Pace, collector_paused


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
