"""Hotspot visits in SQLite: reported by a crew or detected from AVL positions; audited."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from smartspot.domain import Visit, VisitOutcome
from smartspot.errors import NotFoundError
from smartspot.i18n import msg
from smartspot.store.records import StoredVisit
from smartspot.store.sql import Row
from smartspot.store.timestamps import from_iso, iso, maybe_iso, maybe_time

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore


def _visit(row: Row) -> StoredVisit:
    return StoredVisit(
        id=row["id"],
        visit=Visit(
            hotspot=row["hotspot_id"],
            patrol=row["patrol"],
            arrived_at=from_iso(row["arrived_at"]),
            left_at=maybe_time(row["left_at"]),
            outcome=None if row["outcome"] is None else VisitOutcome(row["outcome"]),
            persons=row["persons"],
            action=row["action"],
            note=row["note"],
            detected=bool(row["detected"]),
        ),
    )


def _visit_record(visit: Visit) -> dict[str, Any]:
    return {
        "hotspot": visit.hotspot,
        "patrol": visit.patrol,
        "arrived_at": iso(visit.arrived_at),
        "left_at": maybe_iso(visit.left_at),
        "outcome": None if visit.outcome is None else VisitOutcome(visit.outcome).value,
        "persons": visit.persons,
        "action": visit.action,
        "note": visit.note,
        "detected": visit.detected,
    }


def _visit_values(visit: Visit) -> tuple[Any, ...]:
    """Column values in the order hotspot_id, patrol, arrived_at … detected."""
    record = _visit_record(visit)
    return (
        visit.hotspot,
        visit.patrol,
        record["arrived_at"],
        record["left_at"],
        record["outcome"],
        visit.persons,
        visit.action,
        visit.note,
        int(visit.detected),
    )


#: The hotspots whose current version lies in a politikreds (visits.list(politikreds=…)).
_IN_DISTRICT = (
    "hotspot_id IN (SELECT h.id FROM hotspots h JOIN hotspot_versions v "
    "ON v.hotspot_id = h.id AND v.version = h.current_version WHERE v.politikreds = ?)"
)


class SqliteVisits:
    """Hotspot visits (reported by the crew or detected from AVL positions)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def add(self, visit: Visit, *, actor: str, at: datetime) -> StoredVisit:
        """Store a visit and give it an id (``VI-000042``)."""
        with self._store.transaction():
            visit_id = f"VI-{self._store.next_number('visit'):06d}"
            self._store.execute(
                "INSERT INTO visits (id, hotspot_id, patrol, arrived_at, left_at, outcome, "
                "persons, action, note, detected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (visit_id, *_visit_values(visit)),
            )
            self._store.write_audit(
                at=at,
                actor=actor,
                action="create",
                entity="visit",
                entity_id=visit_id,
                before=None,
                after=_visit_record(visit),
            )
        return StoredVisit(visit_id, visit)

    def update(self, visit_id: str, visit: Visit, *, actor: str, at: datetime) -> StoredVisit:
        """Replace a visit's fields (e.g. when the car leaves and the crew reports)."""
        with self._store.transaction():
            before = self.get(visit_id)
            self._store.execute(
                "UPDATE visits SET hotspot_id = ?, patrol = ?, arrived_at = ?, left_at = ?, "
                "outcome = ?, persons = ?, action = ?, note = ?, detected = ? WHERE id = ?",
                (*_visit_values(visit), visit_id),
            )
            self._store.write_audit(
                at=at,
                actor=actor,
                action="update",
                entity="visit",
                entity_id=visit_id,
                before=_visit_record(before.visit),
                after=_visit_record(visit),
            )
        return StoredVisit(visit_id, visit)

    def get(self, visit_id: str) -> StoredVisit:
        row = self._store.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()
        if row is None:
            raise NotFoundError(msg("no visit {visit_id!r}", visit_id=visit_id))
        return _visit(row)

    def list(
        self,
        *,
        hotspot: str | None = None,
        patrol: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        politikreds: str | None = None,
    ) -> list[StoredVisit]:
        """Visits arriving in ``[since, until)``, oldest first; with ``politikreds``, only
        the visits of the hotspots that lie there now (a clear reads its district's, not
        the whole country's: a national service records tens of thousands a week)."""
        clauses: list[str] = []
        params: list[Any] = []
        for sql, value in (
            ("hotspot_id = ?", hotspot),
            ("patrol = ?", patrol),
            ("arrived_at >= ?", None if since is None else iso(since)),
            ("arrived_at < ?", None if until is None else iso(until)),
            (_IN_DISTRICT, politikreds),
        ):
            if value is not None:
                clauses.append(sql)
                params.append(value)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = self._store.execute(
            f"SELECT * FROM visits{where} ORDER BY arrived_at, id", params
        ).fetchall()
        return [_visit(row) for row in rows]

    def last_visit_times(self) -> dict[str, datetime]:
        """Hotspot id → when a patrol last arrived there (for "days since last visit")."""
        rows = self._store.execute(
            "SELECT hotspot_id, MAX(arrived_at) AS last FROM visits GROUP BY hotspot_id"
        ).fetchall()
        return {row["hotspot_id"]: from_iso(row["last"]) for row in rows}
