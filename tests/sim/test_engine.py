from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartspot.errors import InvalidInputError
from smartspot.sim.engine import Environment


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=60))
def test_clock_never_goes_backwards(delays: list[float]) -> None:
    env = Environment()
    seen: list[float] = []

    def make(delay: float):  # type: ignore[no-untyped-def]
        def event() -> None:
            seen.append(env.now)
            if delay > 1:  # events schedule more events, as the model does
                env.schedule(lambda: seen.append(env.now), delay=delay / 2)

        return event

    for delay in delays:
        env.schedule(make(delay), delay=delay)
    env.run(until=2e6)
    assert seen == sorted(seen)
    assert len(seen) == len(delays) + sum(d > 1 for d in delays)


def test_same_time_runs_by_priority_then_order_scheduled() -> None:
    env = Environment()
    order: list[str] = []
    env.schedule(lambda: order.append("late-low"), delay=5, priority=3)
    env.schedule(lambda: order.append("high"), delay=5, priority=0)
    env.schedule(lambda: order.append("late-low-2"), delay=5, priority=3)
    env.run(until=10)
    assert order == ["high", "late-low", "late-low-2"]
    assert env.now == 10


def test_cancelled_event_does_not_run() -> None:
    env = Environment()
    ran: list[int] = []
    handle = env.schedule(lambda: ran.append(1), delay=1)
    env.schedule(lambda: ran.append(2), delay=2)
    handle.cancel()
    env.run(until=3)
    assert ran == [2]


def test_scheduling_in_the_past_is_refused() -> None:
    env = Environment()
    env.run(until=100)
    with pytest.raises(InvalidInputError, match="finite and >= 0"):
        env.schedule(lambda: None, delay=-1)
    with pytest.raises(InvalidInputError, match="clock says"):
        env.schedule_at(50, lambda: None)
    with pytest.raises(InvalidInputError, match="cannot run until"):
        env.run(until=10)


def test_step_with_nothing_left_says_so() -> None:
    with pytest.raises(InvalidInputError, match="no events left"):
        Environment().step()
