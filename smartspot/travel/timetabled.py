"""Trip times through timetabled ferries, for trips that start at a given instant.

A graph's shortest paths cannot see a timetable: the wait at a terminal depends on when the
car gets there. But ferries are few, so a trip splits into road legs between terminals:
origin → terminal, terminal → terminal, terminal → destination, each a shortest path on the
graph *without* the timetabled ferries (cached trees, as any other query), and the crossings
between them. Earliest arrivals at the K terminals then follow from a small label-correcting
search (waiting for the next departure is FIFO, so arriving earlier never arrives later), done
for all origins at once; the destinations are a min-plus product over the terminals.

Exact for the given departure instant, and adapter-neutral: :func:`timed_trips` takes the
road legs as matrices, so the fallback and the OSM road graph can both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from smartspot.travel.ferries import Timetable, waits

#: origins × terminals × destinations handled per block (memory bound of the min-plus step)
BLOCK_CELLS = 4_000_000


@dataclass(frozen=True, slots=True)
class TimedCrossing:
    """One directed ferry crossing: terminal columns ``tail`` → ``head`` (indices into the
    terminal list), its timetable of departures from ``tail``, sailing time and length."""

    tail: int
    head: int
    table: Timetable
    crossing_s: float
    metres: float


@dataclass(frozen=True, slots=True, eq=False)
class Legs:
    """Road legs, each as seconds and metres (``inf`` where there is no road path).

    ``direct``: origins × destinations; ``to_terminal``: origins × K; ``between``: K × K;
    ``from_terminal``: K × destinations.
    """

    direct: tuple[NDArray[np.float64], NDArray[np.float64]]
    to_terminal: tuple[NDArray[np.float64], NDArray[np.float64]]
    between: tuple[NDArray[np.float64], NDArray[np.float64]]
    from_terminal: tuple[NDArray[np.float64], NDArray[np.float64]]


def terminal_arrivals(
    crossings: tuple[TimedCrossing, ...],
    depart_at: datetime,
    to_terminal: tuple[NDArray[np.float64], NDArray[np.float64]],
    between: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Earliest arrival (seconds after ``depart_at``) at each terminal from each origin, and
    the metres driven on the way, using ferries as their timetables allow."""
    arrive, metres = to_terminal[0].copy(), to_terminal[1].copy()
    tt_s, tt_m = between
    for _ in range(len(crossings) + 1):
        landed, landed_m = arrive.copy(), metres.copy()
        for c in crossings:
            if not np.isfinite(arrive[:, c.tail]).any():
                continue  # nobody reaches this terminal (within the cut-off): nothing sails
            wait = waits(c.table, depart_at, arrive[:, c.tail])
            there = arrive[:, c.tail] + wait + c.crossing_s
            better = there < landed[:, c.head]
            landed[better, c.head] = there[better]
            landed_m[better, c.head] = metres[better, c.tail] + c.metres
        # then on by road to every other terminal
        via = landed[:, :, None] + tt_s[None, :, :]
        best = np.argmin(via, axis=1)
        onward = np.take_along_axis(via, best[:, None, :], axis=1)[:, 0, :]
        onward_m = np.take_along_axis(landed_m[:, :, None] + tt_m[None], best[:, None, :], 1)
        improved = onward < arrive - 1e-9
        if not improved.any():
            break
        arrive = np.where(improved, onward, arrive)
        metres = np.where(improved, onward_m[:, 0, :], metres)
    return arrive, metres


def may_sail(
    crossings: tuple[TimedCrossing, ...], legs: Legs, limit: float = np.inf
) -> NDArray[np.bool_]:
    """Per origin: may a path through a timetabled crossing arrive at some destination
    sooner than the road without one, and within ``limit``? ``False`` only where it cannot,
    whatever the timetable says.

    A path that sails drives to some crossing's tail, waits (no less than nothing), sails
    (no less than its crossing time) and then drives on from its head or sails again: it
    arrives no sooner than the least over the crossings ``c`` of road(o → tail c) +
    crossing(c) + min(road(head c → d), the shortest crossing + the least road from any
    terminal to ``d``). Each step adds a non-negative time and IEEE rounding is monotone,
    so the computed times keep that order (save for the trees' float32 rounding between
    road legs, which no other question relies on either). Where that bound is no sooner than
    the road alone (the direct leg, or a road leg through a terminal) or beyond ``limit``
    for every destination, no crossing can change that origin's times (``NaN`` counts as
    "may sail")."""
    to_s, (td_s, _) = legs.to_terminal[0], legs.from_terminal
    n, k = to_s.shape
    if n == 0 or k == 0 or not crossings:
        return np.zeros(n, dtype=bool)
    tails = np.array([c.tail for c in crossings])
    sailed = np.array([c.crossing_s for c in crossings])
    land = np.min(td_s, axis=0)  # the least road from a terminal to each destination
    rest = np.minimum(td_s[[c.head for c in crossings]], sailed.min() + land[None, :])
    out = np.zeros(n, dtype=bool)
    rows = max(1, BLOCK_CELLS // max(1, (k + len(crossings)) * td_s.shape[1]))
    for lo in range(0, n, rows):
        hi = min(lo + rows, n)
        road = np.minimum(legs.direct[0][lo:hi], np.min(to_s[lo:hi, :, None] + td_s[None], axis=1))
        first = to_s[lo:hi, tails] + sailed[None, :]  # at the first crossing's head
        soonest = np.min(first[:, :, None] + rest[None], axis=1)
        out[lo:hi] = ~((soonest >= road) | (soonest > limit)).all(axis=1)
    return out


def timed_trips(
    crossings: tuple[TimedCrossing, ...],
    depart_at: datetime,
    legs: Legs,
    *,
    metres: bool = True,
    limit: float = np.inf,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Seconds and metres from every origin to every destination leaving at ``depart_at``:
    the best of the direct road path and every path through timetabled crossings (``inf``
    where none exists, e.g. the ferry is closed for the night).

    ``metres=False`` (the metres are not read): the timetables are searched only from the
    origins where a crossing may beat the road (:func:`may_sail`); the others' times are the
    road's, through the terminals as before (one round of road legs between terminals: a
    longer chain of road legs is never shorter than the road, save for the float32 rounding
    of the trees' times)."""
    seconds, length = legs.direct[0].copy(), legs.direct[1].copy()
    if not crossings:
        return seconds, length
    if metres:
        arrive, arrive_m = terminal_arrivals(crossings, depart_at, legs.to_terminal, legs.between)
    else:
        rows = may_sail(crossings, legs, limit)
        arrive, arrive_m = legs.to_terminal[0].copy(), legs.to_terminal[1].copy()
        for part, sails in ((rows, crossings), (~rows, ())):
            if part.any():
                to = (legs.to_terminal[0][part], legs.to_terminal[1][part])
                arrive[part], arrive_m[part] = terminal_arrivals(sails, depart_at, to, legs.between)
    td_s, td_m = legs.from_terminal
    k = td_s.shape[0]
    rows_per = max(1, BLOCK_CELLS // max(1, k * td_s.shape[1]))
    for lo in range(0, len(seconds), rows_per):
        hi = min(lo + rows_per, len(seconds))
        via = arrive[lo:hi, :, None] + td_s[None]
        best = np.argmin(via, axis=1)
        t = np.take_along_axis(via, best[:, None, :], axis=1)[:, 0, :]
        m = np.take_along_axis(arrive_m[lo:hi, :, None] + td_m[None], best[:, None, :], 1)
        better = t < seconds[lo:hi]
        seconds[lo:hi] = np.where(better, t, seconds[lo:hi])
        length[lo:hi] = np.where(better, m[:, 0, :], length[lo:hi])
    return seconds, length
