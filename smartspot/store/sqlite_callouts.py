"""Callouts (udrykninger) in SQLite, every write audited."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from smartspot.domain import Callout, Location
from smartspot.errors import ConflictError, NotFoundError
from smartspot.i18n import msg
from smartspot.store.sql import Row, row_dict
from smartspot.store.timestamps import from_iso, iso, maybe_iso, maybe_time

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore

_TIMES = ("received_at", "dispatched_at", "arrived_at", "cleared_at")


def _callout(row: Row) -> Callout:
    return Callout(
        id=row["id"],
        urgent=bool(row["urgent"]),
        position=Point(row["x"], row["y"]),
        received_at=from_iso(row["received_at"]),
        dispatched_at=maybe_time(row["dispatched_at"]),
        arrived_at=maybe_time(row["arrived_at"]),
        cleared_at=maybe_time(row["cleared_at"]),
        patrol=row["patrol"],
    )


def _location(row: Row) -> Location | None:
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
        **{name: maybe_iso(getattr(callout, name)) for name in _TIMES},
    }


class SqliteCallouts:
    """Callouts: add (with the kommune it lies in), update its times and car, get, list."""

    def __init__(self, store: SqlStore) -> None:
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
                    *(maybe_iso(getattr(callout, name)) for name in _TIMES),
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

    def update(
        self,
        callout: Callout,
        *,
        actor: str,
        at: datetime,
        action: str,
        before: Callout | None = None,
    ) -> None:
        """Store new times or car for an existing callout (e.g. ``action="dispatched"``);
        ``before``: the callout as the caller read it in this transaction (else it is read).

        Raises
        ------
        NotFoundError
            For an unknown callout.
        """
        with self._store.transaction():
            if before is None:
                before = self.get(callout.id)
            written = self._store.execute(
                "UPDATE callouts SET dispatched_at = ?, arrived_at = ?, cleared_at = ?, "
                "patrol = ? WHERE id = ? RETURNING *",
                (
                    maybe_iso(callout.dispatched_at),
                    maybe_iso(callout.arrived_at),
                    maybe_iso(callout.cleared_at),
                    callout.patrol,
                    callout.id,
                ),
            ).fetchone()
            if written is None:
                raise NotFoundError(msg("no callout {callout_id!r}", callout_id=callout.id))
            self._store.write_audit(
                at=at,
                actor=actor,
                action=action,
                entity="callout",
                entity_id=callout.id,
                before=_callout_record(before),
                after=_callout_record(callout),
                rows={"callouts": [row_dict(written)]},  # the row as written, not read back
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

    def _row(self, callout_id: str) -> Row | None:
        row: Row | None = self._store.execute(
            "SELECT * FROM callouts WHERE id = ?", (callout_id,)
        ).fetchone()
        return row
