"""Callouts (udrykninger) and hotspot visits in SQLite, every write audited."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from smartspot.domain import Callout, Location, Visit, VisitOutcome
from smartspot.errors import ConflictError, NotFoundError
from smartspot.i18n import msg
from smartspot.store.records import StoredVisit
from smartspot.store.sqlite import from_iso, iso

if TYPE_CHECKING:
    from smartspot.store.sqlite import SqliteStore

_TIMES = ("received_at", "dispatched_at", "arrived_at", "cleared_at")


def _maybe_iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def _maybe_time(text: str | None) -> datetime | None:
    return None if text is None else from_iso(text)


def _callout(row: sqlite3.Row) -> Callout:
    return Callout(
        id=row["id"],
        urgent=bool(row["urgent"]),
        position=Point(row["x"], row["y"]),
        received_at=from_iso(row["received_at"]),
        dispatched_at=_maybe_time(row["dispatched_at"]),
        arrived_at=_maybe_time(row["arrived_at"]),
        cleared_at=_maybe_time(row["cleared_at"]),
        patrol=row["patrol"],
    )


def _location(row: sqlite3.Row) -> Location | None:
    if row["kommunekode"] is None:
        return None
    return Location(row["kommunekode"], row["kommunenavn"], row["politikreds"])


def _callout_record(callout: Callout) -> dict[str, Any]:
    return {
        "id": callout.id,
        "urgent": callout.urgent,
        "x": round(callout.position.x, 2),
        "y": round(callout.position.y, 2),
        "patrol": callout.patrol,
        **{name: _maybe_iso(getattr(callout, name)) for name in _TIMES},
    }


class SqliteCallouts:
    """Callouts: add (with the kommune it lies in), update its times and car, get, list."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def next_id(self) -> str:
        """A fresh readable id (``CO-000042``); call inside a transaction."""
        return f"CO-{self._store.next_number('callout'):06d}"

    def add(self, callout: Callout, *, location: Location | None, actor: str, at: datetime) -> None:
        """Store a new callout; ``location`` (from the geo core) feeds response-time reports."""
        with self._store.transaction():
            if self._row(callout.id) is not None:
                raise ConflictError(msg("callout {id} exists already", id=callout.id))
            self._store.execute(
                "INSERT INTO callouts (id, urgent, x, y, kommunekode, kommunenavn, politikreds, "
                "received_at, dispatched_at, arrived_at, cleared_at, patrol) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    callout.id,
                    int(callout.urgent),
                    callout.position.x,
                    callout.position.y,
                    None if location is None else location.kommunekode,
                    None if location is None else location.kommunenavn,
                    None if location is None else location.politikreds,
                    *(_maybe_iso(getattr(callout, name)) for name in _TIMES),
                    callout.patrol,
                ),
            )
            self._store.write_audit(
                at=at,
                actor=actor,
                action="create",
                entity="callout",
                entity_id=callout.id,
                before=None,
                after=_callout_record(callout),
            )

    def update(self, callout: Callout, *, actor: str, at: datetime, action: str) -> None:
        """Store new times or car for an existing callout (e.g. ``action="dispatched"``)."""
        with self._store.transaction():
            before = self.get(callout.id)
            self._store.execute(
                "UPDATE callouts SET dispatched_at = ?, arrived_at = ?, cleared_at = ?, "
                "patrol = ? WHERE id = ?",
                (
                    _maybe_iso(callout.dispatched_at),
                    _maybe_iso(callout.arrived_at),
                    _maybe_iso(callout.cleared_at),
                    callout.patrol,
                    callout.id,
                ),
            )
            self._store.write_audit(
                at=at,
                actor=actor,
                action=action,
                entity="callout",
                entity_id=callout.id,
                before=_callout_record(before),
                after=_callout_record(callout),
            )

    def get(self, callout_id: str) -> Callout:
        row = self._row(callout_id)
        if row is None:
            raise NotFoundError(msg("no callout {callout_id!r}", callout_id=callout_id))
        return _callout(row)

    def location(self, callout_id: str) -> Location | None:
        row = self._row(callout_id)
        if row is None:
            raise NotFoundError(msg("no callout {callout_id!r}", callout_id=callout_id))
        return _location(row)

    def list(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        urgent: bool | None = None,
        politikreds: str | None = None,
        kommunekode: str | None = None,
        open_only: bool = False,
    ) -> list[tuple[Callout, Location | None]]:
        """Callouts received in ``[since, until)`` with their location, oldest first."""
        clauses: list[str] = []
        params: list[Any] = []
        for sql, value in (
            ("received_at >= ?", None if since is None else iso(since)),
            ("received_at < ?", None if until is None else iso(until)),
            ("urgent = ?", None if urgent is None else int(urgent)),
            ("politikreds = ?", politikreds),
            ("kommunekode = ?", kommunekode),
        ):
            if value is not None:
                clauses.append(sql)
                params.append(value)
        if open_only:
            clauses.append("cleared_at IS NULL")
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = self._store.execute(
            f"SELECT * FROM callouts{where} ORDER BY received_at, id", params
        ).fetchall()
        return [(_callout(row), _location(row)) for row in rows]

    def _row(self, callout_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._store.execute(
            "SELECT * FROM callouts WHERE id = ?", (callout_id,)
        ).fetchone()
        return row


def _visit(row: sqlite3.Row) -> StoredVisit:
    return StoredVisit(
        id=row["id"],
        visit=Visit(
            hotspot=row["hotspot_id"],
            patrol=row["patrol"],
            arrived_at=from_iso(row["arrived_at"]),
            left_at=_maybe_time(row["left_at"]),
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
        "left_at": _maybe_iso(visit.left_at),
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


class SqliteVisits:
    """Hotspot visits (reported by the crew or detected from AVL positions)."""

    def __init__(self, store: SqliteStore) -> None:
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
    ) -> list[StoredVisit]:
        """Visits arriving in ``[since, until)``, oldest first."""
        clauses: list[str] = []
        params: list[Any] = []
        for sql, value in (
            ("hotspot_id = ?", hotspot),
            ("patrol = ?", patrol),
            ("arrived_at >= ?", None if since is None else iso(since)),
            ("arrived_at < ?", None if until is None else iso(until)),
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
