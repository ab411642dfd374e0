"""The production store: PostgreSQL + PostGIS through psycopg 3, behind the same port.

The repositories are the SQLite adapter's (``sqlite_<entity>.py``): their SQL is written to
run on both databases, and this store rewrites the ``?``/``:name`` placeholders for psycopg
and returns rows that read by name or position, like ``sqlite3.Row``. psycopg 3 rather than
an ORM: the SQL is small and already written, the audit chain hashes rows exactly as stored
(an ORM's type mapping would sit in between), and psycopg brings LISTEN/NOTIFY and a bundled
libpq with it.

Writers are serialised, as SQLite's ``BEGIN IMMEDIATE`` serialises them: every transaction
takes one advisory lock first, so the compare-and-set writes, the audit chain (each row
hashes the one before it) and the event log (ids in commit order, which the live stream's
``Last-Event-ID`` relies on) behave exactly as on SQLite, across every process on the
database. Each thread gets its own connection. Every failure leaves as StorageError (the
server unreachable, a lock not granted in time) or ConflictError (a rule of the data broken).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from smartspot.errors import ConflictError, StorageError
from smartspot.i18n import msg
from smartspot.store import migrations, postgres_audit, schema_postgres, sqlite_audit
from smartspot.store.open import redacted
from smartspot.store.postgres_gate import PostgresClearGate
from smartspot.store.schema_postgres import GRANTS
from smartspot.store.sql import Dialect, Params
from smartspot.store.sql_base import SqlStoreBase
from smartspot.store.sqlite import DEFAULT_BUSY_TIMEOUT_S
from smartspot.store.timestamps import iso

#: The advisory lock every write transaction holds until it commits (any 64-bit number that
#: no other program on the database uses: "SMARTSPT" in ASCII).
WRITE_LOCK = 0x534D415254535054 - (1 << 63)
#: Held while migrating, so two workers starting at once do not both migrate.
MIGRATE_LOCK = WRITE_LOCK + 1
#: The NOTIFY channel on which a commit that wrote events tells every process.
EVENTS_CHANNEL = "smartspot_events"

#: How the large texts (a proposal's problem file, answer and plan) are compressed as they are
#: written (PostgreSQL 14+ built with lz4; else the server's default, pglz).
TOAST_COMPRESSION = "lz4"

#: How many rows a server-side cursor brings at a time (:meth:`PostgresStore.stream`).
STREAM_BATCH = 2000
#: Names for server-side cursors (unique within the process).
_STREAMS = itertools.count(1)

_TOKEN = re.compile(r"'(?:[^']|'')*'|\?|(?<![:\w]):([A-Za-z_]\w*)|%")


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """``?`` → ``%s`` and ``:name`` → ``%(name)s`` (outside string literals), ``%`` → ``%%``."""

    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith("'"):
            return text.replace("%", "%%")
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        return f"%({match.group(1)})s"

    return _TOKEN.sub(one, sql)


def _counted(seq: int) -> str:
    """The statement that records ``seq`` as the audit log's highest number handed out."""
    return (
        f"INSERT INTO id_counters (kind, last) VALUES ('{sqlite_audit.COUNTER}', {int(seq)}) "
        "ON CONFLICT (kind) DO UPDATE SET last = excluded.last"
    )


class _MigrationConnection:
    """A migration's connection as the shared Python steps use it (``?`` placeholders)."""

    dialect: Dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> Any:
        return self._conn.execute(translate(sql), params)  # type: ignore[arg-type]


class _PostgresMigration:
    """The PostgreSQL store as the migration loop drives it: every pending migration in the
    one transaction that holds the migration lock, each recorded in ``smartspot_schema``."""

    dialect: Dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    @contextlib.contextmanager
    def applying(self, version: int) -> Iterator[None]:
        yield
        self._conn.execute(
            "INSERT INTO smartspot_schema (version, applied_at) VALUES (%s, now()::text)",
            (version,),
        )

    def run_script(self, sql: str) -> None:
        self._conn.execute(sql.encode())  # bytes: psycopg sends the script as it is

    def step_connection(self) -> _MigrationConnection:
        return _MigrationConnection(self._conn)

    def fresh_script(self) -> str:
        return schema_postgres.create_script()


class Row:
    """A row that reads like ``sqlite3.Row``: by column name, by position, or iterated."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: Mapping[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)


def _rows(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class PostgresStore(SqlStoreBase):
    """A Smart Spot database on PostgreSQL with PostGIS.

    Parameters
    ----------
    url
        ``postgresql://user:password@host:port/database`` (libpq's URL form).
    create
        Migrate an empty or older database to the newest schema (the role needs the rights
        to create tables); otherwise an older schema is refused with what to run.
    busy_timeout_s
        How long a write waits for another writer's lock before giving up with StorageError.

    Raises
    ------
    StorageError
        When the server cannot be reached, the database is newer than this Smart Spot, or
        older and ``create`` is false.
    """

    dialect: Dialect = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        create: bool = False,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        self.url = url
        self.path = redacted(url)  # what messages and `smartspot init` show
        self.busy_timeout_s = busy_timeout_s
        self._init_connections()
        # a clear in any worker holds every worker's AVL batches back (postgres_gate.py)
        self.clear_gate = PostgresClearGate(lambda: self.connection)
        self._schema_version: int | None = None
        try:
            self._migrate(create=create)
            self._schema_version = self.schema_version
        except BaseException:
            self.close()
            raise
        self._init_repositories()

    # -- connections and transactions -------------------------------------------------------

    def connect(self, *, autocommit: bool = True) -> psycopg.Connection[Any]:
        """A new connection marked as Smart Spot's own (the guard triggers let its UPDATEs
        through), in UTC, with the lock wait bounded by ``busy_timeout_s``."""
        try:
            conn: psycopg.Connection[Any] = psycopg.connect(
                self.url,
                autocommit=autocommit,
                connect_timeout=10,
                application_name=f"smartspot-{os.getpid()}",  # which worker, in pg_stat_activity
            )
            conn.row_factory = _rows  # type: ignore[assignment]
            conn.execute("SET smartspot.writer = 'on'")
            conn.execute("SET TIME ZONE 'UTC'")
            conn.execute(f"SET lock_timeout = {int(self.busy_timeout_s * 1000)}")
        except psycopg.Error as error:
            raise self.storage_error(error) from None
        with contextlib.suppress(psycopg.Error):  # a server built without lz4 keeps pglz
            # a proposal's ~100 kB problem file, answer and plan are compressed as they are
            # written, with the write lock held: pglz took ~2 ms for each, lz4 ~0.3 ms
            conn.execute(f"SET default_toast_compression = '{TOAST_COMPRESSION}'")
        return conn

    @property
    def connection(self) -> psycopg.Connection[Any]:
        """This thread's connection (opened on first use)."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self.connect()
            with self._lock:
                self._connections.append(conn)
            self._local.conn = conn
            self._local.depth = 0
        return conn

    def _begin(self, conn: psycopg.Connection[Any], *, bookkeeping: bool = False) -> None:
        # the write lock: one writer at a time across every process on the database
        self._local.audit_head = None  # read again in each transaction (_append_audit)
        self._local.audit_counted = None  # the counter to record before COMMIT, if any
        self._local.held = []  # statements written with COMMIT (hold)
        self._local.held_tables = set()
        try:
            # one round trip (no parameters: the simple protocol takes both statements); an
            # AVL batch is a dozen, each waiting for the database's share of the CPU
            if bookkeeping:  # outside the record: its own locks, no wait for the disk
                conn.execute("BEGIN; SET LOCAL synchronous_commit = off")
            else:
                conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({int(WRITE_LOCK)})")
        except psycopg.Error as error:
            self._rollback(conn)
            raise self.storage_error(error) from None

    def _commit(self, conn: psycopg.Connection[Any]) -> None:
        counted = getattr(self._local, "audit_counted", None)
        held = self._take_held()
        self._local.audit_counted = None
        try:
            if counted is None and not held:
                conn.execute("COMMIT")
                return
            # the statements held for COMMIT (audit rows, events), the audit counter and
            # COMMIT in one round trip (a pipeline: sent together, answered together; a
            # statement refused, and nothing after it runs: the transaction is rolled back)
            with conn.pipeline():
                self._run_held(conn, held)
                if counted is not None:
                    conn.execute(_counted(counted))
                conn.execute("COMMIT")
        except psycopg.Error as error:
            self._rollback(conn)
            raise self.error(error) from None  # a held row refused: a conflict, as before

    def hold(self, sql: str, params: Params, *, table: str) -> bool:
        """Write ``sql`` (a statement whose answer nobody waits for, into ``table``) with
        this transaction's COMMIT, in its round trip; outside a transaction, now. A later
        statement naming ``table`` runs the held ones first, so it sees their rows; a
        rollback drops them. True when held."""
        if getattr(self._local, "depth", 0) == 0:
            self.execute(sql, params)
            return False
        held: list[tuple[str, list[Params]]] = self._local.held
        if held and held[-1][0] == sql:
            held[-1][1].append(params)
        else:
            held.append((sql, [params]))
        self._local.held_tables.add(table)
        return True

    def _take_held(self) -> list[tuple[str, list[Params]]]:
        held: list[tuple[str, list[Params]]] = getattr(self._local, "held", None) or []
        self._local.held, self._local.held_tables = [], set()
        return held

    @staticmethod
    def _run_held(conn: psycopg.Connection[Any], held: list[tuple[str, list[Params]]]) -> None:
        with conn.cursor() as cursor:
            for sql, rows in held:
                cursor.executemany(translate(sql), rows)  # type: ignore[arg-type]

    def _flush_held(self, sql: str) -> None:
        """Before ``sql``: write the held statements if it names a table they write."""
        tables = getattr(self._local, "held_tables", None)
        if tables and any(table in sql for table in tables):
            held = self._take_held()
            if getattr(self._local, "depth", 0) > 0:  # (none are held outside one)
                try:
                    with self.connection.pipeline():
                        self._run_held(self.connection, held)
                except psycopg.Error as error:
                    raise self.error(error) from None

    def _rollback(self, conn: psycopg.Connection[Any]) -> None:
        self._local.audit_counted = None  # gone with it, like the held statements
        self._take_held()
        with contextlib.suppress(psycopg.Error):  # a lost connection rolled back by itself
            conn.execute("ROLLBACK")

    def execute(self, sql: str, params: Params = ()) -> Any:
        """Run one statement written for both backends (``?`` or ``:name`` placeholders)."""
        try:
            self._flush_held(sql)  # it sees the rows held for COMMIT
            return self.connection.execute(translate(sql), params)  # type: ignore[arg-type]
        except psycopg.Error as error:
            raise self.error(error) from None

    def stream(self, sql: str, params: Params = (), *, batch: int | None = None) -> Iterator[Row]:
        """The rows of a query read in batches through a server-side cursor (inside the
        current transaction), so a large result never sits in memory at once."""
        try:
            self._flush_held(sql)
            with self.connection.cursor(name=f"smartspot_stream_{next(_STREAMS)}") as cursor:
                cursor.itersize = batch or STREAM_BATCH
                cursor.execute(translate(sql), params)  # type: ignore[arg-type]
                yield from cursor
        except psycopg.Error as error:
            raise self.error(error) from None

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        try:
            with self.connection.cursor() as cursor:
                cursor.executemany(translate(sql), rows)  # type: ignore[arg-type]
        except psycopg.Error as error:
            raise self.error(error) from None

    # -- shared helpers for the repositories ------------------------------------------------

    def next_number(self, kind: str, count: int = 1) -> int:
        """The next number in the counter ``kind`` (1, 2, …), or the last of the next
        ``count`` numbers; rolled back with its transaction."""
        with self.transaction():
            row = self.execute(
                "INSERT INTO id_counters (kind, last) VALUES (?, ?) ON CONFLICT (kind) "
                "DO UPDATE SET last = id_counters.last + excluded.last RETURNING last",
                (kind, count),
            ).fetchone()
        return int(row["last"])

    def _append_audit(self, **row: Any) -> None:
        # the chain's head as this transaction left it, once it appended a row (under the
        # write lock no other writer moves it): a clear's five audit rows read it once, not
        # five times; in a transaction the rows and the highest sequence number handed out
        # are written with COMMIT, in its round trip (_commit), not one by one
        inside = getattr(self._local, "depth", 0) > 0
        head = getattr(self._local, "audit_head", None) if inside else None
        sealed = sqlite_audit.append(
            self,
            head=head,
            counter=not inside,
            insert=self._hold_audit if inside else None,
            **row,
        )
        if inside and sealed.hash is not None:
            self._local.audit_head = (sealed.seq, sealed.hash)
            self._local.audit_counted = sealed.seq

    def _hold_audit(self, values: tuple[Any, ...]) -> None:
        self.hold(sqlite_audit.INSERT_SQL, values, table="audit_log")

    def _verify(self, anchors: Mapping[int, str] | None) -> sqlite_audit.Verdict:
        self._flush_held("audit_log")  # rows appended earlier in this transaction
        counted = getattr(self._local, "audit_counted", None)
        if counted is not None:
            self.execute(_counted(counted))
            self._local.audit_counted = None
        return postgres_audit.verify(self, anchors=anchors)

    def integrity_check(self) -> str:
        """PostgreSQL keeps its own pages consistent; this checks that every index of the
        database can be read (``ok`` when sound)."""
        try:
            self.execute("SELECT count(*) FROM hotspot_versions").fetchone()
            self.execute("SELECT count(*) FROM audit_log").fetchone()
        except StorageError as error:
            return str(error)
        return "ok"

    def backup(self, target: Any) -> None:
        """Copies of a PostgreSQL database are made with ``pg_dump`` (README, "Production")."""
        raise StorageError(
            msg(
                "{path} is a PostgreSQL database: back it up with `pg_dump --format=custom`",
                path=self.path,
            )
        )

    # -- migrations and errors --------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        if self._schema_version is not None:
            return self._schema_version
        row = self.execute(
            "SELECT to_regclass('smartspot_schema') IS NOT NULL AS present"
        ).fetchone()
        if not row["present"]:
            return 0
        row = self.execute("SELECT COALESCE(MAX(version), 0) AS v FROM smartspot_schema").fetchone()
        return int(row["v"])

    def _migrate(self, *, create: bool) -> None:
        newest = migrations.newest()
        current = self.schema_version
        self._refuse_newer(current, newest)
        if current == newest:
            return
        if not create:
            raise self._needs_upgrade(current, newest)
        conn = self.connect(autocommit=False)
        try:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS smartspot_schema "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM smartspot_schema").fetchone()
            current = int(row[0]) if row else 0  # another worker may have migrated meanwhile
            migrations.upgrade(_PostgresMigration(conn), current, at=iso(datetime.now(UTC)))
            conn.execute(GRANTS.encode())
            conn.commit()
        except psycopg.Error as error:
            conn.rollback()
            if isinstance(error, pg_errors.InsufficientPrivilege):  # the service's own login
                raise self._needs_upgrade(current, newest) from None
            raise self.storage_error(error, during="migration") from None
        finally:
            conn.close()

    def _needs_upgrade(self, current: int, newest: int) -> StorageError:
        return StorageError(
            msg(
                "{path} is at schema version {current}, this Smart Spot needs {newest}: run `smartspot db upgrade --db URL` as the database's owner",
                path=self.path,
                current=current,
                newest=newest,
            )
        )

    def error(self, error: psycopg.Error) -> StorageError | ConflictError:
        """A psycopg error as the domain's: a broken rule of the data (a constraint, a guard
        trigger) is a ConflictError (409), anything else a StorageError."""
        if isinstance(error, pg_errors.IntegrityError):
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            return ConflictError(msg("the database refused the write: {error}", error=first))
        return self.storage_error(error)

    def storage_error(self, error: psycopg.Error, *, during: str = "") -> StorageError:
        """A PostgreSQL error as a StorageError a person can act on."""
        text = (str(error).splitlines() or [type(error).__name__])[0]
        where = self.path + (f" ({during})" if during else "")
        if isinstance(error, pg_errors.LockNotAvailable):
            return StorageError(
                msg(
                    "{where} is locked by another writer for more than {busy_timeout_s:g} s; nothing was written, try again",
                    where=where,
                    busy_timeout_s=self.busy_timeout_s,
                )
            )
        if isinstance(error, psycopg.OperationalError):
            return StorageError(msg("cannot open {where}: {text}", where=where, text=text))
        return StorageError(msg("{where}: {text}", where=where, text=text))
