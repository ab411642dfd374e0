"""The live event log (SQLite and PostgreSQL): every event the map is sent, in order, with an id that is
never reused, so a stream resumes from ``Last-Event-ID`` on any process."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smartspot.store.records import StoredEvent
from smartspot.store.timestamps import from_iso, iso

#: The PostgreSQL NOTIFY channel a commit with new events is announced on.
CHANNEL = "smartspot_events"

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore


class SqliteEvents:
    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def append(
        self, kind: str, data: dict[str, Any], *, at: datetime, seq: bool = True
    ) -> int | None:
        """Append one event (inside the caller's transaction, so it commits with the change it
        reports); returns its id. ``seq=False``: the caller needs no id (None), and
        PostgreSQL writes the event with the transaction's COMMIT, in its round trip (under
        the write lock as before: ids still in commit order)."""
        values = (iso(at), kind, json.dumps(data, ensure_ascii=False, default=str))
        if self._store.dialect == "postgresql":
            # the NOTIFY is delivered when the transaction commits (once per transaction), to
            # every process listening (api/events.py): a stream on another worker reads the log
            # at once; said in the same statement as the insert (one round trip, not two)
            sql = (
                "WITH added AS (INSERT INTO events (at, kind, data) VALUES (?, ?, ?) "
                f"RETURNING seq) SELECT seq, pg_notify('{CHANNEL}', '') FROM added"
            )
            if not seq:
                self._store.hold(sql, values, table="events")  # now, outside a transaction
                return None
            row = self._store.execute(sql, values).fetchone()
        else:
            row = self._store.execute(
                "INSERT INTO events (at, kind, data) VALUES (?, ?, ?) RETURNING seq", values
            ).fetchone()
        return int(row[0])

    def after(self, seq: int, *, limit: int = 500) -> list[StoredEvent]:
        """Events with an id above ``seq``, oldest first."""
        rows = self._store.execute(
            "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        ).fetchall()
        return [
            StoredEvent(row["seq"], from_iso(row["at"]), row["kind"], json.loads(row["data"]))
            for row in rows
        ]

    def last(self) -> int:
        """The newest event id (0 when none)."""
        row = self._store.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)
