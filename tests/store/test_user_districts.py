"""Users belong to districts: stored, changed with an audit row, and given to the accounts of a
database from before (migration 6), on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from smartspot.access import ALL_DISTRICTS
from smartspot.clock import FixedClock
from smartspot.errors import InvalidInputError
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from smartspot.store.migrations import HISTORY
from smartspot.store.open import Store, open_store
from smartspot.store.records import UserAccount
from smartspot.store.sqlite import SqliteStore
from tests.hotspot_fixtures import SAMSOE, START, TREKANTEN, draft
from tests.store.schema_shape import table_rows

OLD_DATABASES = Path(__file__).parent / "data"
MV, OJ = "Midt- og Vestjyllands Politi", "Østjyllands Politi"


def test_a_users_districts_are_stored_and_changed_with_an_audit_row(database: str | Path) -> None:
    with open_store(database, create=True) as store:
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
        assert store.schema_version == len(HISTORY) >= 6
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


def _older(database: str | Path, migrations: int) -> Store:
    """The database as a Smart Spot with only the first ``migrations`` migrations made it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("smartspot.store.migrations.HISTORY", HISTORY[:migrations])
        return open_store(database, create=True)


def _old_user(store: Store, name: str, role: str) -> None:
    """An account as Smart Spot wrote it before users had districts."""
    store.execute(
        "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, 'h', ?)",
        (name, role, "2026-01-01T00:00:00+00:00"),
    )
    store.write_audit(
        at=START,
        actor="a",
        action="create",
        entity="user",
        entity_id=name,
        before=None,
        after={"name": name, "role": role},
    )


def test_a_database_without_data_gives_everyone_all_districts(
    empty_database: str | Path,
) -> None:
    database = empty_database
    with _older(database, 5) as old, old.transaction():  # the Smart Spot before migration 6
        _old_user(old, "ole", "operator")
    with open_store(database, create=True) as store:  # `smartspot db upgrade`
        assert store.schema_version == len(HISTORY)
        assert store.users.get("ole").districts == (ALL_DISTRICTS,)
        assert store.verify_audit().ok


def test_migration_6_gives_others_the_districts_the_database_holds(
    empty_database: str | Path, regions: Regions
) -> None:
    database = empty_database
    with _older(database, 5) as old:
        service = HotspotService(old, regions, FixedClock(START))
        service.register(draft(), TREKANTEN, user="ana")
        service.register(draft(), SAMSOE, user="ana")
        with old.transaction():
            _old_user(old, "ole", "operator")
            _old_user(old, "root", "admin")
    with open_store(database, create=True) as store:
        assert store.users.get("ole").districts == (MV, OJ)
        assert store.users.get("root").districts == (ALL_DISTRICTS,)
        rows = [e for e in store.audit.entries(entity="user") if e.action == "set-districts"]
        assert [(e.entity_id, e.actor) for e in rows] == [
            ("ole", "smartspot"),
            ("root", "smartspot"),
        ]
        assert rows[0].after == {"districts": [MV, OJ]}
        verdict = store.verify_audit()
        assert verdict.ok, verdict


def test_a_database_of_todays_main_upgrades_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    shutil.copy(OLD_DATABASES / "busy-v5.db", path)
    before = table_rows(path)
    assert before["followup_attempts"] and before["followups"]
    with SqliteStore(path) as store:
        assert store.schema_version == len(HISTORY) >= 6
        assert store.followups.get("TO-000002").status.value == "done_by_phone"
        assert len(store.followups.attempts("TO-000001")) == 1
        verdict = store.verify_audit()
        assert verdict.ok, verdict
    after = table_rows(path)
    added = after["audit_log"][len(before["audit_log"]) :]
    assert len(added) == len(before["users"])  # one set-districts row per account, nothing else
    assert after["audit_log"][: len(before["audit_log"])] == before["audit_log"]
    assert [row[:-1] for row in after["users"]] == before["users"]  # districts: the new column
    for table in set(before) - {"audit_log", "users"}:
        assert after[table] == before[table], table
