"""One schema: a fresh database, created from the one table definition (store/tables.py with
each backend's own parts), has exactly the schema that the frozen migrations give a database
made by an earlier Smart Spot, on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smartspot.store import tables
from smartspot.store.migrations import HISTORY
from smartspot.store.open import is_postgres, open_store
from smartspot.store.schema_postgres_history import BASELINE
from tests.store.schema_shape import postgres_shape, sqlite_shape, tokens

OLD_DATABASES = Path(__file__).parent / "data"


def shape(database: str | Path) -> object:
    return postgres_shape(str(database)) if is_postgres(database) else sqlite_shape(Path(database))


def by_history(database: str | Path, migrations: int = len(HISTORY)) -> None:
    """Migrate an empty database through the first ``migrations`` frozen migrations, as the
    Smart Spots before the one table definition did."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "VERSION", 0)  # never the fresh road
        patch.setattr("smartspot.store.migrations.HISTORY", HISTORY[:migrations])
        open_store(database, create=True).close()


def test_the_history_ends_where_the_table_definition_is() -> None:
    assert [m.version for m in HISTORY] == list(range(1, tables.VERSION + 1))
    on_postgres = [m.version for m in HISTORY if m.postgresql is not None]
    assert on_postgres == list(range(BASELINE, tables.VERSION + 1))
    assert all(m.sqlite for m in HISTORY)


def test_a_fresh_database_has_the_schema_the_migrations_build(
    database: str | Path, empty_database: str | Path
) -> None:
    open_store(database, create=True).close()  # fresh: the current definition at once
    by_history(empty_database)
    assert shape(database) == shape(empty_database)


@pytest.mark.parametrize("migrations", range(BASELINE, len(HISTORY)))
def test_a_database_of_an_older_smart_spot_upgrades_to_the_fresh_schema(
    database: str | Path, empty_database: str | Path, migrations: int
) -> None:
    open_store(database, create=True).close()
    by_history(empty_database, migrations)
    open_store(empty_database, create=True).close()  # `smartspot db upgrade`
    assert shape(database) == shape(empty_database)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", ["busy-v3.db", "busy-v4.db", "busy-v5.db", "busy-v6.db"])
def test_the_databases_older_mains_wrote_upgrade_to_the_fresh_schema(
    database: str | Path, tmp_path: Path, name: str
) -> None:
    open_store(database, create=True).close()
    old = tmp_path / name
    shutil.copy(OLD_DATABASES / name, old)
    open_store(old).close()
    assert sqlite_shape(old) == sqlite_shape(Path(database))


def test_the_comparison_sees_a_changed_check() -> None:
    assert tokens("a INTEGER CHECK (a IN (0, 1)) -- a flag") == tokens(
        '"a"  integer check(a in (0,1))'
    )
    assert tokens("CHECK (a IN (0, 1))") != tokens("CHECK (a IN (0, 2))")
    assert tokens("DEFAULT 'X'") != tokens("DEFAULT 'x'")
