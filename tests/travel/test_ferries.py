from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.resources import DATA_DIR
from smartspot.travel.ferries import load_timetables, waits
from smartspot.travel.links import load_links

CPH = ZoneInfo("Europe/Copenhagen")
TABLES = load_timetables(DATA_DIR / "ferry_timetables.csv")
HEADER = "link_id,depart_from,days,first,last,headway_min,departures,basis,source,note\n"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=CPH)  # a Tuesday


def test_every_ferry_in_the_links_table_has_a_timetable_both_ways() -> None:
    ferries = [link.id for link in load_links(DATA_DIR / "fixed_links.csv") if link.is_ferry]
    assert {"hou_saelvig", "kalundborg_ballen", "hou_tunoe", "grenaa_anholt", "fur"} <= set(ferries)
    assert {"venoe", "feggesund", "hvalpsund", "udbyhoej"} <= set(ferries)
    for ferry in ferries:
        for end in "ab":
            table = TABLES[(ferry, end)]
            assert all(block.source.startswith("http") for block in table.blocks)


def test_the_wait_is_until_the_next_departure() -> None:
    hou = TABLES[("hou_saelvig", "a")]  # Hou: 12:00, 14:30, ...
    wait = waits(hou, at(11, 50), np.array([0.0, 600.0, 660.0]))
    assert wait.tolist() == [600.0, 0.0, 9000.0 - 60.0]


def test_samsoe_ferry_is_closed_at_night_and_open_at_dawn() -> None:
    hou = TABLES[("hou_saelvig", "a")]  # last 22:00, first 07:00
    assert np.isinf(waits(hou, at(23, 30), np.array([0.0]))).all()
    assert np.isinf(waits(hou, at(2, 0), np.array([0.0]))).all()
    assert waits(hou, at(6, 40), np.array([0.0]))[0] == pytest.approx(20 * 60)


def test_fur_sails_all_night_hourly() -> None:
    branden = TABLES[("fur", "a")]
    night = waits(branden, at(2, 0), np.array([0.0, 20 * 60.0]))
    assert (night <= 3600).all() and np.isfinite(night).all()
    assert waits(branden, at(12, 0), np.array([0.0]))[0] <= 15 * 60


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        waits(TABLES[("fur", "a")], datetime(2026, 12, 1, 12), np.array([0.0]))


def test_a_row_without_a_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "fur,a,daily,06:00,07:00,15,,published,,\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="source"):
        load_timetables(path)


def test_weekday_blocks_apply_only_on_their_days(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        HEADER
        + "x,a,mon-fri,,,,08:00,own_estimate,http://example.org,\n"
        + "x,a,sat-sun,,,,10:00,own_estimate,http://example.org,\n",
        encoding="utf-8",
    )
    table = load_timetables(path)[("x", "a")]
    saturday = datetime(2026, 12, 5, 7, 0, tzinfo=CPH)
    assert waits(table, saturday, np.array([0.0]))[0] == pytest.approx(3 * 3600)
    assert waits(table, at(7, 0), np.array([0.0]))[0] == pytest.approx(3600)
