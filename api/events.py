"""The live event stream: the map listens, nothing polls.

:class:`EventBus` fans events out to every connected listener. Routes that publish usually run
in FastAPI's threadpool (they touch SQLite), so :meth:`EventBus.publish` is thread-safe: it
hands each event to the event loop with ``call_soon_threadsafe``. A slow listener whose queue is
full loses the oldest events rather than slowing the publishers down.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

QUEUE_SIZE = 1_000
KEEPALIVE_S = 15.0


@dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event: ``kind`` becomes the SSE ``event:`` name."""

    kind: str
    data: dict[str, Any]
    seq: int = 0

    def encode(self) -> str:
        payload = json.dumps(self.data, ensure_ascii=False, default=str)
        return f"id: {self.seq}\nevent: {self.kind}\ndata: {payload}\n\n"


@dataclass
class EventBus:
    """Publish from any thread; listen from the event loop."""

    _listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]] = field(
        default_factory=set
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            event = Event(kind, data, self._seq)
            listeners = list(self._listeners)
        for loop, queue in listeners:
            try:
                loop.call_soon_threadsafe(_offer, queue, event)
            except RuntimeError:  # the loop has closed: the listener is gone
                with self._lock:
                    self._listeners.discard((loop, queue))

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._listeners)

    async def listen(self, *, keepalive_s: float = KEEPALIVE_S) -> AsyncIterator[str]:
        """SSE text chunks for one listener, with a comment line as keep-alive."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_SIZE)
        entry = (loop, queue)
        with self._lock:
            self._listeners.add(entry)
        try:
            yield "retry: 2000\n: connected\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=keepalive_s)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield event.encode()
        finally:
            with self._lock:
                self._listeners.discard(entry)


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)
