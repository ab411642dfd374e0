"""The login throttle's counts in the store (migration 7): changes of one key by several
workers at once are never lost, a bookkeeping transaction leaves the record alone, and a
database from before the table upgrades without losing a row."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from smartspot.geo.regions import Regions
from smartspot.store.migrations import HISTORY
from smartspot.store.open import Store, open_store
from smartspot.store.records import ThrottleState
from smartspot.store.sqlite import SqliteStore
from tests.hotspot_fixtures import TREKANTEN, draft, new_service
from tests.store.schema_shape import table_rows

OLD_DATABASES = Path(__file__).parent / "data"


@pytest.fixture
def store(database: str | Path) -> Iterator[Store]:
    with open_store(database, create=True) as opened:
        yield opened


def _one_more(states: dict[str, ThrottleState]) -> tuple[dict[str, ThrottleState], None]:
    return {k: replace(s, failures=s.failures + 1, expires_at=9e9) for k, s in states.items()}, None


def test_changes_from_many_workers_at_once_are_all_counted(
    store: Store, database: str | Path
) -> None:
    others = [open_store(database) for _ in range(3)]  # other processes' stores
    try:
        stores = [store, *others]

        def fail(n: int) -> None:
            keys = ["user:a", "addr:x"] if n % 2 else ["addr:x", "user:a"]  # either order
            stores[n % len(stores)].logins.change(keys, _one_more)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(fail, range(80)))
    finally:
        for other in others:
            other.close()
    counts = store.logins.read(["user:a", "addr:x"])
    assert {k: s.failures for k, s in counts.items()} == {"user:a": 80, "addr:x": 80}


def test_sweeps_running_beside_logins_on_the_same_expired_keys_never_fail(
    store: Store, database: str | Path
) -> None:
    keys = [f"user:{n:02d}" for n in range(40)]
    store.logins.change(
        keys, lambda states: ({k: ThrottleState(1, 0, 0, 0, 0, 1.0) for k in states}, None)
    )
    others = [open_store(database) for _ in range(3)]
    try:
        stores = [store, *others]

        def work(n: int) -> None:
            mine = stores[n % len(stores)]
            if n % 3 == 0:
                mine.logins.forget_expired(now=2.0)
            else:  # a login on two of the expired keys, as a sweep runs
                mine.logins.change([keys[n % 40], keys[(n * 7) % 40]], _one_more)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(work, range(120)))  # raises what any of them raised
    finally:
        for other in others:
            other.close()
    assert store.logins.forget_expired(now=2.0) >= 0
    assert all(s.expires_at == 9e9 for s in store.logins.read(keys).values())


def test_an_empty_state_deletes_its_row_and_expired_rows_are_swept(store: Store) -> None:
    store.logins.change(["user:a", "user:b"], _one_more)
    store.logins.change(["user:a"], lambda states: ({"user:a": ThrottleState()}, None))
    assert set(store.logins.read(["user:a", "user:b"])) == {"user:b"}
    assert store.logins.forget_expired(now=9e9 - 1) == 0
    assert store.logins.forget_expired(now=9e9 + 1) == 1
    assert store.logins.count() == 0


def test_the_throttle_writes_no_audit_row_and_no_event(store: Store) -> None:
    store.logins.change(["user:a"], _one_more)
    assert store.audit.entries() == []
    assert store.events.last() == 0
    assert store.verify_audit().ok


def test_a_bookkeeping_transaction_inside_a_write_joins_it(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.logins.change(["user:a"], _one_more)
        raise RuntimeError("the outer write fails")
    assert store.logins.count() == 0  # rolled back with it


def test_a_database_at_migration_6_upgrades_to_7_keeping_its_record(
    empty_database: str | Path, regions: Regions
) -> None:
    with pytest.MonkeyPatch.context() as patch:  # the Smart Spot before migration 7
        patch.setattr("smartspot.store.migrations.HISTORY", HISTORY[:6])
        old = new_service(empty_database, regions)
        hotspot = old.register(draft(), TREKANTEN, user="analytiker")
        assert old.store.schema_version == 6
        audit = old.store.audit.entries()
        old.store.close()
    with open_store(empty_database, create=True) as upgraded:  # `smartspot db upgrade`
        assert upgraded.schema_version == len(HISTORY)
        assert upgraded.hotspots.get(hotspot.id) == hotspot
        assert upgraded.audit.entries() == audit
        assert upgraded.verify_audit().ok
        upgraded.logins.change(["user:a"], _one_more)  # the new table works at once
        assert upgraded.logins.count() == 1


@pytest.mark.sqlite_only  # database files written by older mains
@pytest.mark.parametrize("name", ["busy-v5.db", "busy-v6.db"])
def test_a_database_from_before_the_table_upgrades_without_loss(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(OLD_DATABASES / name, path)
    before = table_rows(path)
    with SqliteStore(path) as upgraded:
        assert upgraded.schema_version == len(HISTORY) == 8
        assert upgraded.logins.count() == 0
        verdict = upgraded.verify_audit()
        assert verdict.ok, verdict
    after = table_rows(path)
    assert "login_throttle" not in before and after["login_throttle"] == []
    kept = set(before) - ({"users", "audit_log"} if name == "busy-v5.db" else set())
    for table in kept:  # (v5 -> 6 gives users districts: tests/store/test_user_districts.py)
        assert after[table] == before[table], table
    assert after["audit_log"][: len(before["audit_log"])] == before["audit_log"]


@pytest.mark.sqlite_only  # SQLite's own durability setting
def test_after_a_throttle_write_the_record_is_written_with_full_sync_again(
    tmp_path: Path,
) -> None:
    full = 2  # PRAGMA synchronous: 1 NORMAL, 2 FULL
    with SqliteStore(tmp_path / "s.db", create=True) as store:
        store.logins.change(["user:a"], _one_more)
        assert store.execute("PRAGMA synchronous").fetchone()[0] == full

        def broken(states: dict[str, ThrottleState]) -> tuple[dict[str, ThrottleState], None]:
            raise RuntimeError("the edit fails")

        with pytest.raises(RuntimeError):
            store.logins.change(["user:a"], broken)
        assert store.execute("PRAGMA synchronous").fetchone()[0] == full
        assert store.logins.read(["user:a"])["user:a"].failures == 1  # rolled back
