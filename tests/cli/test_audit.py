"""``smartspot audit verify`` catches every forgery the issue lists, each at its first broken
row; the guards refuse writes from other programs; ``audit show`` reads one object's story."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from smartspot.cli.audit import local_time
from smartspot.cli.main import main
from smartspot.store.migrations import HISTORY
from smartspot.store.sqlite import SqliteStore
from smartspot.store.sqlite_audit import expected_triggers
from tests.store.audit_fixtures import Busy, busy_database

OLD_DATABASES = Path(__file__).parents[1] / "store" / "data"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Busy:
    return busy_database(tmp_path_factory.mktemp("busy"))


@pytest.fixture
def busy(original: Busy, tmp_path: Path) -> Busy:
    """A fresh copy of the busy database for each forgery."""
    with SqliteStore(original.db) as store:
        store.backup(tmp_path / "copy.db")
    return Busy(tmp_path / "copy.db", original.hotspot, original.callout, original.proposal)


def _verify(db: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:
    code = main(["audit", "verify", "--db", str(db), "--json", *extra])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def _attacker(db: Path) -> sqlite3.Connection:
    """Someone with the file and the sqlite3 library: drops every trigger first."""
    conn = sqlite3.connect(db, isolation_level=None)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    return conn


def _recreate_triggers(conn: sqlite3.Connection) -> None:
    for sql in expected_triggers().values():
        conn.execute(sql)


def test_an_untouched_database_verifies(busy: Busy, capsys: pytest.CaptureFixture[str]) -> None:
    code, result, _ = _verify(busy.db, capsys)
    assert code == 0
    assert result["ok"] and result["integrity_check"] == "ok"
    assert result["rows"] > 100 and result["objects"] > 100


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE users SET role = 'admin' WHERE name = 'operator'",
        "UPDATE hotspots SET current_version = 1",
        "UPDATE callouts SET patrol = NULL",
        "UPDATE proposals SET decided_by = 'someone'",
        "UPDATE audit_log SET actor = 'admin' WHERE seq = 5",
        "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
        "DELETE FROM users",
        "DELETE FROM hotspot_versions",
    ],
)
def test_other_programs_cannot_change_guarded_tables(busy: Busy, sql: str) -> None:
    conn = sqlite3.connect(busy.db)
    with pytest.raises(sqlite3.Error):
        conn.execute(sql)
    conn.close()


#: Every table that holds history, decisions or users (issue 10 §4); stays and id counters are
#: working state, rebuilt by the engine.
GUARDED = (
    "hotspots",
    "hotspot_versions",
    "audit_log",
    "users",
    "patrols",
    "positions",
    "callouts",
    "visits",
    "proposals",
    "proposal_stops",
    "events",
)


@pytest.mark.parametrize("table", GUARDED)
def test_every_table_of_history_decisions_or_users_refuses_updates_and_deletes(
    busy: Busy, table: str
) -> None:
    conn = sqlite3.connect(busy.db, isolation_level=None)
    assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0  # rows to guard
    column = conn.execute(f"SELECT * FROM {table} LIMIT 1").description[-1][0]
    with pytest.raises(sqlite3.Error):
        conn.execute(f"UPDATE {table} SET {column} = {column}")
    with pytest.raises(sqlite3.Error):
        conn.execute(f"DELETE FROM {table}")
    conn.close()


def _edit_actor(conn: sqlite3.Connection, busy: Busy) -> int:
    conn.execute("UPDATE audit_log SET actor = 'admin' WHERE seq = 20")
    return 20


def _delete_middle(conn: sqlite3.Connection, busy: Busy) -> int:
    conn.execute("DELETE FROM audit_log WHERE seq = 30")
    return 31


def _delete_last(conn: sqlite3.Connection, busy: Busy) -> int:
    last = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE seq = ?", (last,))
    return int(last)


def _reorder(conn: sqlite3.Connection, busy: Busy) -> int:
    conn.execute("UPDATE audit_log SET seq = -1 WHERE seq = 40")
    conn.execute("UPDATE audit_log SET seq = 40 WHERE seq = 41")
    conn.execute("UPDATE audit_log SET seq = 41 WHERE seq = -1")
    return 40


def _insert(conn: sqlite3.Connection, busy: Busy) -> int:
    row = conn.execute("SELECT * FROM audit_log WHERE seq = 50").fetchone()
    last = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, "
        "state_hash, prev_hash, hash) VALUES (?, ?, 'admin', 'close', ?, ?, ?, ?, ?, ?, ?)",
        (last + 1, *row[1:2], *row[4:]),
    )
    return int(last) + 1


def _edit_history(conn: sqlite3.Connection, busy: Busy) -> int:
    conn.execute(
        "UPDATE hotspot_versions SET priority = 1, updated_by = 'someone' "
        "WHERE hotspot_id = ? AND version = 2",
        (busy.hotspot,),
    )
    return int(
        conn.execute(
            "SELECT max(seq) FROM audit_log WHERE entity_id = ?", (busy.hotspot,)
        ).fetchone()[0]
    )


def _roll_back_hotspot(conn: sqlite3.Connection, busy: Busy) -> int:
    conn.execute("UPDATE hotspots SET current_version = 1 WHERE id = ?", (busy.hotspot,))
    return int(
        conn.execute(
            "SELECT max(seq) FROM audit_log WHERE entity_id = ?", (busy.hotspot,)
        ).fetchone()[0]
    )


def _promote_user(conn: sqlite3.Connection, busy: Busy) -> int:
    conn.execute("UPDATE users SET role = 'admin' WHERE name = 'operator'")
    return int(
        conn.execute(
            "SELECT max(seq) FROM audit_log WHERE entity = 'user' AND entity_id = 'operator'"
        ).fetchone()[0]
    )


@pytest.mark.parametrize(
    ("forge", "kind"),
    [
        (_edit_actor, "edited"),
        (_delete_middle, "deleted"),
        (_delete_last, "deleted"),
        (_reorder, "inserted or reordered"),
        (_insert, "inserted or reordered"),
        (_edit_history, "state"),
        (_roll_back_hotspot, "state"),
        (_promote_user, "state"),
    ],
)
def test_each_forgery_is_named_at_its_first_broken_row_even_with_the_triggers_back(
    busy: Busy,
    capsys: pytest.CaptureFixture[str],
    forge: Callable[[sqlite3.Connection, Busy], int],
    kind: str,
) -> None:
    conn = _attacker(busy.db)
    broken = forge(conn, busy)
    _recreate_triggers(conn)  # cover the tracks
    conn.close()
    code, result, err = _verify(busy.db, capsys)
    assert code == 8
    assert (result["broken"]["seq"], result["broken"]["kind"]) == (broken, kind), result
    assert f"{broken}" in err


def test_dropped_triggers_are_reported(busy: Busy, capsys: pytest.CaptureFixture[str]) -> None:
    _attacker(busy.db).close()
    code, result, _ = _verify(busy.db, capsys)
    assert code == 8 and result["broken"]["kind"] == "trigger"


def test_a_chain_recomputed_after_the_forgery_is_caught_by_the_anchors(
    busy: Busy, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from dataclasses import replace

    from smartspot.store.audit import GENESIS, ChainRow, row_hash

    anchors = tmp_path / "anchors.txt"
    assert _verify(busy.db, capsys, "--anchors", str(anchors))[0] == 0
    assert len(anchors.read_text().splitlines()) == 1
    conn = _attacker(busy.db)
    rows = [
        ChainRow(*r)
        for r in conn.execute(
            "SELECT seq, at, actor, action, entity, entity_id, before, after, state_hash, "
            "prev_hash, hash FROM audit_log ORDER BY seq"
        )
    ]
    prev = GENESIS
    for row in rows:  # rewrite one actor and recompute every hash after it
        row = replace(row, actor="admin" if row.seq == 20 else row.actor, prev_hash=prev)
        sealed = row_hash(prev, row)
        conn.execute(
            "UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (row.actor, prev, sealed, row.seq),
        )
        prev = sealed
    _recreate_triggers(conn)
    conn.close()
    assert _verify(busy.db, capsys)[0] == 0  # self-consistent without the anchors …
    code, result, _ = _verify(busy.db, capsys, "--anchors", str(anchors))
    assert code == 8 and result["broken"]["kind"] == "anchor"


def test_audit_show_tells_who_did_what_in_copenhagen_time(
    busy: Busy, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "show", busy.hotspot, "--db", str(busy.db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[4] for line in lines] == ["create", "update", "close"]
    assert lines[0].startswith("2026-03-14 22:00:00 CET  analyst")  # 21:00 UTC
    assert main(["audit", "show", "XX-1", "--db", str(busy.db)]) == 3


def test_audit_show_writes_summer_and_winter_time_as_copenhagen_reads_them() -> None:
    assert local_time("2026-07-12T21:00:00+00:00") == "2026-07-12 23:00:00 CEST"
    assert local_time("2026-10-25T00:30:00+00:00") == "2026-10-25 02:30:00 CEST"  # before 3:00
    assert local_time("2026-10-25T01:30:00+00:00") == "2026-10-25 02:30:00 CET"  # after it
    assert local_time("2026-03-14T21:00:00+00:00") == "2026-03-14 22:00:00 CET"


def test_a_database_from_before_the_chain_upgrades_without_loss_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    shutil.copy(OLD_DATABASES / "busy-v3.db", old)  # main before the chain: no hashes
    with sqlite3.connect(old) as conn:
        tables = ("hotspots", "hotspot_versions", "users", "callouts", "proposals")
        columns = {
            t: ", ".join(d[0] for d in conn.execute(f"SELECT * FROM {t}").description)
            for t in tables
        }
        before = {
            t: conn.execute(f"SELECT {columns[t]} FROM {t} ORDER BY 1").fetchall() for t in tables
        }
        audit_before = conn.execute(
            "SELECT seq, at, actor, action, entity, entity_id, before, after FROM audit_log"
        ).fetchall()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    with SqliteStore(old) as store:
        assert store.schema_version == len(HISTORY)
    with sqlite3.connect(old) as conn:
        for table, rows in before.items():
            kept_rows = conn.execute(f"SELECT {columns[table]} FROM {table} ORDER BY 1")
            assert kept_rows.fetchall() == rows, table  # (later migrations may add columns)
        kept = conn.execute(
            "SELECT seq, at, actor, action, entity, entity_id, before, after FROM audit_log "
            f"WHERE seq <= {len(audit_before)}"
        ).fetchall()
        assert kept == audit_before
        seals = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'seal'").fetchone()
        assert seals[0] > 100
    code, result, _ = _verify(old, capsys)
    assert code == 0, result


def test_a_backup_is_a_database_that_verifies(
    busy: Busy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backup.db"
    assert main(["backup", str(target), "--db", str(busy.db)]) == 0
    capsys.readouterr()
    assert _verify(target, capsys)[0] == 0
    assert main(["backup", str(target), "--db", str(busy.db)]) == 4  # never overwrites
