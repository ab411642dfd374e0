"""The replay clock: the newest AVL fix the store holds is "now".

For a digital twin or a replay of recorded AVL (``SMARTSPOT_CLOCK=replay``, never the
default): whoever drives the service sets its time by the fixes it sends, so hours of
simulated night run in seconds. The time lives in the database (``MAX(at)`` of the positions),
so it survives a restart and every worker on the same database reads the same clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smartspot.store.sql import SqlStore
from smartspot.store.timestamps import from_iso


@dataclass(frozen=True)
class ReplayClock:
    """``now()`` is the newest fix's ``at``, and ``start`` before the first fix."""

    store: SqlStore
    start: datetime

    def now(self) -> datetime:
        row = self.store.execute("SELECT MAX(at) FROM positions").fetchone()
        if row is None or row[0] is None:
            return self.start
        return max(self.start, from_iso(row[0]))
