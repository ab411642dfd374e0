"""The replay clock: the newest stored AVL fix is now, kept across a reopened database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point

from api.settings import Settings
from smartspot.domain import Patrol
from smartspot.store.records import PositionFix
from smartspot.store.replay_clock import ReplayClock
from smartspot.store.sqlite import SqliteStore

START = datetime(2026, 3, 2, tzinfo=UTC)


def test_now_is_the_start_until_a_fix_then_the_newest_fix_also_after_a_reopen(
    tmp_path: Path,
) -> None:
    path = tmp_path / "replay.db"
    store = SqliteStore(path, create=True)
    clock = ReplayClock(store, START)
    assert clock.now() == START
    store.patrols.add(Patrol("p1", "st01"), actor="test", at=START)
    late, early = START + timedelta(hours=3), START + timedelta(hours=1)
    store.patrols.record_positions(
        [PositionFix("p1", late, Point(500000, 6200000)), PositionFix("p1", early, Point(0, 0))]
    )
    assert clock.now() == late  # the newest fix, not the last one sent
    store.close()
    assert ReplayClock(SqliteStore(path), START).now() == late


def test_replay_is_only_an_explicit_setting_with_its_start(tmp_path: Path) -> None:
    key = "replay-test-secret-key-that-is-long-enough"
    assert Settings(db=tmp_path / "a.db", secret_key=key).clock == "system"
    with pytest.raises(ValueError, match="REPLAY_START"):
        Settings(db=tmp_path / "a.db", secret_key=key, clock="replay")
    with pytest.raises(ValueError, match="only for"):
        Settings(db=tmp_path / "a.db", secret_key=key, replay_start=START)
    replay = Settings(db=tmp_path / "a.db", secret_key=key, clock="replay", replay_start=START)
    assert replay.replay_start == START
