"""Ferry timetables: when the next ferry leaves, and when a crossing is closed for the night.

Read from ``data/ferry_timetables.csv``: one row per block of departures from one end of a link
of ``data/fixed_links.csv`` (``depart_from`` ``a`` or ``b``), on some weekdays, either every
``headway_min`` from ``first`` to ``last`` or at the listed ``departures``. Times are local
(Europe/Copenhagen) and may pass 24:00 (``25:00`` is 01:00 the next morning, still the service
day of the row), each row with its source and whether its times are published or our estimate.

A car that reaches a terminal waits for the next departure. A crossing is *closed* when the
car arrives in the night break (after the day's last departure, in a gap longer than any
headway of the day) and the first morning ferry is more than such a headway away: the far
side is then unreachable (``inf`` here, ``NaN`` in a travel matrix) until morning — a hotspot
on Samsø is never proposed at 23:30. A ferry that sails all night (Fur, hourly) is never
closed, only slower.

:func:`waits` is the lookup other adapters (the OSM road graph's ferries) can call too.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

LOCAL = ZoneInfo("Europe/Copenhagen")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(text: str) -> frozenset[int]:
    """``mon-fri``, ``sat,sun``, ``daily`` → weekday numbers (Monday 0)."""
    if text == "daily":
        return frozenset(range(7))
    out: set[int] = set()
    for piece in text.split(","):
        lo, _, hi = piece.strip().partition("-")
        if lo not in DAYS or (hi and hi not in DAYS):
            raise InvalidInputError(
                msg("weekdays {text}: use mon..sun, ranges (mon-fri), or daily", text=text)
            )
        a, b = DAYS.index(lo), DAYS.index(hi or lo)
        out.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(out)


def _minutes(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value < 36 * 60 or not 0 <= int(minutes or 0) < 60:
        raise InvalidInputError(msg("time {text} must be HH:MM between 00:00 and 35:59", text=text))
    return value


@dataclass(frozen=True, slots=True)
class Block:
    """Departures from one end of a link on some weekdays, in minutes after local midnight."""

    link_id: str
    depart_from: str
    weekdays: frozenset[int]
    minutes: tuple[int, ...]
    basis: str
    source: str

    def __post_init__(self) -> None:
        if self.depart_from not in ("a", "b"):
            raise InvalidInputError(msg("{id}: depart_from must be 'a' or 'b'", id=self.link_id))
        if not self.minutes:
            raise InvalidInputError(
                msg("{id}: a block needs at least one departure", id=self.link_id)
            )
        if self.basis not in ("published", "own_estimate"):
            raise InvalidInputError(
                msg("{id}: basis must be published or own_estimate", id=self.link_id)
            )
        if not self.source:
            raise InvalidInputError(
                msg("{id}: every timetable row needs a source", id=self.link_id)
            )


@dataclass(frozen=True, slots=True)
class Timetable:
    """All departures from one end of one link."""

    link_id: str
    depart_from: str
    blocks: tuple[Block, ...]

    def minutes_on(self, weekday: int) -> list[int]:
        """Departures of the service day starting on ``weekday``, sorted (may pass 24:00)."""
        return sorted({m for b in self.blocks if weekday in b.weekdays for m in b.minutes})

    @property
    def longest_headway_s(self) -> float:
        """The longest gap between two departures within one service day (seconds; worked out
        once per timetable: every timed trip asks it for every crossing)."""
        return _longest_headway_s(self)

    def _longest_headway_s(self) -> float:
        gaps = [
            float(np.diff(day).max()) * 60
            for weekday in range(7)
            if len(day := self.minutes_on(weekday)) > 1
        ]
        return max(gaps, default=math.inf)

    def departures(self, start: datetime, days: int = 3) -> NDArray[np.float64]:
        """Departure instants (POSIX seconds) of the service days from the day before
        ``start`` on, ``days`` + 1 of them (cached per local date)."""
        return _departures(self, start.astimezone(LOCAL).date(), days)

    def _departures(self, day0: date, days: int) -> NDArray[np.float64]:
        first = day0 - timedelta(days=1)
        out: list[float] = []
        for k in range(days + 1):
            day: date = first + timedelta(days=k)
            midnight = datetime.combine(day, time(0), tzinfo=LOCAL)
            for m in self.minutes_on(day.weekday()):
                # aware + timedelta is wall-clock arithmetic: departures keep their hour in DST
                out.append((midnight + timedelta(minutes=m)).timestamp())
        return np.array(sorted(out))


Timetables = dict[tuple[str, str], Timetable]


@lru_cache(maxsize=512)
def _longest_headway_s(table: Timetable) -> float:
    return table._longest_headway_s()


@lru_cache(maxsize=512)
def _departures(table: Timetable, day0: date, days: int) -> NDArray[np.float64]:
    result = table._departures(day0, days)
    result.setflags(write=False)
    return result


def load_timetables(path: Path) -> Timetables:
    """Timetables by ``(link id, 'a' | 'b')`` from ``ferry_timetables.csv``.

    Raises
    ------
    InvalidInputError
        When a row is malformed or lacks a source.
    """
    blocks: dict[tuple[str, str], list[Block]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                if row["departures"].strip():
                    minutes = tuple(_minutes(t) for t in row["departures"].split())
                else:
                    first, last = _minutes(row["first"]), _minutes(row["last"])
                    step = int(row["headway_min"])
                    if step <= 0 or last < first:
                        raise InvalidInputError(msg("headway must be positive and last >= first"))
                    minutes = tuple(range(first, last + 1, step))
                block = Block(
                    link_id=row["link_id"],
                    depart_from=row["depart_from"],
                    weekdays=_weekdays(row["days"]),
                    minutes=minutes,
                    basis=row["basis"],
                    source=row["source"],
                )
            except (KeyError, ValueError, InvalidInputError) as error:
                raise InvalidInputError(
                    msg("{name} line {line}: {error}", name=path.name, line=line, error=error)
                ) from None
            blocks.setdefault((block.link_id, block.depart_from), []).append(block)
    return {
        key: Timetable(link_id=key[0], depart_from=key[1], blocks=tuple(b))
        for key, b in blocks.items()
    }


def waits(
    table: Timetable, depart_at: datetime, arrive_s: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Seconds to wait at the terminal for cars arriving ``arrive_s`` after ``depart_at``.

    ``inf`` where the car arrives after the day's last departure and the crossing is closed
    for the night (see the module text), or where ``arrive_s`` is already ``inf``.

    Raises
    ------
    InvalidInputError
        When ``depart_at`` is naive (a timetable is local time).
    """
    if depart_at.utcoffset() is None:
        raise InvalidInputError(msg("depart_at must be timezone-aware"), field="depart_at")
    arrive = np.asarray(arrive_s, dtype=np.float64)
    finite = np.isfinite(arrive)
    horizon = int(np.nanmax(arrive[finite], initial=0.0) // 86_400) + 2
    deps = table.departures(depart_at, days=horizon) - depart_at.timestamp()
    out = np.full(arrive.shape, np.inf)
    if len(deps) == 0:
        return out
    t = arrive[finite]
    k = np.searchsorted(deps, t - 1e-6)  # the first departure at or after arrival
    has_next = k < len(deps)
    wait = np.full(len(t), np.inf)
    wait[has_next] = deps[np.minimum(k, len(deps) - 1)][has_next] - t[has_next]
    # closed: the car arrives in the night break (the gap from the previous to the next
    # departure is longer than any daytime headway) and would wait longer than such a headway
    prev = np.where(k > 0, deps[np.maximum(k - 1, 0)], -np.inf)
    nxt = np.where(has_next, deps[np.minimum(k, len(deps) - 1)], np.inf)
    longest = table.longest_headway_s + 1.0
    closed = ((nxt - prev) > longest) & (wait > longest)
    wait[closed] = np.inf
    out[finite] = wait
    return out
