"""The live event log: what the map is told, in order.

Every change the engine makes writes its event into the store in the same transaction
(``store.events``), so an event exists exactly when its change does, its id is persisted and
monotonic, and a stream resumes from ``Last-Event-ID`` on any process. After a commit the
engine calls its ``notify`` hook, which lets listeners in the same process wake at once; other
processes see the new rows when they next read the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from smartspot.store.port import Repository

#: Event kinds, the SSE ``event:`` names the map listens for.
KINDS = (
    "patrol",
    "positions",
    "callout",
    "proposal",
    "no-proposal",
    "visit",
    "hotspot",
    "followup",  # the operator's view of a follow-up: never the citizen's name or phone
)

Notify = Callable[[], None]


def no_one() -> None:
    """The notify hook when nobody listens in this process (the CLI, the simulation)."""


class EventLog:
    """Appends events to the store's log; ``emit`` must run inside the change's transaction."""

    def __init__(self, store: Repository, notify: Notify = no_one, *, enabled: bool = True) -> None:
        self.store = store
        self.notify = notify
        self.enabled = enabled  # the simulation has no map to tell

    def emit(self, kind: str, data: dict[str, Any], *, at: datetime) -> None:
        """Append an event to the change's transaction (on PostgreSQL it is written with the
        COMMIT, in its round trip: nothing waits for its id)."""
        self._emit(kind, data, at=at, seq=False)

    def emit_numbered(self, kind: str, data: dict[str, Any], *, at: datetime) -> int:
        """:meth:`emit`, answering the event's id (0 when events are off)."""
        return self._emit(kind, data, at=at, seq=True) or 0

    def _emit(self, kind: str, data: dict[str, Any], *, at: datetime, seq: bool) -> int | None:
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        if not self.enabled:
            return 0
        number = self.store.events.append(kind, data, at=at, seq=seq)
        self.store.after_commit(self.notify)
        return number
