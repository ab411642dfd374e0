"""Users belong to districts: stored, changed with an audit row, and given to the accounts of a
database from before (migration 6)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from smartspot.access import ALL_DISTRICTS
from smartspot.errors import InvalidInputError
from smartspot.store.records import UserAccount
from smartspot.store.schema import MIGRATIONS
from smartspot.store.sqlite import SqliteStore
from tests.hotspot_fixtures import START

OLD_DATABASES = Path(__file__).parent / "data"
MV, OJ = "Midt- og Vestjyllands Politi", "Østjyllands Politi"


def test_a_users_districts_are_stored_and_changed_with_an_audit_row() -> None:
    with SqliteStore(":memory:") as store:
        store.users.add(
            UserAccount("ole", "operator", "$argon2id$x", START, districts=(MV,)), actor="a"
        )
        assert store.users.get("ole").districts == (MV,)
        generation = store.users.token_generation("ole")
        changed = store.users.set_districts("ole", [OJ, MV, OJ], actor="admin", at=START)
        assert changed.districts == (MV, OJ) == store.users.get("ole").districts
        last = store.audit.entries(entity="user")[-1]
        assert last.action == "set-districts"
        assert last.before is not None and last.before["districts"] == [MV]
        assert last.after is not None and last.after["districts"] == [MV, OJ]
        # the user's logins go on: districts are read on every request, not carried in tokens
        assert store.users.token_generation("ole") == generation
        assert store.verify_audit().ok


def test_all_districts_stands_alone() -> None:
    with pytest.raises(InvalidInputError, match="stands alone"):
        UserAccount("ole", "admin", "h", START, districts=(ALL_DISTRICTS, MV))
    with pytest.raises(InvalidInputError, match="names of politikredse"):
        UserAccount("ole", "admin", "h", START, districts=("",))


def test_a_database_from_before_gives_admins_all_districts_and_others_those_it_holds(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    shutil.copy(OLD_DATABASES / "busy-v4.db", path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        users_before = conn.execute(
            "SELECT name, role, password_hash, created_at, active FROM users ORDER BY name"
        ).fetchall()
    with SqliteStore(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 6
        districts = {u.name: u.districts for u in store.users.list()}
        assert districts == {
            "admin": (ALL_DISTRICTS,),
            "analyst": (MV, OJ),
            "operator": (MV, OJ),
            "planner": (MV, OJ),
        }
        rows = [e for e in store.audit.entries(entity="user") if e.action == "set-districts"]
        assert sorted(e.entity_id for e in rows) == sorted(districts)
        assert {e.actor for e in rows} == {"smartspot"}
        verdict = store.verify_audit()
        assert verdict.ok, verdict
    with sqlite3.connect(path) as conn:
        kept = conn.execute(
            "SELECT name, role, password_hash, created_at, active FROM users ORDER BY name"
        ).fetchall()
    assert kept == users_before


def test_a_database_without_data_gives_everyone_all_districts(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    with pytest.MonkeyPatch.context() as patch:  # a Smart Spot from before migrations 5 and 6
        patch.setattr("smartspot.store.sqlite.MIGRATIONS", MIGRATIONS[:4])
        with SqliteStore(path, create=True) as old:
            old.execute(
                "INSERT INTO users (name, role, password_hash, created_at) "
                "VALUES ('ole', 'operator', 'h', '2026-01-01T00:00:00+00:00')"
            )
            old.write_audit(
                at=START,
                actor="a",
                action="create",
                entity="user",
                entity_id="ole",
                before=None,
                after={"name": "ole"},
            )
    with SqliteStore(path) as store:
        assert store.users.get("ole").districts == (ALL_DISTRICTS,)
        assert store.verify_audit().ok
