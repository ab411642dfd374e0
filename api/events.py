"""The live event stream for the map: the store's event log, tailed per listener.

Events are written by the engine into the store in the same transaction as the change they
report (``smartspot.live.events``), with a persisted, monotonic id. Each listener reads the log
from where it is: from ``Last-Event-ID`` when the browser reconnects (EventSource sends it by
itself), else from the newest event. A write in this process wakes the listeners at once
(:meth:`EventStream.wake`); writes by other processes on the same database are picked up within
``poll_s``. Nothing is lost and no event is sent twice to a listener, whichever process wrote it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable

from starlette.concurrency import run_in_threadpool

from api.language import localised_event
from smartspot.i18n import Translator
from smartspot.store.port import Repository
from smartspot.store.records import StoredEvent

KEEPALIVE_S = 15.0
POLL_S = 0.5
BATCH = 500

#: Which events one listener gets: the event (perhaps with part of its data), or None.
Select = Callable[[StoredEvent], StoredEvent | None]


def encode(event: StoredEvent, t: Translator | None = None) -> str:
    """One SSE message; with ``t``, the words for people in the reader's language."""
    data = event.data if t is None else localised_event(event.kind, event.data, t)
    payload = json.dumps(data, ensure_ascii=False, default=str)
    return f"id: {event.seq}\nevent: {event.kind}\ndata: {payload}\n\n"


class EventStream:
    """Listeners of one process over the store's event log."""

    def __init__(self, store: Repository, *, poll_s: float = POLL_S) -> None:
        self.store = store
        self.poll_s = poll_s
        self._wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._lock = threading.Lock()

    def wake(self) -> None:
        """Something was written: let every listener read the log now (any thread)."""
        with self._lock:
            wakers = list(self._wakers)
        for loop, flag in wakers:
            try:
                loop.call_soon_threadsafe(flag.set)
            except RuntimeError:  # the loop has closed: the listener is gone
                with self._lock:
                    self._wakers.discard((loop, flag))

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._wakers)

    async def listen(
        self,
        *,
        after: int | None = None,
        keepalive_s: float = KEEPALIVE_S,
        t: Translator | None = None,
        select: Select | None = None,
    ) -> AsyncIterator[str]:
        """SSE text for one listener: events after id ``after`` (default: from now on), with
        a comment line as keep-alive; reasons in ``t``'s language when given; only what
        ``select`` keeps (the listener's politikredse) when given."""
        loop = asyncio.get_running_loop()
        flag = asyncio.Event()
        entry = (loop, flag)
        with self._lock:
            self._wakers.add(entry)
        try:
            seq = after if after is not None else await run_in_threadpool(self.store.events.last)
            yield "retry: 2000\n: connected\n\n"
            quiet = 0.0
            while True:
                flag.clear()
                found = await run_in_threadpool(self._read, seq, select)
                for event_seq, event in found:
                    seq = event_seq
                    if event is not None:
                        yield encode(event, t)
                if len(found) == BATCH:
                    continue
                if found:
                    quiet = 0.0
                try:
                    await asyncio.wait_for(flag.wait(), timeout=min(self.poll_s, keepalive_s))
                except TimeoutError:
                    quiet += min(self.poll_s, keepalive_s)
                    if quiet >= keepalive_s:
                        quiet = 0.0
                        yield ": keep-alive\n\n"
        finally:
            with self._lock:
                self._wakers.discard(entry)

    def _read(self, seq: int, select: Select | None) -> list[tuple[int, StoredEvent | None]]:
        """The next events after ``seq``, each with what ``select`` keeps of it (blocking)."""
        found = self.store.events.after(seq, limit=BATCH)
        return [(e.seq, e if select is None else select(e)) for e in found]
