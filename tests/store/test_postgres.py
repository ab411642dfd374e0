"""What only the PostgreSQL store has: the same tables as SQLite plus PostGIS geometry with
GiST indexes, guards that hold against the database's owner, a service role without the
rights to rewrite history, and ``audit verify`` catching each forgery on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from shapely.geometry import Point

from api.auth import new_account
from api.settings import Settings
from smartspot.domain import Patrol, PatrolStatus
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from smartspot.store.migrations import HISTORY
from smartspot.store.open import open_store
from smartspot.store.port import HotspotQuery
from smartspot.store.postgres import PostgresStore
from smartspot.store.records import PositionFix
from smartspot.store.schema_postgres_history import BASELINE
from tests.hotspot_fixtures import SAMSOE, START, TREKANTEN, draft, new_service
from tests.pg_cluster import SUPERUSER, Cluster


@pytest.fixture
def pg(pg_cluster: Cluster) -> Iterator[tuple[Cluster, str]]:
    name = pg_cluster.new_database()
    yield pg_cluster, name
    pg_cluster.drop_database(name)


@pytest.fixture
def service(pg: tuple[Cluster, str], regions: Regions) -> Iterator[HotspotService]:
    cluster, name = pg
    svc = new_service(cluster.url(name), regions)
    yield svc
    svc.store.close()


def owner(pg: tuple[Cluster, str]) -> psycopg.Connection:
    """The database's owner in psql: every right, but not Smart Spot's session flag."""
    cluster, name = pg
    return psycopg.connect(cluster.url(name, user=SUPERUSER), autocommit=True)


def columns_sqlite(tmp_path: Path) -> dict[str, set[str]]:
    open_store(tmp_path / "s.db", create=True).close()
    conn = sqlite3.connect(tmp_path / "s.db")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = {
        t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")}
        for t in tables
        if not t.startswith("sqlite_")
    }
    conn.close()
    return found


def test_both_backends_have_the_same_migrations_tables_and_columns(
    pg: tuple[Cluster, str], tmp_path: Path
) -> None:
    on_postgres = [m.version for m in HISTORY if m.postgresql is not None]
    assert on_postgres == list(range(BASELINE, len(HISTORY) + 1))
    with owner(pg) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name NOT IN "
            "('spatial_ref_sys', 'geometry_columns', 'geography_columns', 'smartspot_schema')"
        ).fetchall()
    postgres: dict[str, set[str]] = {}
    for table, column in rows:
        if column != "geom":  # PostGIS geometry, generated from the stored WKB/coordinates
            postgres.setdefault(table, set()).add(column)
    assert postgres == columns_sqlite(tmp_path)


def test_geometry_is_postgis_in_epsg_25832_with_gist_indexes_where_searched_by_place(
    pg: tuple[Cluster, str], service: HotspotService
) -> None:
    hotspot = service.register(draft(), TREKANTEN, user="a")
    with owner(pg) as conn:
        srid, wkt = conn.execute(
            "SELECT ST_SRID(geom), ST_AsText(geom) FROM hotspot_versions"
        ).fetchone()
        indexes = {
            r[0]
            for r in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist (geom)%'"
            )
        }
    assert srid == 25832
    x, y = hotspot.geometry.coords[0]
    assert wkt == f"POINT({x:.15g} {y:.15g})" or wkt.startswith("POINT(")
    assert {"hotspot_versions_geom", "callouts_geom", "followup_versions_geom"} <= indexes
    assert "patrols_geom" not in indexes  # the cars' last positions move in place (HOT)


def test_a_bbox_query_runs_in_the_database_on_the_gist_index(service: HotspotService) -> None:
    trekanten = service.register(draft(), TREKANTEN, user="a")
    service.register(draft(), SAMSOE, user="a")
    store = service.store
    assert isinstance(store, PostgresStore)
    x, y = trekanten.geometry.coords[0]
    box = (x - 10, y - 10, x + 10, y + 10)
    assert [h.id for h in store.hotspots.list(HotspotQuery(bbox=box))] == [trekanten.id]
    assert store.hotspots.count(HotspotQuery(bbox=box)) == 1
    store.execute("SET enable_seqscan = off")  # two rows: show that the index can serve it
    plan = " ".join(
        row[0]
        for row in store.execute(
            "EXPLAIN SELECT hotspot_id FROM hotspot_versions v "
            "WHERE v.geom && ST_MakeEnvelope(?, ?, ?, ?, 25832)",
            box,
        ).fetchall()
    )
    assert "hotspot_versions_geom" in plan


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("UPDATE users SET role = 'admin'", "users change only through Smart Spot"),
        ("UPDATE hotspots SET current_version = 1", "a hotspot changes only by a new version"),
        ("UPDATE audit_log SET actor = 'x'", "append-only"),
        ("DELETE FROM audit_log", "append-only"),
        ("TRUNCATE audit_log", "append-only"),
        ("DELETE FROM hotspot_versions", "append-only"),
        ("DELETE FROM users", "never deleted"),
        ("UPDATE users SET active = 0", "only through Smart Spot"),
    ],
)
def test_the_guards_stop_even_the_owner(
    pg: tuple[Cluster, str], service: HotspotService, sql: str, refusal: str
) -> None:
    service.register(draft(), TREKANTEN, user="a")
    account = new_account("ole", "operator", "correct horse battery", now=START, districts=("*",))
    service.store.users.add(account, actor="test")
    with owner(pg) as conn, pytest.raises(psycopg.errors.IntegrityConstraintViolation) as caught:
        conn.execute(sql)
    assert refusal in str(caught.value)


def test_the_service_role_cannot_drop_a_guard_or_delete(service: HotspotService) -> None:
    store = service.store
    assert isinstance(store, PostgresStore)
    with psycopg.connect(store.url, autocommit=True) as conn:
        for sql in (
            "DROP TRIGGER users_guard_update ON users",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "DELETE FROM callouts",
            "UPDATE audit_log SET actor = 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


@pytest.mark.parametrize(
    ("forgery", "kind"),
    [
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", "edited"),
        ("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)", "deleted"),
        ("UPDATE hotspot_versions SET title = 'forged' WHERE version = 1", "state"),
        (
            "INSERT INTO users (name, role, password_hash, created_at) "
            "VALUES ('eve', 'admin', 'x', '2026-01-01')",
            "inserted",
        ),
        (None, "trigger"),
    ],
)
def test_audit_verify_names_each_forgery_by_the_owner(
    pg: tuple[Cluster, str], service: HotspotService, forgery: str | None, kind: str
) -> None:
    first = service.register(draft(), TREKANTEN, user="a")
    service.register(draft(), SAMSOE, user="a")
    service.update(first.id, {"priority": 5}, expected_version=1, user="b")
    store = service.store
    assert isinstance(store, PostgresStore)
    assert store.verify_audit().ok
    with owner(pg) as conn:
        for table in ("audit_log", "hotspot_versions", "users"):
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        if forgery is not None:
            conn.execute(forgery)
            for table in ("audit_log", "hotspot_versions", "users"):
                conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    verdict = store.verify_audit()
    assert verdict.problem is not None
    assert verdict.problem.kind == kind, verdict.problem


def test_a_postgresql_url_selects_the_postgis_store(pg: tuple[Cluster, str]) -> None:
    cluster, name = pg
    url = cluster.url(name)
    assert Settings(db=url).backend == "postgresql"
    assert Settings(db=url).db == url
    assert Settings(db="sqlite:///var/x.db").backend == "sqlite"
    with open_store(url) as store:
        assert isinstance(store, PostgresStore)
        assert store.schema_version == len(HISTORY)


def test_audit_rows_of_one_transaction_chain_on_and_a_later_one_reads_the_head_again(
    service: HotspotService, pg: tuple[Cluster, str]
) -> None:
    store = service.store
    assert isinstance(store, PostgresStore)
    with store.transaction():  # the head is read once, then carried from row to row
        for k in range(3):
            store.patrols.add(Patrol(f"MV-{k}", "st01"), actor="a", at=START)
    cluster, name = pg
    other = open_store(cluster.url(name))  # another worker moves the head meanwhile
    try:
        other.patrols.add(Patrol("MV-9", "st01"), actor="b", at=START)
    finally:
        other.close()
    with store.transaction():
        store.patrols.set_status("MV-0", PatrolStatus.OFF_DUTY, actor="a", at=START)
    rows = store.audit.entries(entity="patrol")
    assert [(e.entity_id, e.action) for e in rows] == [
        ("MV-0", "create"), ("MV-1", "create"), ("MV-2", "create"), ("MV-9", "create"),
        ("MV-0", "set-status"),
    ]  # fmt: skip
    assert store.verify_audit().ok


def _audit_counter(store: PostgresStore) -> int:
    row = store.execute("SELECT last FROM id_counters WHERE kind = 'audit_log'").fetchone()
    return int(row[0])


def test_audit_rows_and_counter_are_written_with_the_commit_and_dropped_with_a_rollback(
    service: HotspotService,
) -> None:
    store = service.store
    assert isinstance(store, PostgresStore)
    with store.transaction():  # three audit rows: the counter is written once, at COMMIT
        for k in range(3):
            store.patrols.add(Patrol(f"MV-{k}", "st01"), actor="a", at=START)
    last = max(e.seq for e in store.audit.entries())
    assert _audit_counter(store) == last
    with pytest.raises(RuntimeError), store.transaction():
        store.patrols.add(Patrol("MV-8", "st01"), actor="a", at=START)
        raise RuntimeError("rolled back")
    assert _audit_counter(store) == last  # nothing handed out, nothing remembered
    assert "MV-8" not in {e.entity_id for e in store.audit.entries()}
    with store.transaction():  # the rows are written with COMMIT; read before, they are there
        store.patrols.set_status("MV-0", PatrolStatus.OFF_DUTY, actor="a", at=START)
        assert [e.action for e in store.audit.entries(entity_id="MV-0")][-1] == "set-status"
        verdict = store.verify_audit()
    assert verdict.ok and verdict.head_seq == last + 1 == _audit_counter(store)


def test_large_texts_are_compressed_with_lz4(service: HotspotService) -> None:
    store = service.store
    assert isinstance(store, PostgresStore)
    setting = store.execute("SHOW default_toast_compression").fetchone()[0]
    assert setting == "lz4"  # the server of the tests is built with it (Debian's is)


def test_events_held_for_the_commit_keep_their_order_and_go_with_a_rollback(
    service: HotspotService,
) -> None:
    store = service.store
    assert isinstance(store, PostgresStore)
    start = store.events.last()
    with store.transaction():
        assert store.events.append("patrol", {"n": 1}, at=START, seq=False) is None
        assert store.events.append("patrol", {"n": 2}, at=START, seq=False) is None
        third = store.events.append("patrol", {"n": 3}, at=START)  # the held ones first
        assert third is not None
        store.events.append("patrol", {"n": 4}, at=START, seq=False)
        assert [e.data["n"] for e in store.events.after(start)] == [1, 2, 3, 4]  # read: there
        store.events.append("patrol", {"n": 5}, at=START, seq=False)
    seen = store.events.after(start)
    assert [e.data["n"] for e in seen] == [1, 2, 3, 4, 5]
    assert [e.seq for e in seen] == sorted(e.seq for e in seen) and seen[2].seq == third
    with pytest.raises(RuntimeError), store.transaction():
        store.events.append("patrol", {"n": 6}, at=START, seq=False)
        raise RuntimeError("rolled back")
    assert [e.data["n"] for e in store.events.after(start)] == [1, 2, 3, 4, 5]
    store.events.append("patrol", {"n": 7}, at=START, seq=False)  # outside one: at once
    assert store.events.after(start)[-1].data == {"n": 7}


def test_an_avl_batch_written_with_the_commit_is_read_back_inside_it_and_gone_with_a_rollback(
    service: HotspotService,
) -> None:
    store = service.store
    assert isinstance(store, PostgresStore)
    store.patrols.add(Patrol("MV-1", "st01"), actor="a", at=START)
    fixes = [PositionFix("MV-1", START, Point(500_000.0, 6_200_000.0))]
    with store.transaction():
        assert store.patrols.record_positions(fixes) == 1
        moved = store.patrols.get("MV-1")  # the held rows are written before this read
        assert moved.position is not None and moved.position.x == 500_000.0
        assert len(store.patrols.positions("MV-1")) == 1
    later = [PositionFix("MV-1", START.replace(minute=1), Point(500_100.0, 6_200_000.0))]
    with pytest.raises(RuntimeError), store.transaction():
        store.patrols.record_positions(later)
        raise RuntimeError("rolled back")
    kept = store.patrols.get("MV-1")
    assert kept.position is not None and kept.position.x == 500_000.0
    assert len(store.patrols.positions("MV-1")) == 1
    store.patrols.record_positions(later)  # its own transaction: committed with its rows
    assert len(store.patrols.positions("MV-1")) == 2


def test_a_cars_last_position_moves_in_place_with_every_avl_fix(
    service: HotspotService,
) -> None:
    """Each fix rewrites the car's row; as a HOT update (no index on what changes, room in
    the page) the new version stays in its page and the old one is pruned there, so 2,000
    fixes a second do not bloat the 400-row table and an index that every batch and every
    clear reads through (issue 10 §7: 2.5 MB and 3.8 MB after 1,000 batches without)."""
    store = service.store
    assert isinstance(store, PostgresStore)
    store.patrols.add(Patrol("MV-1", "st01"), actor="a", at=START)
    with store.transaction():
        for k in range(20):
            at = START.replace(second=k)
            store.patrols.record_positions([PositionFix("MV-1", at, Point(500_000.0 + k, 6e6))])
        updated, hot = store.execute(
            "SELECT pg_stat_get_xact_tuples_updated('patrols'::regclass), "
            "pg_stat_get_xact_tuples_hot_updated('patrols'::regclass)"
        ).fetchone()
    assert updated == 20
    assert hot == updated
    moved = store.patrols.get("MV-1")
    assert moved.position is not None and moved.position.x == 500_019.0


def test_a_rounds_proposals_are_written_with_the_commit_read_back_inside_it_and_gone_with_a_rollback(
    service: HotspotService,
) -> None:
    from tests.store.test_sqlite_proposals import proposal, stop

    store = service.store
    assert isinstance(store, PostgresStore)
    for car in ("MVJ-11", "MVJ-12"):
        store.patrols.add(Patrol(car, "st01"), actor="a", at=START)
    round_ = [proposal(stop("HS-000001"), stop("HS-000002")), proposal(patrol="MVJ-12")]
    with store.transaction():
        stored = store.proposals.add_all(round_, actor="sys")
        waiting = [sql.split(" (")[0] for sql, _ in store._local.held]  # for COMMIT
        assert {"INSERT INTO proposals", "INSERT INTO proposal_stops"} <= set(waiting)
        assert [store.proposals.get(p.id) for p in stored] == stored  # written before the read
    with pytest.raises(RuntimeError), store.transaction():
        gone = store.proposals.add_all([proposal(stop("HS-000003"))], actor="sys")
        raise RuntimeError("rolled back")
    assert store.proposals.current("MVJ-11") == stored[0]
    assert [p.id for p in store.proposals.list(patrol="MVJ-11")] == [stored[0].id]
    assert gone[0].id not in {p.id for p in store.proposals.list()}
    assert store.verify_audit().ok
