from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartspot.errors import InvalidInputError
from smartspot.windows import LOCAL_TZ, ActiveWindow, is_active, open_intervals

FRI_SAT_NIGHT = ActiveWindow.parse("fri,sat 20:00-02:00")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)  # type: ignore[misc]


def test_window_across_midnight_is_open_after_midnight_on_the_next_day() -> None:
    # 2026-11-20 is a Friday.
    assert FRI_SAT_NIGHT.is_open(local(2026, 11, 20, 23, 0))
    assert FRI_SAT_NIGHT.is_open(local(2026, 11, 21, 1, 59))  # Saturday night, Friday's window
    assert not FRI_SAT_NIGHT.is_open(local(2026, 11, 21, 2, 0))
    assert FRI_SAT_NIGHT.is_open(local(2026, 11, 22, 1, 0))  # Sunday 01:00, Saturday's window
    assert not FRI_SAT_NIGHT.is_open(local(2026, 11, 23, 1, 0))  # Monday 01:00
    assert not FRI_SAT_NIGHT.is_open(local(2026, 11, 19, 23, 0))  # Thursday


def test_window_keeps_local_hours_across_the_autumn_dst_change() -> None:
    # Summer time ends on Sunday 2026-10-25 at 03:00 CEST → 02:00 CET: the night lasts 7 hours.
    window = ActiveWindow.parse("sat 22:00-04:00")
    [(opens, closes)] = window.openings(date(2026, 10, 24), date(2026, 10, 24))
    assert closes - opens == timedelta(hours=7)
    assert opens == datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # 22:00 CEST
    assert closes == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 CET


def test_window_keeps_local_hours_across_the_spring_dst_change() -> None:
    # Summer time starts on Sunday 2026-03-29 at 02:00 CET → 03:00 CEST: the night lasts 5 hours.
    window = ActiveWindow.parse("sat 22:00-04:00")
    [(opens, closes)] = window.openings(date(2026, 3, 28), date(2026, 3, 28))
    assert closes - opens == timedelta(hours=5)
    assert window.is_open(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 CEST
    assert not window.is_open(datetime(2026, 3, 29, 2, 0, tzinfo=UTC))  # 04:00 CEST


def test_a_window_that_opens_in_the_spring_gap_opens_after_it() -> None:
    window = ActiveWindow.parse("sun 02:30-05:00")
    [(opens, _)] = window.openings(date(2026, 3, 29), date(2026, 3, 29))
    assert opens == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST


def test_open_intervals_are_seconds_from_now_and_merged() -> None:
    now = local(2026, 11, 20, 19, 0)  # Friday 19:00
    windows = [FRI_SAT_NIGHT, ActiveWindow.parse("fri 23:00-03:00")]
    assert open_intervals(windows, now, 12 * 3600) == [(3600, 8 * 3600)]


def test_open_intervals_clip_to_now_and_horizon() -> None:
    now = local(2026, 11, 20, 21, 0)
    assert open_intervals([FRI_SAT_NIGHT], now, 3600) == [(0, 3600)]


def test_no_windows_means_always_active() -> None:
    assert is_active((), local(2026, 1, 1, 4, 0))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fri 20:00-20:00", "same minute"),
        ("fri 25:00-02:00", "not a time of day"),
        ("fry 20:00-02:00", "unknown weekday"),
        ("friday", "must look like"),
        ("fri 8pm-2am", "HH:MM"),
    ],
)
def test_windows_that_make_no_sense_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ActiveWindow.parse(text)


def test_a_window_without_weekdays_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least one weekday"):
        ActiveWindow(frozenset(), time(20), time(2))


def test_naive_times_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="timezone"):
        FRI_SAT_NIGHT.is_open(datetime(2026, 11, 20, 23, 0))


def test_weekday_ranges_parse_and_label_round_trips() -> None:
    window = ActiveWindow.parse("mon-fri 07:00-09:00")
    assert window.weekdays == frozenset(range(5))
    assert ActiveWindow.parse(window.label()) == window
    assert ActiveWindow.parse("sat-mon 10:00-11:00").weekdays == frozenset({5, 6, 0})


@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    )
)
def test_is_open_agrees_with_open_intervals(moment: datetime) -> None:
    intervals = open_intervals([FRI_SAT_NIGHT], moment, 60)
    assert FRI_SAT_NIGHT.is_open(moment) == (bool(intervals) and intervals[0][0] == 0)
