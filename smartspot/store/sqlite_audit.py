"""The audit chain in SQLite: appending chained rows, sealing an upgraded database, and
checking the whole record (the hashing itself is in :mod:`smartspot.store.audit`).

Works on a plain ``sqlite3.Connection`` so the migration step can run inside the migration's
own transaction.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from smartspot.store.audit import (
    DERIVED,
    ENTITIES,
    GENESIS,
    Break,
    ChainRow,
    object_hash,
    row_hash,
    state_hash,
    verify_chain,
    verify_states,
)
from smartspot.store.port import AuditEntry
from smartspot.store.schema_sqlite import create_script
from smartspot.store.timestamps import from_iso

SEAL_ACTOR = "smartspot"


class Executor(Protocol):
    """A connection (``sqlite3.Connection``) or a store that runs ``?``-placeholder SQL
    (:class:`~smartspot.store.postgres.PostgresStore`): the chain code runs on either."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


def writer_function(conn: sqlite3.Connection) -> None:
    """Mark ``conn`` as Smart Spot's own: the guard triggers let its UPDATEs through."""
    conn.create_function("smartspot_writer", 0, lambda: 1, deterministic=True)


def object_state(conn: Executor, entity: str, object_id: str) -> str | None:
    """The hash of the object's rows now, or None for an entity without tables."""
    tables = ENTITIES.get(entity)
    if tables is None:
        return None
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        cursor = conn.execute(
            f"SELECT * FROM {table.name} WHERE {table.key} = ? ORDER BY {table.order}",
            (object_id,),
        )
        names = [d[0] for d in cursor.description]
        rows[table.name] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return state_hash(rows, ignore={t.name: t.ignore | DERIVED for t in tables})


#: On PostgreSQL the highest sequence number handed out is kept in ``id_counters`` under this
#: kind, written in the audit row's own transaction (SQLite keeps it in ``sqlite_sequence``).
COUNTER = "audit_log"


#: Writes one audit row (its values in this order).
INSERT_SQL = (
    "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, "
    "state_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

#: Records the highest sequence number handed out (PostgreSQL).
COUNT_SQL = (
    "INSERT INTO id_counters (kind, last) VALUES (?, ?) ON CONFLICT (kind) "
    "DO UPDATE SET last = excluded.last"
)


def _on_postgres(conn: Executor) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgresql"


def last_seq(conn: Executor) -> int | None:
    """The highest sequence number ever handed out (None before the first row), so a deleted
    last row is seen."""
    if _on_postgres(conn):
        row = conn.execute("SELECT last FROM id_counters WHERE kind = ?", (COUNTER,)).fetchone()
    else:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    return None if row is None else int(row[0])


def _head(conn: Executor) -> tuple[int, str]:
    """The highest sequence number handed out and the last row's hash (one round trip)."""
    counted = (
        "SELECT last FROM id_counters WHERE kind = 'audit_log'"
        if _on_postgres(conn)
        else "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"
    )
    counter, seq, hash_ = conn.execute(
        f"SELECT ({counted}), (SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), "
        "(SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)"
    ).fetchone()
    return max(int(counter or 0), int(seq or 0)), (hash_ or GENESIS)


def append(
    conn: Executor,
    *,
    at: str,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: str | None,
    after: str | None,
    head: tuple[int, str] | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    counter: bool = True,
    insert: Callable[[tuple[Any, ...]], None] | None = None,
) -> ChainRow:
    """Append one chained audit row (inside the write's transaction, after the write, so the
    state hash is of the rows as written); returns it sealed. ``head``: the sequence number
    and hash of the last row, when the caller knows them (it appended that row itself in this
    transaction, holding the write lock); else they are read. ``rows``: the object's rows as
    written (every table of its entity, every column, as the database returns them), when the
    caller has them in hand; else they are read back. ``counter``: on PostgreSQL, record the
    sequence number in ``id_counters`` now (False: the caller does it before its commit).
    ``insert``: takes the row's values (:data:`INSERT_SQL`'s parameters) to write later in
    the same transaction, instead of the INSERT now."""
    previous_seq, prev = _head(conn) if head is None else head
    state = object_state(conn, entity, entity_id) if rows is None else object_hash(entity, rows)
    row = ChainRow(
        seq=previous_seq + 1,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        state_hash=state,
        prev_hash=prev,
        hash=None,
    )
    sealed = row_hash(prev, row)
    values = (row.seq, at, actor, action, entity, entity_id, before, after, state, prev, sealed)
    if insert is None:
        conn.execute(INSERT_SQL, values)
    else:
        insert(values)
    if counter and _on_postgres(conn):
        conn.execute(COUNT_SQL, (COUNTER, row.seq))
    return dataclasses.replace(row, hash=sealed)


_ALL_ROWS = (
    "SELECT seq, at, actor, action, entity, entity_id, before, after, state_hash, "
    "prev_hash, hash FROM audit_log ORDER BY seq"
)


def _rows(conn: Executor) -> Iterator[ChainRow]:
    """Every audit row in order, read as they are used: SQLite steps through its cursor;
    on PostgreSQL the store's ``stream`` reads a server-side cursor in batches (a plain
    query would bring the whole log into memory first)."""
    stream = getattr(conn, "stream", None)
    cursor = stream(_ALL_ROWS) if stream is not None else conn.execute(_ALL_ROWS)
    for values in cursor:
        yield ChainRow(*values)


def _objects(conn: Executor) -> Iterator[tuple[str, str]]:
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        listed = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    else:
        listed = "SELECT name FROM sqlite_master"
    present = {name for (name,) in conn.execute(listed)}
    for entity, tables in ENTITIES.items():
        first = tables[0]
        if first.name not in present:  # an entity of a later migration (sealing at 4)
            continue
        for (object_id,) in conn.execute(f"SELECT {first.key} FROM {first.name}"):
            yield entity, str(object_id)


def seal_existing(conn: Executor, *, at: str) -> int:
    """Migration 4's step: chain the rows written before it, then record each object's
    current state in a ``seal`` row. Returns how many rows were sealed or added."""
    prev, count = GENESIS, 0
    for row in list(_rows(conn)):
        sealed = row_hash(prev, row)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, sealed, row.seq)
        )
        prev, count = sealed, count + 1
    for entity, object_id in sorted(_objects(conn)):
        append(
            conn,
            at=at,
            actor=SEAL_ACTOR,
            action="seal",
            entity=entity,
            entity_id=object_id,
            before=None,
            after=None,
        )
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``audit verify`` found."""

    rows: int
    objects: int
    head_seq: int
    head_hash: str
    problem: Break | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def expected_triggers() -> dict[str, str]:
    """Every guard trigger of the schema, with its SQL as SQLite stores it (from a scratch
    database made with :data:`smartspot.store.schema_sqlite.TRIGGERS`, the text the
    migrations have always created)."""
    scratch = sqlite3.connect(":memory:")
    writer_function(scratch)
    try:
        scratch.executescript(create_script())
        rows = scratch.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {name: sql for name, sql in rows}
    finally:
        scratch.close()


def sqlite_triggers(conn: Executor) -> Break | None:
    """The first guard trigger missing or changed in a SQLite database."""
    found = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    for name, sql in sorted(expected_triggers().items()):
        if name not in found:
            return Break(None, "trigger", f"the guard trigger {name} is missing")
        if found[name] != sql:
            return Break(None, "trigger", f"the guard trigger {name} was changed")
    return None


def verify(conn: Executor, *, anchors: Mapping[int, str] | None = None) -> Verdict:
    """Check a SQLite database's chain, every object's state and the guard triggers."""
    return check(conn, last_seq=last_seq(conn), anchors=anchors, triggers=sqlite_triggers)


def check(
    conn: Executor,
    *,
    last_seq: int | None,
    anchors: Mapping[int, str] | None,
    triggers: Callable[[Executor], Break | None],
) -> Verdict:
    """Check the chain, every object's state and (by ``triggers``) the guards; the first
    problem is named (chain first, since a broken chain makes the rest moot)."""
    seen = _Seen()
    problem = verify_chain(seen.rows(_rows(conn)), last_seq=last_seq, anchors=anchors)
    seen.drain()  # after a break: the rest only counted
    current = {key: object_state(conn, *key) or "" for key in _objects(conn)}
    if problem is None:
        problem = verify_states(seen.latest, current)
    if problem is None:
        problem = triggers(conn)
    head = seen.head
    return Verdict(
        rows=seen.count,
        objects=len(current),
        head_seq=head.seq if head else 0,
        head_hash=(head.hash or "") if head else GENESIS,
        problem=problem,
    )


class _Seen:
    """What the check keeps of the rows it has streamed past: their number, the last one,
    and each object's last audit row (memory grows with the objects, not the log)."""

    def __init__(self) -> None:
        self.count = 0
        self.head: ChainRow | None = None
        self.latest: dict[tuple[str, str], tuple[int, str | None]] = {}
        self._rest: Iterator[ChainRow] = iter(())

    def rows(self, rows: Iterator[ChainRow]) -> Iterator[ChainRow]:
        self._rest = rows
        for row in rows:
            self._note(row)
            yield row

    def drain(self) -> None:
        for row in self._rest:
            self._note(row)

    def _note(self, row: ChainRow) -> None:
        self.count += 1
        self.head = row
        if row.entity in ENTITIES:
            self.latest[(row.entity, row.entity_id)] = (row.seq, row.state_hash)


def entries_for(conn: Executor, object_id: str) -> list[dict[str, Any]]:
    """Every audit row about ``object_id`` (any entity), oldest first, JSON decoded."""
    cursor = conn.execute(
        "SELECT seq, at, actor, action, entity, entity_id, before, after FROM audit_log "
        "WHERE entity_id = ? ORDER BY seq",
        (object_id,),
    )
    names = [d[0] for d in cursor.description]
    found = []
    for values in cursor:
        entry = dict(zip(names, values, strict=True))
        for side in ("before", "after"):
            entry[side] = None if entry[side] is None else json.loads(entry[side])
        found.append(entry)
    return found


class SqliteAuditLog:
    """Reads the append-only audit log (on either backend)."""

    def __init__(self, store: Executor) -> None:
        self._store = store

    def entries(
        self, *, entity: str | None = None, entity_id: str | None = None
    ) -> list[AuditEntry]:
        sql = "SELECT * FROM audit_log"
        clauses, params = [], []
        if entity is not None:
            clauses.append("entity = ?")
            params.append(entity)
        if entity_id is not None:
            clauses.append("entity_id = ?")
            params.append(entity_id)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = self._store.execute(sql + " ORDER BY seq", params).fetchall()
        return [
            AuditEntry(
                seq=row["seq"],
                at=from_iso(row["at"]),
                actor=row["actor"],
                action=row["action"],
                entity=row["entity"],
                entity_id=row["entity_id"],
                before=None if row["before"] is None else json.loads(row["before"]),
                after=None if row["after"] is None else json.loads(row["after"]),
            )
            for row in rows
        ]
