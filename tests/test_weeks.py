"""Weeks to count fulfilment in: calendar weeks in Copenhagen time, rolling weeks, the week of a
moment (issue 13 §1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartspot.errors import InvalidInputError
from smartspot.fulfilment import Target, hotspot_weeks
from smartspot.weeks import Week, calendar_weeks, elapsed_share, rolling_weeks, week_of
from smartspot.windows import LOCAL_TZ

MONDAY = datetime(2026, 11, 30, tzinfo=LOCAL_TZ)


def at(day: float) -> datetime:
    return MONDAY + timedelta(days=day)


def test_weeks_follow_copenhagen_time_across_daylight_saving() -> None:
    # Sunday 25 October 2026 is 25 hours long; the week is still one week
    since = datetime(2026, 10, 19, tzinfo=LOCAL_TZ)
    week = calendar_weeks(since, since + timedelta(days=7))[0]
    assert week.end - week.start == timedelta(days=7)  # wall clock
    assert week.end.timestamp() - week.start.timestamp() == 7 * 86400 + 3600
    row = hotspot_weeks([Target("h", 1, outlying=False)], [], [week])[0]
    assert row.desired == 1.0  # not 169/168 of a visit
    assert week_of(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)).label == "2026-W44"
    assert week_of(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)).start.day == 26
    assert elapsed_share(week_of(at(3.5)), at(3.5)) == pytest.approx(0.5)


def test_weeks_refuse_naive_and_empty_periods() -> None:
    with pytest.raises(InvalidInputError):
        calendar_weeks(datetime(2026, 1, 1), datetime(2026, 1, 8))
    with pytest.raises(InvalidInputError):
        calendar_weeks(at(2), at(1))
    with pytest.raises(InvalidInputError):
        Week(at(0), at(8), "too long")


def test_rolling_weeks_start_with_the_run_and_clip_the_last() -> None:
    weeks = rolling_weeks(at(2), at(12))
    assert [w.label for w in weeks] == ["W1", "W2"]
    assert weeks[0].start == at(2) and weeks[0].end == at(9)
    assert weeks[1].end == at(12)
    with pytest.raises(InvalidInputError):
        rolling_weeks(at(2), at(2))
