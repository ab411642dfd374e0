"""The tamper-evident audit chain: pure hashing and checking, no SQL.

Every audit row carries ``prev_hash`` (the hash of the row before it; 64 zeros for the first)
and ``hash`` = SHA-256 over ``prev_hash`` and a canonical encoding of the row (its sequence
number, time, actor, action, entity, entity id, the before/after JSON exactly as stored, and
``state_hash``). ``state_hash`` is the SHA-256 of the audited object's rows as they stood
after the write (every table listed for its entity in :data:`ENTITIES`), so a history row
edited behind the engine's back no longer matches the object's last audit row.

:func:`verify_chain` walks the rows in order and names the first that breaks the chain: an
edited row (its hash no longer matches its content), a deleted row (a gap, or the last row
gone while the counter remembers it), an inserted or reordered row (it does not follow its
predecessor), or a row that differs from an anchor recorded outside the database.
:func:`verify_states` compares each object's current rows with its last ``state_hash``.

Without a secret, someone with write access to the file can recompute the whole chain; the
anchors (``smartspot audit verify --anchors FILE``, kept off the machine) are what makes such
a rewrite visible: every recorded head must still be in the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Table:
    """One table of an audited entity: rows whose ``key`` column is the object's id, in
    ``order``; ``ignore`` names columns that change without an audit row."""

    name: str
    key: str
    order: str
    ignore: frozenset[str] = frozenset()


#: The audited entities and where their rows live. An entity not listed has no state hash.
ENTITIES: Mapping[str, tuple[Table, ...]] = {
    "hotspot": (
        Table("hotspots", "id", "id"),
        Table("hotspot_versions", "hotspot_id", "version"),
    ),
    "user": (Table("users", "name", "name"),),
    # A car's last position changes with every AVL fix (the fixes are append-only apart).
    "patrol": (Table("patrols", "call_sign", "call_sign", frozenset({"x", "y", "position_at"})),),
    "callout": (Table("callouts", "id", "id"),),
    "visit": (Table("visits", "id", "id"),),
    # A stop is marked done by the visit that did it (audited as the visit).
    "proposal": (
        Table("proposals", "id", "id"),
        Table("proposal_stops", "proposal_id", "position", frozenset({"done"})),
    ),
    # The citizen's row is hashed with its salt; erasure blanks all three and is audited.
    "followup": (
        Table("followups", "id", "id"),
        Table("followup_versions", "followup_id", "version"),
        Table("followup_citizens", "followup_id", "followup_id"),
        Table("followup_attempts", "followup_id", "number"),
    ),
}


#: Columns a backend derives from the others (PostGIS ``geom``, generated from the stored WKB
#: or coordinates): left out of every state hash, so an object hashes alike on both backends.
DERIVED = frozenset({"geom"})


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One audit row as stored."""

    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str | None
    after: str | None
    state_hash: str | None
    prev_hash: str | None
    hash: str | None


@dataclass(frozen=True, slots=True)
class Break:
    """Where the record stops holding: the first broken row and what is wrong with it."""

    seq: int | None
    kind: str  # edited, deleted, inserted or reordered, inserted, anchor, state, trigger …
    message: str

    def __str__(self) -> str:
        where = f"audit row {self.seq}" if self.seq is not None else "audit log"
        return f"{where}: {self.message}"


#: The one encoder (what ``json.dumps`` with these options builds anew on every call).
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str
)


def canonical(values: Sequence[Any]) -> bytes:
    """A canonical encoding: compact JSON, keys sorted, UTF-8."""
    return _CANONICAL.encode(list(values)).encode("utf-8")


def row_hash(prev_hash: str, row: ChainRow) -> str:
    """The hash a row must carry after ``prev_hash``."""
    body = canonical(
        [
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.entity,
            row.entity_id,
            row.before,
            row.after,
            row.state_hash,
        ]
    )
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + body).hexdigest()


def state_hash(
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    ignore: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """The hash of an object's rows, table by table (rows in the order given: the caller sorts
    them). Blobs are hashed as hex; ``ignore`` names columns to leave out, per table.

    The hashed text is :func:`canonical` of ``[{table: [{column: value}]}]``, assembled piece
    by piece (the same bytes): a long text shared by several objects (a planning round's
    proposals share one problem file, one answer) is escaped once, not once per object."""
    skips = {table: frozenset(columns) for table, columns in (ignore or {}).items()}
    digest = hashlib.sha256(b"[{")
    for t, table in enumerate(sorted(tables)):
        skip = skips.get(table, frozenset())
        digest.update((b"," if t else b"") + _encoded(table) + b":[")
        for r, row in enumerate(tables[table]):
            digest.update(b",{" if r else b"{")
            columns = [column for column in sorted(row) if column not in skip]
            for c, column in enumerate(columns):
                digest.update((b"," if c else b"") + _encoded(column) + b":")
                digest.update(_encoded_value(row[column]))
            digest.update(b"}")
        digest.update(b"]")
    digest.update(b"}]")
    return digest.hexdigest()


#: Texts at least this long are escaped once and kept (by identity) for the next object.
LONG_TEXT = 4096
_ESCAPED: dict[int, tuple[str, bytes]] = {}


def _encoded(text: str) -> bytes:
    return _CANONICAL.encode(text).encode("utf-8")


def _encoded_value(value: Any) -> bytes:
    if isinstance(value, bytes):
        value = value.hex()
    if isinstance(value, str) and len(value) >= LONG_TEXT:
        kept = _ESCAPED.get(id(value))
        if kept is not None and kept[0] is value:
            return kept[1]
        if len(_ESCAPED) >= 16:
            _ESCAPED.clear()
        encoded = _encoded(value)
        _ESCAPED[id(value)] = (value, encoded)  # holding the text keeps its id unique
        return encoded
    return _CANONICAL.encode(value).encode("utf-8")


def object_hash(entity: str, rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> str | None:
    """The state hash of an object of ``entity`` from its rows as written (every table of the
    entity in :data:`ENTITIES`, each row with every column, in the table's order): what
    ``audit verify`` recomputes from the stored rows. None for an entity without tables."""
    tables = ENTITIES.get(entity)
    if tables is None:
        return None
    return state_hash(
        {table.name: rows.get(table.name, ()) for table in tables},
        ignore={table.name: table.ignore | DERIVED for table in tables},
    )


def verify_chain(
    rows: Iterable[ChainRow],
    *,
    last_seq: int | None = None,
    anchors: Mapping[int, str] | None = None,
) -> Break | None:
    """The first break in the chain, or None when it holds.

    Parameters
    ----------
    rows
        The audit rows in ``seq`` order.
    last_seq
        The highest sequence number ever handed out (SQLite's AUTOINCREMENT counter), so a
        deleted last row is seen.
    anchors
        ``seq → hash`` pairs recorded earlier outside the database.
    """
    expected_prev, previous_seq = GENESIS, 0
    pending = dict(anchors or {})
    for row in rows:
        if row.hash is None or row.prev_hash is None:
            return Break(row.seq, "unsealed", "carries no hash (written outside Smart Spot?)")
        if row.seq != previous_seq + 1:
            if row.seq <= previous_seq:
                return Break(row.seq, "reordered", f"comes after row {previous_seq}")
            missing = (
                f"row {previous_seq + 1}"
                if row.seq == previous_seq + 2
                else f"rows {previous_seq + 1}–{row.seq - 1}"
            )
            return Break(row.seq, "deleted", f"{missing} before it are missing")
        if row.prev_hash != expected_prev:
            return Break(
                row.seq,
                "inserted or reordered",
                f"does not follow row {previous_seq} (inserted, or moved from elsewhere)",
            )
        if row_hash(row.prev_hash, row) != row.hash:
            return Break(row.seq, "edited", "its content no longer matches its hash (edited)")
        anchored = pending.pop(row.seq, None)
        if anchored is not None and anchored != row.hash:
            return Break(row.seq, "anchor", "differs from the anchor recorded for it earlier")
        expected_prev, previous_seq = row.hash, row.seq
    if last_seq is not None and last_seq > previous_seq:
        missing = (
            f"row {last_seq}"
            if last_seq == previous_seq + 1
            else f"rows {previous_seq + 1}–{last_seq}"
        )
        return Break(last_seq, "deleted", f"{missing} at the end of the log are missing")
    if pending:
        first = min(pending)
        return Break(first, "anchor", "was recorded in an anchor but is no longer in the log")
    return None


def verify_states(
    latest: Mapping[tuple[str, str], tuple[int, str | None]],
    current: Mapping[tuple[str, str], str],
) -> Break | None:
    """The first object whose rows differ from what its last audit row recorded.

    ``latest`` maps ``(entity, id)`` to the last audit row's ``(seq, state_hash)``;
    ``current`` maps every object found in the tables to the hash of its rows now.
    """
    for key in sorted(current):
        entity, object_id = key
        found = latest.get(key)
        if found is None:
            return Break(None, "inserted", f"{entity} {object_id} has no audit row (inserted)")
        seq, recorded = found
        if recorded is not None and recorded != current[key]:
            return Break(
                seq,
                "state",
                f"{entity} {object_id} no longer matches this, its last audit row (edited "
                "behind the engine's back)",
            )
    for key in sorted(latest):
        seq, recorded = latest[key]
        if recorded is not None and key not in current:
            return Break(seq, "deleted", f"{key[0]} {key[1]} is gone from its table (deleted)")
    return None
