"""The discrete-event engine: a clock and a heap of scheduled events (after SimPy's ``core.py``).

An event is any callable taking no arguments. Events run in order of ``(time, priority,
counter)``: the counter breaks ties in the order events were scheduled, so a run is fully
determined by what is scheduled and by the random generator handed to the model (never a
global one). Time is in seconds from the start of the run.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

Event = Callable[[], None]

#: Priorities: lower runs first at the same instant. Shift changes happen before anything
#: else that instant; cars finishing come before new calls so a freed car can take them.
PRIORITY_SHIFT = 0
PRIORITY_CAR = 1
PRIORITY_CALL = 2
PRIORITY_DEFAULT = 3


@dataclass(order=True, slots=True)
class _Entry:
    time: float
    priority: int
    counter: int
    event: Event = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Handle:
    """A scheduled event that can be cancelled before it runs (e.g. a car's arrival when an
    urgent call pulls the car away mid-drive)."""

    __slots__ = ("_entry",)

    def __init__(self, entry: _Entry) -> None:
        self._entry = entry

    @property
    def time(self) -> float:
        return self._entry.time

    def cancel(self) -> None:
        self._entry.cancelled = True


class Environment:
    """Simulation time and the event heap.

    Parameters
    ----------
    start
        The time the clock starts at (seconds).
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._heap: list[_Entry] = []
        self._counter = 0
        self.steps = 0

    @property
    def now(self) -> float:
        """The current simulation time in seconds."""
        return self._now

    def schedule(
        self, event: Event, *, delay: float = 0.0, priority: int = PRIORITY_DEFAULT
    ) -> Handle:
        """Run ``event`` ``delay`` seconds from now.

        Raises
        ------
        InvalidInputError
            When ``delay`` is negative or not finite: the clock never goes back.
        """
        if not math.isfinite(delay) or delay < 0:
            raise InvalidInputError(
                msg(
                    "an event cannot be scheduled {delay} s from now; delays are finite and >= 0",
                    delay=delay,
                ),
                field="delay",
            )
        return self.schedule_at(self._now + delay, event, priority=priority)

    def schedule_at(self, time: float, event: Event, *, priority: int = PRIORITY_DEFAULT) -> Handle:
        """Run ``event`` at absolute time ``time`` (not before now)."""
        if not math.isfinite(time) or time < self._now:
            raise InvalidInputError(
                msg(
                    "an event cannot be scheduled at {time} s when the clock says {now} s",
                    time=time,
                    now=self._now,
                ),
                field="time",
            )
        entry = _Entry(float(time), priority, self._counter, event)
        self._counter += 1
        heapq.heappush(self._heap, entry)
        return Handle(entry)

    def peek(self) -> float:
        """The time of the next event that will run, or ``inf`` when none is left."""
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].time if self._heap else math.inf

    def step(self) -> None:
        """Run the next event.

        Raises
        ------
        InvalidInputError
            When no event is left.
        """
        if self.peek() == math.inf:
            raise InvalidInputError(msg("no events left to run"))
        entry = heapq.heappop(self._heap)
        if entry.time < self._now:  # cannot happen through schedule(); guards the invariant
            raise AssertionError(f"clock would go back from {self._now} to {entry.time}")
        self._now = entry.time
        self.steps += 1
        entry.event()

    def run(self, until: float) -> None:
        """Run every event up to and including time ``until``, then set the clock to it."""
        if until < self._now:
            raise InvalidInputError(
                msg(
                    "cannot run until {until} s: the clock is at {now} s",
                    until=until,
                    now=self._now,
                )
            )
        while self.peek() <= until:
            self.step()
        self._now = float(until)
