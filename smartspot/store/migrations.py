"""The one migration tool: every schema version in one list, one loop that applies them.

A :class:`Migration` is a version number, what it does, and per backend what to run: SQL
texts, Python steps (``step(connection, at)``, the connection taking ``?`` placeholders on
either backend), or nothing on a backend that never had that version. :func:`upgrade` drives
a :class:`MigrationTarget` (the SQLite or the PostgreSQL store) from its version to the
newest, each migration marked as applied in the same transaction as its work.

A fresh database is not migrated: it is created from the one table definition
(:mod:`smartspot.store.tables`) at :data:`~smartspot.store.tables.VERSION`. The migrations are
frozen history that bring a database made by an earlier Smart Spot to the same schema:
never edit one that has landed. A schema change is one new entry at the end of
:data:`HISTORY` *and* the change in ``tables.py`` (with ``VERSION`` raised);
``tests/store/test_schema_identity.py`` holds both roads to the same schema on both backends.

SQLite had migrations 1–3 before PostgreSQL existed: a PostgreSQL database starts at 4 (the
state SQLite reaches after 1–4, :data:`~smartspot.store.schema_postgres_history.BASELINE`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from smartspot.store import schema, schema_postgres_history, sqlite_audit, tables
from smartspot.store.sql import Dialect
from smartspot.store.sqlite_users import assign_existing_districts

#: A Python step: runs inside the migration's transaction, after the SQL before it.
Step = Callable[[Any, str], object]
#: What a migration runs on one backend, in order: SQL scripts and Python steps.
Actions = Sequence[str | Step]


def _seal_existing(conn: Any, at: str) -> object:
    return sqlite_audit.seal_existing(conn, at=at)


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema version.

    Parameters
    ----------
    version
        Its number (1, 2, …), stored in the database once it is applied.
    description
        What it changes, in a line.
    sqlite, postgresql
        What it runs on each backend, in order; ``None`` where that backend never had this
        version (PostgreSQL before its baseline).
    """

    version: int
    description: str
    sqlite: Actions | None
    postgresql: Actions | None

    def actions(self, dialect: Dialect) -> Actions | None:
        return self.sqlite if dialect == "sqlite" else self.postgresql


_PG = schema_postgres_history.MIGRATIONS
_SQLITE = schema.MIGRATIONS

#: Every migration, oldest first (version n at index n - 1).
HISTORY: tuple[Migration, ...] = (
    Migration(1, "hotspots with every version, id counters, the audit log", (_SQLITE[0],), None),
    Migration(
        2, "users, patrols and their positions, callouts, visits, proposals", (_SQLITE[1],), None
    ),
    Migration(
        3,
        "the live engine's state: proposal stops, stays, the event log",
        (_SQLITE[2],),
        None,
    ),
    Migration(
        4,
        "a tamper-evident record: chained audit rows, guards on every table with history",
        (_SQLITE[3], _seal_existing),
        (_PG[4],),  # PostgreSQL's baseline: the whole schema SQLite has after 1-4
    ),
    Migration(5, "tryghedsopfølgninger (follow-ups)", (_SQLITE[4],), (_PG[5],)),
    Migration(
        6,
        "users belong to districts",
        (_SQLITE[5], assign_existing_districts),
        (_PG[6], assign_existing_districts),
    ),
    Migration(
        7,
        "the login throttle's counts in the database, shared by every worker and node",
        (
            """
            CREATE TABLE login_throttle (
                key_hash TEXT PRIMARY KEY,
                failures INTEGER NOT NULL CHECK (failures >= 0),
                last_failure REAL NOT NULL,
                blocked_until REAL NOT NULL,
                pending INTEGER NOT NULL CHECK (pending >= 0),
                pending_until REAL NOT NULL,
                expires_at REAL NOT NULL
            );
            CREATE INDEX login_throttle_expiry ON login_throttle (expires_at);
            """,
        ),
        (
            """
            CREATE TABLE login_throttle (
                key_hash TEXT PRIMARY KEY,
                failures INTEGER NOT NULL CHECK (failures >= 0),
                last_failure DOUBLE PRECISION NOT NULL,
                blocked_until DOUBLE PRECISION NOT NULL,
                pending INTEGER NOT NULL CHECK (pending >= 0),
                pending_until DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX login_throttle_expiry ON login_throttle (expires_at);
            """,
        ),
    ),
    Migration(
        8,
        "the cars' last positions updated in place (PostgreSQL: no index on them, room in "
        "each page)",
        ("-- SQLite keeps its schema: nothing indexes the cars' last positions there",),
        (
            """
            DROP INDEX IF EXISTS patrols_geom;
            ALTER TABLE patrols SET (fillfactor = 25);
            """,
        ),
    ),
)


def newest() -> int:
    """The version the newest migration brings a database to."""
    return HISTORY[-1].version


class MigrationTarget(Protocol):
    """A database as :func:`upgrade` drives it (each store provides one)."""

    @property
    def dialect(self) -> Dialect: ...

    def applying(self, version: int) -> AbstractContextManager[None]:
        """The transaction of one migration (or of the fresh schema); records ``version`` as
        applied just before it commits."""
        ...

    def run_script(self, sql: str) -> None:
        """Run one SQL script (several statements) inside the open migration."""
        ...

    def step_connection(self) -> Any:
        """What a Python step gets: runs ``?``-placeholder SQL in the open migration."""
        ...

    def fresh_script(self) -> str:
        """The whole current schema for an empty database."""
        ...


def upgrade(target: MigrationTarget, current: int, *, at: str) -> int:
    """Bring ``target`` from schema version ``current`` to the newest; returns that version.

    An empty database (``current == 0``) is created from the table definition at once when
    the history ends where the definition is (a test may pretend to be an older Smart Spot
    by shortening :data:`HISTORY`: then it is migrated step by step).
    """
    last = newest()
    if current == 0 and last == tables.VERSION:
        with target.applying(last):
            target.run_script(target.fresh_script())
        return last
    for migration in HISTORY:
        actions = migration.actions(target.dialect)
        if migration.version <= current or actions is None:
            continue
        with target.applying(migration.version):
            for action in actions:
                if isinstance(action, str):
                    target.run_script(action)
                else:
                    action(target.step_connection(), at)
    return last
