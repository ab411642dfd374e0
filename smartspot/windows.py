"""Active windows: when a hotspot's problem happens, in Danish local time.

A window is a set of weekdays on which it *opens* and a time range. A range whose end is not
after its start crosses midnight: Fri–Sat 20:00–02:00 is open Friday 20:00 to Saturday 02:00
and Saturday 20:00 to Sunday 02:00. All times are wall-clock times in Europe/Copenhagen, so a
window keeps its local hours across the DST changes (and then lasts one hour more or less).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_weekday(name: str) -> int:
    key = name.strip().lower()[:3]
    if key not in WEEKDAY_NAMES:
        raise InvalidInputError(
            msg("unknown weekday {name!r}; use mon, tue, wed, thu, fri, sat or sun", name=name),
            field="windows",
        )
    return WEEKDAY_NAMES.index(key)


def parse_clock(text: str) -> time:
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
    except ValueError:
        raise InvalidInputError(
            msg("time {text!r} must look like HH:MM", text=text), field="windows"
        ) from None
    if hours == 24 and minutes == 0:
        return time(0, 0)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise InvalidInputError(
            msg("time {text!r} is not a time of day (00:00–23:59)", text=text), field="windows"
        )
    return time(hours, minutes)


@dataclass(frozen=True, slots=True)
class ActiveWindow:
    """Open on ``weekdays`` (0 = Monday) from ``start`` to ``end`` local time."""

    weekdays: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise InvalidInputError(
                msg("an active window needs at least one weekday"), field="windows"
            )
        if any(day not in range(7) for day in self.weekdays):
            raise InvalidInputError(msg("weekdays are 0 (Monday) to 6 (Sunday)"), field="windows")
        if self.start == self.end:
            raise InvalidInputError(
                msg(
                    "window {label} opens and closes at the same minute; leave windows empty for a hotspot that is always active",
                    label=self.label(),
                ),
                field="windows",
            )
        for moment in (self.start, self.end):
            if moment.second or moment.microsecond or moment.tzinfo is not None:
                raise InvalidInputError(
                    msg("window times are whole minutes, local time"), field="windows"
                )

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def label(self) -> str:
        days = ",".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
        return f"{days} {self.start:%H:%M}-{self.end:%H:%M}"

    @classmethod
    def parse(cls, text: str) -> ActiveWindow:
        """Parse ``"fri,sat 20:00-02:00"`` or ``"mon-fri 07:00-09:00"``."""
        try:
            days_part, hours_part = text.strip().split()
            start_text, end_text = hours_part.split("-")
        except ValueError:
            raise InvalidInputError(
                msg(
                    "window {text!r} must look like 'fri,sat 20:00-02:00' or 'mon-fri 07:00-09:00'",
                    text=text,
                ),
                field="windows",
            ) from None
        days: set[int] = set()
        for item in days_part.split(","):
            if "-" in item:
                first, last = (parse_weekday(x) for x in item.split("-", 1))
                span = (last - first) % 7
                days.update((first + k) % 7 for k in range(span + 1))
            else:
                days.add(parse_weekday(item))
        return cls(frozenset(days), parse_clock(start_text), parse_clock(end_text))

    def openings(self, first_day: date, last_day: date) -> list[tuple[datetime, datetime]]:
        """Every opening that starts on a day from ``first_day`` to ``last_day``, as aware UTC
        datetimes (arithmetic between datetimes sharing a zoneinfo tz is wall-clock arithmetic
        in Python, which is wrong across a DST change; in UTC it is exact)."""
        found = []
        day = first_day
        while day <= last_day:
            if day.weekday() in self.weekdays:
                end_day = day + timedelta(days=1) if self.crosses_midnight else day
                opens = _local(day, self.start).astimezone(UTC)
                closes = _local(end_day, self.end).astimezone(UTC)
                found.append((opens, closes))
            day += timedelta(days=1)
        return found

    def is_open(self, moment: datetime) -> bool:
        today = _as_local(moment).date()
        instant = moment.astimezone(UTC)
        return any(
            opens <= instant < closes
            for opens, closes in self.openings(today - timedelta(days=1), today)
        )


def _as_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInputError(msg("times must carry a timezone (e.g. 2026-03-28T20:00:00+01:00)"))
    return moment.astimezone(LOCAL_TZ)


def _local(day: date, clock: time) -> datetime:
    # A wall time that does not exist (spring forward, 02:00–03:00) is moved past the gap;
    # an ambiguous one (fall back) takes its first occurrence. Both via zoneinfo's fold rules.
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=LOCAL_TZ, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(LOCAL_TZ)
    if round_trip.replace(tzinfo=None) != naive:  # in the spring gap
        return round_trip
    return aware


def is_active(windows: Sequence[ActiveWindow], moment: datetime) -> bool:
    """True when no windows are given (always active) or any window is open at ``moment``."""
    return not windows or any(window.is_open(moment) for window in windows)


def open_intervals(
    windows: Iterable[ActiveWindow], now: datetime, horizon_s: int
) -> list[tuple[int, int]]:
    """The windows' openings within ``[now, now + horizon_s]`` as merged, sorted
    ``(open_s, close_s)`` pairs in whole seconds from ``now`` (the optimiser's form)."""
    local_now = _as_local(now)
    utc_now = now.astimezone(UTC)
    end = local_now + timedelta(seconds=horizon_s)
    intervals = []
    for window in windows:
        for opens, closes in window.openings(local_now.date() - timedelta(days=1), end.date()):
            lo = max(0, int((opens - utc_now).total_seconds()))
            hi = min(horizon_s, int((closes - utc_now).total_seconds()))
            if hi > lo:
                intervals.append((lo, hi))
    intervals.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in intervals:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
