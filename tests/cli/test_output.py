"""Human output: Copenhagen local time, no Python lists or None."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smartspot.cli.output import human_value, labelled, local_time


def test_times_are_copenhagen_local_time_in_winter_and_summer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTSPOT_LANGUAGE", "da")
    assert local_time(datetime(2026, 3, 14, 21, 0, tzinfo=UTC)) == "14.03.2026 22.00"
    assert local_time(datetime(2026, 7, 1, 21, 0, tzinfo=UTC)) == "01.07.2026 23.00"


def test_values_read_as_words_not_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTSPOT_LANGUAGE", "da")
    assert human_value(["fri,sat 20:00-02:00", "sun 10:00-12:00"]) == (
        "fri,sat 20:00-02:00; sun 10:00-12:00"
    )
    assert human_value([]) == human_value(None) == "–"
    assert human_value(3.0) == "3"
    assert human_value(1.5) == "1,5"


def test_labelled_rows_line_up_and_lists_continue_below() -> None:
    text = labelled([("id", "HS-1"), ("steps", ["1. a", "2. b"])])
    assert text.splitlines() == ["  id     HS-1", "  steps  1. a", "         2. b"]
