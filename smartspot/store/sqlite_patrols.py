"""Patrol cars in SQLite: their current state and the append-only history of AVL positions.

Status changes and new cars are audited. Position fixes are not (an AVL feed sends thousands an
hour); the ``positions`` table is itself an append-only log of every fix received.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from smartspot.domain import Patrol, PatrolStatus
from smartspot.errors import ConflictError, NotFoundError
from smartspot.i18n import msg
from smartspot.store.records import PositionFix, Stay
from smartspot.store.sql import Row, row_dict
from smartspot.store.timestamps import from_iso, iso

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore

#: rows of one multi-row statement (4 parameters each, well under SQLite's 32,766)
ROWS_PER_STATEMENT = 500
ENTITY = "patrol"


def _patrol(row: Row) -> Patrol:
    has_position = row["position_at"] is not None
    return Patrol(
        call_sign=row["call_sign"],
        home_station=row["home_station"],
        status=PatrolStatus(row["status"]),
        position=Point(row["x"], row["y"]) if has_position else None,
        position_at=from_iso(row["position_at"]) if has_position else None,
    )


def _record(patrol: Patrol) -> dict[str, Any]:
    return {
        "call_sign": patrol.call_sign,
        "home_station": patrol.home_station,
        "status": patrol.status.value,
    }


class SqlitePatrols:
    """Patrols: add, get, list, set status, record positions, read the position history."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def add(self, patrol: Patrol, *, actor: str, at: datetime) -> None:
        """Register a car. Raises ConflictError when the call sign is taken."""
        with self._store.transaction():
            if self._find(patrol.call_sign) is not None:
                raise ConflictError(
                    msg("a patrol with call sign {call_sign!r} exists", call_sign=patrol.call_sign)
                )
            position = patrol.position
            self._store.execute(
                "INSERT INTO patrols (call_sign, home_station, status, x, y, position_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    patrol.call_sign,
                    patrol.home_station,
                    patrol.status.value,
                    None if position is None else position.x,
                    None if position is None else position.y,
                    None if patrol.position_at is None else iso(patrol.position_at),
                ),
            )
            self._store.write_audit(
                at=at,
                actor=actor,
                action="create",
                entity=ENTITY,
                entity_id=patrol.call_sign,
                before=None,
                after=_record(patrol),
            )

    def get(self, call_sign: str) -> Patrol:
        found = self._find(call_sign)
        if found is None:
            raise NotFoundError(msg("no patrol with call sign {call_sign!r}", call_sign=call_sign))
        return found

    def list(
        self,
        *,
        status: PatrolStatus | None = None,
        call_signs: Collection[str] | None = None,
        home_stations: Collection[str] | None = None,
    ) -> list[Patrol]:
        """The cars (of that status; only those call signs, e.g. an AVL batch's; only those
        based at these stations, e.g. one politikreds's), by call sign; unknown call signs
        are not in the answer."""
        where, params = [], []
        if status is not None:
            where.append("status = ?")
            params.append(PatrolStatus(status).value)
        for column, values in (("call_sign", call_signs), ("home_station", home_stations)):
            if values is None:
                continue
            if not values:
                return []
            wanted = sorted(set(values))
            where.append(f"{column} IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
        sql = "SELECT * FROM patrols" + (f" WHERE {' AND '.join(where)}" if where else "")
        rows = self._store.execute(sql + " ORDER BY call_sign", params).fetchall()
        return [_patrol(row) for row in rows]

    def with_stays(
        self, call_signs: Collection[str]
    ) -> tuple[builtins.list[Patrol], dict[str, Stay]]:
        """These cars, as :meth:`list` gives them (unknown call signs are not in the answer),
        and their stays in progress (call sign → stay, as ``stays.of``), in ONE statement: an
        AVL batch reads both with the write lock held, where each round trip is a wait that
        every other writer of every worker queues behind."""
        wanted = sorted(set(call_signs))
        if not wanted:
            return [], {}
        rows = self._store.execute(
            "SELECT p.*, s.hotspot_id AS stay_hotspot, s.first_at AS stay_first, "
            "s.last_at AS stay_last FROM patrols p LEFT JOIN stays s ON s.call_sign = p.call_sign"
            f" WHERE p.call_sign IN ({', '.join('?' * len(wanted))}) ORDER BY p.call_sign",
            wanted,
        ).fetchall()
        stays = {
            row["call_sign"]: Stay(
                row["call_sign"],
                row["stay_hotspot"],
                from_iso(row["stay_first"]),
                from_iso(row["stay_last"]),
            )
            for row in rows
            if row["stay_hotspot"] is not None
        }
        return [_patrol(row) for row in rows], stays

    def set_status(
        self, call_sign: str, status: PatrolStatus, *, actor: str, at: datetime
    ) -> Patrol:
        """Change a car's status (audited); returns the car as it now is."""
        status = PatrolStatus(status)
        with self._store.transaction():
            before = self.get(call_sign)
            written = self._store.execute(
                "UPDATE patrols SET status = ? WHERE call_sign = ? RETURNING *",
                (status.value, call_sign),
            ).fetchone()
            after = _patrol(written)
            self._store.write_audit(
                at=at,
                actor=actor,
                action="set-status",
                entity=ENTITY,
                entity_id=call_sign,
                before=_record(before),
                after=_record(after),
                rows={"patrols": [row_dict(written)]},  # the row as written, not read back
            )
        return after

    def record_positions(
        self, fixes: Sequence[PositionFix], *, known: Collection[str] | None = None
    ) -> int:
        """Append a batch of AVL fixes (all or none) and move each car's last position to its
        newest fix; a fix older than the car's last known one is kept in the history only.
        ``known``: call signs the caller read from the store in this transaction (the engine
        has just read the batch's cars), so they need not be asked again.

        Raises
        ------
        NotFoundError
            When a fix names a call sign that is not registered (nothing is written).
        """
        if not fixes:
            return 0
        with self._store.transaction():
            if known is None:
                known = {
                    row[0]
                    for row in self._store.execute("SELECT call_sign FROM patrols").fetchall()
                }
            unknown = sorted({fix.call_sign for fix in fixes} - set(known))
            if unknown:
                raise NotFoundError(
                    msg("unknown patrol call signs: {unknown}", unknown=", ".join(unknown))
                )
            rows = [(f.call_sign, iso(f.at), f.position.x, f.position.y) for f in fixes]
            # one statement per chunk, not per fix: a batch of 100 fixes was 200 statements
            # PostgreSQL writes both with the COMMIT, in its round trip (store.hold): nothing
            # waits for their answer, a later statement naming the table writes them first
            for lo in range(0, len(rows), ROWS_PER_STATEMENT):
                part = rows[lo : lo + ROWS_PER_STATEMENT]
                self._store.hold(
                    "INSERT INTO positions (call_sign, at, x, y) VALUES "
                    + ", ".join(["(?, ?, ?, ?)"] * len(part)),
                    [value for row in part for value in row],
                    table="positions",
                )
            # each car's newest fix of the batch (of equal times the later one, as a row-by-row
            # update would leave it), then one UPDATE … FROM VALUES for the cars
            newest: dict[str, tuple[str, str, float, float]] = {}
            for row in rows:
                if row[0] not in newest or newest[row[0]][1] <= row[1]:
                    newest[row[0]] = row
            latest = list(newest.values())
            for lo in range(0, len(latest), ROWS_PER_STATEMENT):
                part = latest[lo : lo + ROWS_PER_STATEMENT]
                self._store.hold(
                    "UPDATE patrols SET x = v.column3, y = v.column4, position_at = v.column2 "
                    "FROM (VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(part)) + ") AS v "
                    "WHERE patrols.call_sign = v.column1 "
                    "AND (patrols.position_at IS NULL OR patrols.position_at <= v.column2)",
                    [value for row in part for value in row],
                    table="patrols",
                )
        return len(fixes)

    def positions(
        self,
        call_sign: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> builtins.list[PositionFix]:
        """The car's fixes in time order, optionally within ``[since, until]``."""
        sql = "SELECT call_sign, at, x, y FROM positions WHERE call_sign = ?"
        params: list[Any] = [call_sign]
        if since is not None:
            sql += " AND at >= ?"
            params.append(iso(since))
        if until is not None:
            sql += " AND at <= ?"
            params.append(iso(until))
        rows = self._store.execute(sql + " ORDER BY at, seq", params).fetchall()
        return [PositionFix(r["call_sign"], from_iso(r["at"]), Point(r["x"], r["y"])) for r in rows]

    def _find(self, call_sign: str) -> Patrol | None:
        row = self._store.execute(
            "SELECT * FROM patrols WHERE call_sign = ?", (call_sign,)
        ).fetchone()
        return None if row is None else _patrol(row)
