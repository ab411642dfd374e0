"""Follow-ups in SQLite: one row per version, the citizen's row apart, attempts, audited writes.

No audit row holds the citizen's name or phone number: the audit record says only whether
personal data is held or erased (``personal``), and which personal field changed. The
citizen's row is part of the follow-up's state hash with its random salt, so an edit behind
Smart Spot's back is seen by ``audit verify``, and erasure (which blanks name, phone and salt
and writes its own audit row with the new state) leaves nothing to test a guess against.
"""

from __future__ import annotations

import builtins
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smartspot.errors import ConflictError, NotFoundError
from smartspot.followups import (
    Attempt,
    FollowUp,
    FollowUpStatus,
    Queue,
)
from smartspot.i18n import msg
from smartspot.store.followup_rows import (
    COLUMNS,
    attempt_from_row,
    attempt_record,
    audit_record,
    from_row,
    to_row,
)
from smartspot.store.port import FollowUpQuery
from smartspot.store.timestamps import from_iso, iso, maybe_iso
from smartspot.store.versioned import Pointers, check_follows

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore

ENTITY = "followup"
ID_PREFIX = "TO"

_INSERT = (
    f"INSERT INTO followup_versions ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in COLUMNS)})"
)
_CURRENT = (
    "SELECT v.*, c.name AS citizen_name, c.phone AS citizen_phone FROM followups f "
    "JOIN followup_versions v ON v.followup_id = f.id AND v.version = f.current_version "
    "LEFT JOIN followup_citizens c ON c.followup_id = f.id"
)


def _not_found(followup_id: str) -> NotFoundError:
    return NotFoundError(msg("no follow-up {id!r}; ids look like TO-000042", id=followup_id))


_POINTERS = Pointers("followups")
#: The id_counters kind that counts the follow-up versions and attempts written (PostgreSQL's
#: revision: COUNT(*) over both tables read them whole, for every clear and AVL batch).
REVISION = "followup_writes"
_COUNT_WRITE = (
    f"INSERT INTO id_counters (kind, last) VALUES ('{REVISION}', 1) "
    "ON CONFLICT (kind) DO UPDATE SET last = id_counters.last + 1"
)


class SqliteFollowUps:
    """Follow-up tasks, their citizens and attempts on SQLite."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def next_id(self) -> str:
        return f"{ID_PREFIX}-{self._store.next_number(ENTITY):06d}"

    def add(self, followup: FollowUp, *, action: str = "create") -> None:
        """Store a new task (version 1) with its citizen."""
        if followup.version != 1 or followup.citizen is None:
            raise ConflictError(msg("a new follow-up starts at version 1, with its citizen"))
        with self._store.transaction():
            _POINTERS.create(
                self._store,
                followup.id,
                taken=lambda: ConflictError(msg("follow-up {id} already exists", id=followup.id)),
            )
            self._insert_version(followup)
            self._store.execute(
                "INSERT INTO followup_citizens (followup_id, name, phone, salt) "
                "VALUES (?, ?, ?, ?)",
                (followup.id, followup.citizen.name, followup.citizen.phone, secrets.token_hex(16)),
            )
            self._audit(followup, action, before=None, after=audit_record(followup))

    def save(
        self,
        followup: FollowUp,
        *,
        expected_version: int,
        action: str,
        attempt: Attempt | None = None,
    ) -> None:
        """Store a new version; with ``attempt``, the attempt it records (a new one, or the
        outcome of a detected stay), all in one transaction with one audit row.

        The citizen's row follows the version: blanked when it is erased, changed when its
        name or phone changed; a version without a citizen otherwise leaves the row as it is.

        Raises
        ------
        ConflictError
            When someone else wrote a version since ``expected_version``.
        """
        check_follows(followup.version, expected_version)
        with self._store.transaction():
            before = self.get(followup.id)
            _POINTERS.move(
                self._store,
                followup.id,
                version=followup.version,
                expected_version=expected_version,
                stale=lambda: ConflictError(
                    msg(
                        "follow-up {id} is at version {version}, not {expected_version}: someone "
                        "changed it meanwhile; reload and try again",
                        id=followup.id,
                        version=before.version,
                        expected_version=expected_version,
                    )
                ),
            )
            self._insert_version(followup)
            changed = self._write_citizen(before, followup)
            after = audit_record(followup, changed=changed)
            if attempt is not None:
                self._write_attempt(attempt)
                after["attempt"] = attempt_record(attempt)
            self._audit(followup, action, before=audit_record(before), after=after)

    def add_stay(self, attempt: Attempt, *, actor: str, at: datetime) -> None:
        """Record a stay the AVL detected (an attempt without outcome); the task's version is
        unchanged until the patrol reports the outcome."""
        with self._store.transaction():
            current = self.get(attempt.followup)
            self._write_attempt(attempt)
            self._store.write_audit(
                at=at,
                actor=actor,
                action="stay",
                entity=ENTITY,
                entity_id=current.id,
                before=None,
                after={"attempt": attempt_record(attempt)},
            )

    def record_disclosure(self, followup_id: str, *, patrol: str, actor: str, at: datetime) -> None:
        """Audit that the citizen's contact details were shown, to whom and for which car."""
        with self._store.transaction():
            self._store.write_audit(
                at=at,
                actor=actor,
                action="contact-shown",
                entity=ENTITY,
                entity_id=followup_id,
                before=None,
                after={"patrol": patrol, "personal": "shown"},
            )

    def get(self, followup_id: str) -> FollowUp:
        row = self._store.execute(_CURRENT + " WHERE f.id = ?", (followup_id,)).fetchone()
        if row is None:
            raise _not_found(followup_id)
        return from_row(row)

    def history(self, followup_id: str) -> list[FollowUp]:
        """Every version, oldest first, without the citizen (versions hold none)."""
        rows = self._store.execute(
            "SELECT *, NULL AS citizen_name, NULL AS citizen_phone FROM followup_versions "
            "WHERE followup_id = ? ORDER BY version",
            (followup_id,),
        ).fetchall()
        if not rows:
            raise _not_found(followup_id)
        return [from_row(row) for row in rows]

    def attempts(self, followup_id: str) -> list[Attempt]:
        rows = self._store.execute(
            "SELECT * FROM followup_attempts WHERE followup_id = ? ORDER BY number",
            (followup_id,),
        ).fetchall()
        return [attempt_from_row(row) for row in rows]

    def last_failed_at(self) -> dict[str, datetime]:
        """Follow-up id → when its last not-home attempt was (ids without one left out)."""
        rows = self._store.execute(
            "SELECT followup_id, MAX(at) FROM followup_attempts WHERE outcome = 'not_home' "
            "GROUP BY followup_id"
        ).fetchall()
        return {row[0]: from_iso(row[1]) for row in rows}

    def list(self, query: FollowUpQuery | None = None) -> builtins.list[FollowUp]:
        query = query or FollowUpQuery()
        where, params = _where(query)
        rows = self._store.execute(
            f"{_CURRENT}{where} ORDER BY f.id LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        ).fetchall()
        return [from_row(row) for row in rows]

    def count(self, query: FollowUpQuery | None = None) -> int:
        where, params = _where(query or FollowUpQuery())
        sql = _CURRENT.replace(
            "SELECT v.*, c.name AS citizen_name, c.phone AS citizen_phone", "SELECT COUNT(*)", 1
        )
        return int(self._store.execute(sql + where, params).fetchone()[0])

    def closed_unerased(self, closed_before: datetime) -> builtins.list[FollowUp]:
        """Closed tasks still holding personal data, closed before ``closed_before``."""
        rows = self._store.execute(
            f"{_CURRENT} WHERE v.status != 'open' AND v.erased_at IS NULL "
            "AND v.closed_at <= ? ORDER BY f.id",
            (iso(closed_before),),
        ).fetchall()
        return [from_row(row) for row in rows]

    def accepted_patrol(self, followup_id: str) -> str | None:
        """The car whose accepted proposal holds this task as a kept stop, if any."""
        row = self._store.execute(
            "SELECT p.patrol FROM proposal_stops s JOIN proposals p ON p.id = s.proposal_id "
            "WHERE p.status = 'accepted' AND s.hotspot_id = ? AND s.removed = 0 "
            "ORDER BY p.created_at DESC LIMIT 1",
            (followup_id,),
        ).fetchone()
        return None if row is None else str(row[0])

    def revision(self) -> int:
        """A number that changes with every follow-up version or attempt written (an
        attempt's outcome too: it comes with a version)."""
        if self._store.dialect == "postgresql":
            # the writes, counted by each write (_counted); before the first write of a
            # database from before the counter, 0
            row = self._store.execute(
                f"SELECT COALESCE((SELECT last FROM id_counters WHERE kind = '{REVISION}'), 0)"
            ).fetchone()
            return int(row[0])
        row = self._store.execute(  # both tables only grow: their last rowids move with each
            "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM followup_versions) + "
            "(SELECT COALESCE(MAX(rowid), 0) FROM followup_attempts)"
        ).fetchone()
        return int(row[0])

    def _insert_version(self, followup: FollowUp) -> None:
        self._store.execute(_INSERT, to_row(followup))
        self._counted()

    def _counted(self) -> None:
        """PostgreSQL: move the revision in this write's transaction (with its COMMIT)."""
        if self._store.dialect == "postgresql":
            self._store.hold(_COUNT_WRITE, (), table="id_counters")

    # -- helpers -----------------------------------------------------------------------------

    def _write_citizen(self, before: FollowUp, after: FollowUp) -> tuple[str, ...]:
        if after.erased and not before.erased:
            self._store.execute(
                "UPDATE followup_citizens SET name = '', phone = '', salt = '', erased_at = ? "
                "WHERE followup_id = ?",
                (maybe_iso(after.erased_at), after.id),
            )
            return ("name", "phone")
        if after.citizen is None or after.citizen == before.citizen:
            return ()
        changed = tuple(
            name
            for name in ("name", "phone")
            if before.citizen is None
            or getattr(before.citizen, name) != getattr(after.citizen, name)
        )
        self._store.execute(
            "UPDATE followup_citizens SET name = ?, phone = ?, salt = ? WHERE followup_id = ?",
            (after.citizen.name, after.citizen.phone, secrets.token_hex(16), after.id),
        )
        return changed

    def _write_attempt(self, attempt: Attempt) -> None:
        values = (
            attempt.patrol,
            iso(attempt.at),
            None if attempt.outcome is None else attempt.outcome.value,
            None if attempt.left is None else attempt.left.value,
            attempt.note,
            int(attempt.detected),
            attempt.recorded_by,
            iso(attempt.recorded_at or attempt.at),
        )
        self._counted()
        exists = self._store.execute(
            "SELECT outcome FROM followup_attempts WHERE followup_id = ? AND number = ?",
            (attempt.followup, attempt.number),
        ).fetchone()
        if exists is None:
            self._store.execute(
                "INSERT INTO followup_attempts (patrol, at, outcome, left_behind, note, "
                "detected, recorded_by, recorded_at, followup_id, number) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, attempt.followup, attempt.number),
            )
            return
        if exists[0] is not None:
            raise ConflictError(msg("attempt {n} has its outcome already", n=attempt.number))
        self._store.execute(
            "UPDATE followup_attempts SET patrol = ?, at = ?, outcome = ?, left_behind = ?, "
            "note = ?, detected = ?, recorded_by = ?, recorded_at = ? "
            "WHERE followup_id = ? AND number = ?",
            (*values, attempt.followup, attempt.number),
        )

    def _audit(
        self,
        followup: FollowUp,
        action: str,
        *,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> None:
        self._store.write_audit(
            at=followup.updated_at,
            actor=followup.updated_by,
            action=action,
            entity=ENTITY,
            entity_id=followup.id,
            before=before,
            after=after,
        )


def _where(query: FollowUpQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.politikreds is not None:
        clauses.append("v.politikreds = ?")
        params.append(query.politikreds)
    if query.within is not None:
        marks = ", ".join("?" for _ in query.within) or "NULL"
        clauses.append(f"v.politikreds IN ({marks})")
        params.extend(sorted(query.within))
    if query.status is not None:
        clauses.append("v.status = ?")
        params.append(FollowUpStatus(query.status).value)
    if query.queue is not None:
        clauses.append("v.queue = ?")
        params.append(Queue(query.queue).value)
    if query.after is not None:
        clauses.append("f.id > ?")
        params.append(query.after)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
