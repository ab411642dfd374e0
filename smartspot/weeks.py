"""Weeks to count fulfilment in: calendar weeks (the live service: Monday 00:00 to Monday 00:00,
Copenhagen time), rolling seven-day blocks (the simulation, which may start on any day), the
calendar week of a moment and how much of it has passed (the value model's need term).

Pure date arithmetic: no clock; every moment must carry its timezone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.windows import LOCAL_TZ

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Week:
    """``[start, end)``, at most seven days; ``label`` names it (``2026-W49``, ``W1``)."""

    start: datetime
    end: datetime
    label: str

    def __post_init__(self) -> None:
        aware(self.start, "since")
        aware(self.end, "until")
        length = self.end.timestamp() - self.start.timestamp()
        if not 0 < length <= WEEK.total_seconds() + 3600:  # + the hour a DST week may have
            raise InvalidInputError(
                msg("a week runs from its start for more than 0 and at most 7 days"),
                field="until",
            )


def aware(moment: datetime | None, name: str) -> None:
    """Refuse a moment without a timezone (``name`` is the field the error names)."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidInputError(msg("{name} must carry a timezone", name=name), field=name)


def calendar_weeks(since: datetime, until: datetime, tz: ZoneInfo = LOCAL_TZ) -> tuple[Week, ...]:
    """The ISO weeks (Monday 00:00 local time) that ``[since, until)`` touches, each clipped to
    the period; labelled ``YYYY-Www``.

    Raises
    ------
    InvalidInputError
        When a moment has no timezone or ``until`` is not after ``since``.
    """
    aware(since, "since")
    aware(until, "until")
    if until <= since:
        raise InvalidInputError(msg("until must be after since"), field="until")
    local = since.astimezone(tz)
    monday: date = local.date() - timedelta(days=local.weekday())
    weeks = []
    while True:
        start = datetime.combine(monday, time(0), tzinfo=tz)
        end = datetime.combine(monday + WEEK, time(0), tzinfo=tz)
        if start >= until:
            break
        year, number, _ = monday.isocalendar()
        weeks.append(Week(max(start, since), min(end, until), f"{year}-W{number:02d}"))
        monday += WEEK
    return tuple(weeks)


def rolling_weeks(start: datetime, until: datetime) -> tuple[Week, ...]:
    """Seven-day blocks from ``start`` (``W1``, ``W2`` …), the last one clipped at ``until``:
    the weeks of a simulated run, which may start on any day.

    Raises
    ------
    InvalidInputError
        When a moment has no timezone or ``until`` is not after ``start``.
    """
    aware(start, "since")
    aware(until, "until")
    if until <= start:
        raise InvalidInputError(msg("until must be after since"), field="until")
    weeks = []
    number = 1
    while start < until:
        end = min(start + WEEK, until)
        weeks.append(Week(start, end, f"W{number}"))
        start, number = start + WEEK, number + 1
    return tuple(weeks)


def week_of(moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> Week:
    """The whole calendar week (Monday 00:00 to Monday 00:00 local time) containing ``moment``."""
    aware(moment, "now")
    local = moment.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    year, number, _ = monday.isocalendar()
    return Week(
        datetime.combine(monday, time(0), tzinfo=tz),
        datetime.combine(monday + WEEK, time(0), tzinfo=tz),
        f"{year}-W{number:02d}",
    )


def elapsed_share(week: Week, moment: datetime) -> float:
    """How much of ``week`` has passed at ``moment`` (0 before it, 1 after it)."""
    total = week.end.timestamp() - week.start.timestamp()
    return min(1.0, max(0.0, (moment.timestamp() - week.start.timestamp()) / total))
