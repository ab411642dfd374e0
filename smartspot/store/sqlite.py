"""The embedded SQLite store: one database file, WAL mode, foreign keys on, migrations.

Uses the standard library's ``sqlite3`` (no ORM: the SQL is small, and a plain adapter keeps
what runs against the file visible). Each thread gets its own connection, so a web server's
worker threads can share one :class:`SqliteStore`; a transaction belongs to its thread.

Every SQLite failure leaves here as :class:`StorageError` with a message a person can act on.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smartspot.errors import ConflictError, StorageError
from smartspot.i18n import msg
from smartspot.store import migrations, schema_sqlite, sqlite_audit
from smartspot.store.sql import Dialect, Params
from smartspot.store.sql_base import SqlStoreBase
from smartspot.store.timestamps import iso

DEFAULT_BUSY_TIMEOUT_S = 5.0
#: The migration after which existing audit rows are chained and existing objects sealed.
SEAL_MIGRATION = 4

#: The path of a private in-memory database (one connection, shared by the threads of one
#: process): the simulation's store.
MEMORY = ":memory:"


class SqliteStore(SqlStoreBase):
    """A Smart Spot database in one SQLite file.

    Parameters
    ----------
    path
        The database file.
    create
        Create the file (and its folder) when missing; otherwise a missing file is an error.
    busy_timeout_s
        How long a write waits for another writer before giving up with StorageError.

    Raises
    ------
    StorageError
        When the file is missing (and ``create`` is false), not a SQLite database, made by a
        newer Smart Spot, or locked for longer than ``busy_timeout_s``.
    """

    dialect: Dialect = "sqlite"

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = False,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.memory = str(path) == MEMORY
        if not self.memory and not self.path.exists():
            if not create:
                raise StorageError(
                    msg(
                        "no database at {path}; create it with `smartspot init --db {path}`",
                        path=self.path,
                    )
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StorageError(
                    msg("cannot create {parent}: {error}", parent=self.path.parent, error=error)
                ) from None
        elif not self.memory and self.path.is_dir():
            raise StorageError(msg("{path} is a folder, not a database file", path=self.path))
        self._init_connections()
        self._migrate()
        self._schema_version: int | None = self.schema_version  # fixed from here on
        self._init_repositories()

    # -- connections and transactions -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self.memory:
            with self._lock:
                if self._connections:
                    return self._connections[0]
                conn = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA foreign_keys = ON")
                sqlite_audit.writer_function(conn)
                self._connections.append(conn)
                return conn
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout_s,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # only close() touches another thread's connection
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            # FULL: every commit (each carries its audit row) is on disk before it is
            # acknowledged; NORMAL in WAL mode may lose the last commits on a power cut.
            conn.execute("PRAGMA synchronous = FULL")
            # Erased personal data (a follow-up's name and phone) is overwritten in the file,
            # not left in a page's free space.
            conn.execute("PRAGMA secure_delete = ON")
            sqlite_audit.writer_function(conn)
        except sqlite3.Error as error:
            raise self.storage_error(error) from None
        if str(mode).lower() != "wal":
            conn.close()
            raise StorageError(
                msg(
                    "{path}: cannot switch the database to WAL mode ({mode})",
                    path=self.path,
                    mode=mode,
                )
            )
        with self._lock:
            self._connections.append(conn)
        return conn

    @property
    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.depth = 0
        return conn

    def _begin(self, conn: sqlite3.Connection, *, bookkeeping: bool = False) -> None:
        # BEGIN IMMEDIATE takes the write lock up front
        try:
            if bookkeeping and not self.memory:  # its commit need not wait for the disk
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self._ended(conn, bookkeeping=bookkeeping)
            raise self.storage_error(error) from None

    def _ended(self, conn: sqlite3.Connection, *, bookkeeping: bool) -> None:
        if bookkeeping and not self.memory:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA synchronous = FULL")

    def _commit(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback(conn)
            raise self.storage_error(error) from None

    def _rollback(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement; SQLite errors become StorageError (conflicts the domain can
        foresee are checked, and raised as ConflictError, before the write)."""
        with self._errors():
            return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement per row of parameters (errors as in :meth:`execute`)."""
        with self._errors():
            self.connection.executemany(sql, rows)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.IntegrityError as error:
            # a rule of the data was broken (a caller's mistake, not an outage): 409, never 503
            raise ConflictError(
                msg("the database refused the write: {error}", error=error)
            ) from None
        except sqlite3.Error as error:
            raise self.storage_error(error) from None

    # -- shared helpers for the repositories ------------------------------------------------

    def next_number(self, kind: str, count: int = 1) -> int:
        """The next number in the counter ``kind`` (1, 2, …), or the last of the next
        ``count`` numbers; rolled back with its transaction."""
        with self.transaction():
            self.execute(
                "INSERT INTO id_counters (kind, last) VALUES (?, ?) "
                "ON CONFLICT (kind) DO UPDATE SET last = last + excluded.last",
                (kind, count),
            )
            row = self.execute("SELECT last FROM id_counters WHERE kind = ?", (kind,)).fetchone()
        return int(row["last"])

    def _append_audit(self, **row: Any) -> None:
        if self.schema_version < SEAL_MIGRATION:  # a database kept at an older schema
            row.pop("rows", None)
            self.execute(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) "
                "VALUES (:at, :actor, :action, :entity, :entity_id, :before, :after)",
                row,
            )
            return
        with self._errors():
            sqlite_audit.append(self.connection, **row)

    def _verify(self, anchors: Mapping[int, str] | None) -> sqlite_audit.Verdict:
        return sqlite_audit.verify(self.connection, anchors=anchors)

    def integrity_check(self) -> str:
        """SQLite's own check of the file ("ok" when sound)."""
        return str(self.execute("PRAGMA integrity_check").fetchone()[0])

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the database in ``target``, with SQLite's online backup API
        (safe while the service writes)."""
        destination = sqlite3.connect(target)
        try:
            self.connection.backup(destination)
        except sqlite3.Error as error:
            raise self.storage_error(error, during="backup") from None
        finally:
            destination.close()

    # -- migrations and errors --------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        cached: int | None = getattr(self, "_schema_version", None)  # set once migrated
        if cached is not None:
            return cached
        return int(self.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        self._refuse_newer(current, migrations.newest())
        migrations.upgrade(_SqliteMigration(self), current, at=iso(datetime.now(UTC)))

    def storage_error(self, error: sqlite3.Error, *, during: str = "") -> StorageError:
        """A SQLite error as a StorageError a person can act on."""
        text = str(error)
        where = f"{self.path}" + (f" ({during})" if during else "")
        if "locked" in text or "busy" in text:
            return StorageError(
                msg(
                    "{where} is locked by another writer for more than {busy_timeout_s:g} s; nothing was written, try again",
                    where=where,
                    busy_timeout_s=self.busy_timeout_s,
                )
            )
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return StorageError(
                msg(
                    "{where} is not a readable Smart Spot database ({text}); restore it from a backup or point --db at another file",
                    where=where,
                    text=text,
                )
            )
        if "unable to open" in text:
            return StorageError(msg("cannot open {where}: {text}", where=where, text=text))
        return StorageError(msg("{where}: {text}", where=where, text=text))


def statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, one by one (a trigger's body stays whole)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    rest = "\n".join(
        line for line in pending.rstrip(";").splitlines() if not line.strip().startswith("--")
    )
    if rest.strip():
        raise ValueError(f"an incomplete statement at the end of a migration: {rest.strip()!r}")


class _SqliteMigration:
    """The SQLite store as the migration loop drives it: one transaction per migration,
    ``PRAGMA user_version`` set inside it."""

    dialect: Dialect = "sqlite"

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._conn = store.connection

    @contextmanager
    def applying(self, version: int) -> Iterator[None]:
        conn = self._conn
        during = f"migration {version}"
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._store.storage_error(error, during=during) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def run_script(self, sql: str) -> None:
        for statement in statements(sql):
            self._conn.execute(statement)

    def step_connection(self) -> sqlite3.Connection:
        return self._conn

    def fresh_script(self) -> str:
        return schema_sqlite.create_script()
