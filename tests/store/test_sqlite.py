from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from smartspot.errors import ConflictError, NotFoundError, StorageError
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from smartspot.store.migrations import HISTORY
from smartspot.store.open import Store, open_store
from smartspot.store.port import HotspotQuery, Repository
from smartspot.store.postgres import WRITE_LOCK, PostgresStore
from smartspot.store.sqlite import SqliteStore
from tests.hotspot_fixtures import SAMSOE, TREKANTEN, draft, new_service


@pytest.fixture
def service(database: str | Path, regions: Regions) -> Iterator[HotspotService]:
    """A hotspot service on a fresh database of each backend (tests/conftest.py)."""
    svc = new_service(database, regions, busy_timeout_s=0.2)
    yield svc
    svc.store.close()


def sqlite_of(service: HotspotService) -> SqliteStore:
    assert isinstance(service.store, SqliteStore)
    return service.store


def store_of(service: HotspotService) -> Store:
    assert isinstance(service.store, SqliteStore | PostgresStore)
    return service.store


def test_each_store_satisfies_the_repository_port(service: HotspotService) -> None:
    store: Repository = store_of(service)
    assert store.hotspots.count() == 0


@pytest.mark.sqlite_only
def test_new_database_is_in_wal_mode_with_foreign_keys_and_the_latest_schema(
    service: HotspotService,
) -> None:
    store = sqlite_of(service)
    assert store.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.schema_version == len(HISTORY)


@pytest.mark.sqlite_only
def test_every_commit_is_synced_to_disk_before_it_is_acknowledged(
    service: HotspotService,
) -> None:
    """synchronous=FULL on every connection (issue 10 §5): in WAL mode NORMAL may lose the
    last commits, each carrying its audit row, on a power cut."""
    store = sqlite_of(service)
    assert store.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with ThreadPoolExecutor(1) as pool:  # another thread's connection too
        assert pool.submit(lambda: store.execute("PRAGMA synchronous").fetchone()[0]).result() == 2


def test_reopening_an_existing_database_keeps_its_hotspots(
    service: HotspotService, database: str | Path
) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    service.store.close()
    with open_store(database) as again:
        assert again.hotspots.get(created.id) == created


def test_ids_are_readable_and_sequential(service: HotspotService) -> None:
    ids = [service.register(draft(), TREKANTEN, user="a").id for _ in range(3)]
    assert ids == ["HS-000001", "HS-000002", "HS-000003"]


def test_the_hotspot_revision_moves_with_every_write_and_not_with_a_rolled_back_one(
    service: HotspotService,
) -> None:
    store = store_of(service)
    seen = [store.hotspots.revision()]
    created = service.register(draft(), TREKANTEN, user="a")
    seen.append(store.hotspots.revision())
    with store.transaction():  # two writes in one transaction: a read inside sees both
        service.register(draft(), SAMSOE, user="a")
        service.close(created.id, "lukket i testen", user="a")
        seen.append(store.hotspots.revision())
    assert seen[2] == store.hotspots.revision()
    assert len(set(seen)) == 3
    with pytest.raises(RuntimeError), store.transaction():
        service.register(draft(), SAMSOE, user="a")
        raise RuntimeError("rolled back")
    assert store.hotspots.revision() == seen[-1]


def test_versions_and_audit_log_are_append_only(service: HotspotService) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    store = store_of(service)  # even the store's own connection cannot rewrite history
    for sql in (
        "UPDATE hotspot_versions SET title = 'x'",
        "DELETE FROM hotspot_versions",
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "DELETE FROM hotspots",
    ):
        # SQLite: the guard triggers; PostgreSQL: the service role has no such right at all
        # (and the same triggers stop the owner: tests/store/test_postgres.py)
        with pytest.raises(
            (ConflictError, StorageError), match="append-only|never deleted|permission denied"
        ):
            store.execute(sql)
    assert store.hotspots.get(created.id) == created
    assert len(store.audit.entries()) == 1


def test_store_refuses_a_version_that_does_not_follow_the_current_one(
    service: HotspotService,
) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    store = store_of(service)
    second = dataclasses.replace(created, priority=5, version=2)
    store.hotspots.save_version(second, expected_version=1, action="update")
    rival = dataclasses.replace(created, priority=1, version=2)
    with pytest.raises(ConflictError, match="at version 2, not 1"):
        store.hotspots.save_version(rival, expected_version=1, action="update")
    assert [h.priority for h in store.hotspots.history(created.id)] == [4, 5]


def test_adding_an_existing_id_is_a_conflict(service: HotspotService) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    with pytest.raises(ConflictError, match="already exists"):
        store_of(service).hotspots.add(created)


@pytest.mark.sqlite_only
def test_a_write_that_fails_midway_leaves_nothing_behind(service: HotspotService) -> None:
    store = sqlite_of(service)
    # The version row is written before the audit entry; failing the audit insert must
    # take the version row and the id counter back with it.
    store.connection.execute(
        "CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON main.audit_log "
        "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
    )
    with pytest.raises(ConflictError, match="forced failure"):
        service.register(draft(), TREKANTEN, user="a")
    for table in ("hotspots", "hotspot_versions", "audit_log", "id_counters"):
        assert store.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table


def test_an_exception_inside_a_transaction_rolls_every_write_back(
    service: HotspotService,
) -> None:
    with pytest.raises(RuntimeError), service.store.transaction():
        service.register(draft(), TREKANTEN, user="a")
        service.register(draft(), SAMSOE, user="a")
        raise RuntimeError("the command failed after two writes")
    assert service.count() == 0


@contextmanager
def write_lock_held(database: str | Path) -> Iterator[None]:
    """Another program holds the database's write lock meanwhile."""
    if isinstance(database, Path):
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with psycopg.connect(database, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
        yield


def test_locked_database_raises_storage_error_and_writes_nothing(
    service: HotspotService, database: str | Path
) -> None:
    with write_lock_held(database), pytest.raises(StorageError, match="locked by another writer"):
        service.register(draft(), TREKANTEN, user="a")
    assert service.count() == 0
    assert service.register(draft(), TREKANTEN, user="a").id == "HS-000001"


def test_missing_database_is_a_storage_error_that_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database at .*smartspot init"):
        SqliteStore(tmp_path / "absent.db")


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the pages you are looking for" * 100)
    with pytest.raises(StorageError, match="not a readable Smart Spot database"):
        SqliteStore(path)


def test_a_database_from_a_newer_smart_spot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(HISTORY) + 1}")
    with pytest.raises(StorageError, match="newer than this Smart Spot"):
        SqliteStore(path)


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a folder"):
        SqliteStore(tmp_path)


def test_bbox_query_uses_metric_bounds(service: HotspotService) -> None:
    trekanten = service.register(draft(), TREKANTEN, user="a")
    service.register(draft(), SAMSOE, user="a")
    store = store_of(service)
    x, y = trekanten.geometry.centroid.coords[0]
    found = store.hotspots.list(HotspotQuery(bbox=(x - 10, y - 10, x + 10, y + 10)))
    assert [h.id for h in found] == [trekanten.id]
    assert store.hotspots.list(HotspotQuery(bbox=(x + 1, y + 1, x + 10, y + 10))) == []


def test_unknown_hotspot_history_is_not_found(service: HotspotService) -> None:
    with pytest.raises(NotFoundError):
        store_of(service).hotspots.history("HS-424242")


def test_threads_share_one_store_each_with_its_own_connection(service: HotspotService) -> None:
    def register_five() -> list[str]:
        return [service.register(draft(), TREKANTEN, user="t").id for _ in range(5)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        batches = list(pool.map(lambda _: register_five(), range(2)))
    ids = [hotspot_id for batch in batches for hotspot_id in batch]
    assert len(set(ids)) == 10
    assert service.count() == 10
    assert len(service.store.audit.entries()) == 10


def test_two_stores_on_one_database_cannot_both_win_the_same_version(
    service: HotspotService, database: str | Path, regions: Regions
) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    other = new_service(database, regions)  # a second program on the same database
    try:
        other.update(created.id, {"priority": 5}, expected_version=1, user="other")
        with pytest.raises(ConflictError, match="at version 2"):
            service.update(created.id, {"priority": 1}, expected_version=1, user="first")
    finally:
        other.store.close()
    assert [h.priority for h in service.history(created.id)] == [4, 5]
