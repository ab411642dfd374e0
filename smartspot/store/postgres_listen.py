"""Live events across processes on PostgreSQL: ``LISTEN smartspot_events``.

Every transaction that appends to the event log also says ``NOTIFY smartspot_events``
(``sqlite_events.py``); PostgreSQL delivers it at commit to every listening connection, in
every worker and on every API node. A listener only wakes the local event stream, which then
reads the persisted log from its last id: a notification carries no data, so one that is lost
(a dropped connection) loses nothing, it only delays until the stream's next poll or the
reconnect, after which the stream reads the log again. The listener also LISTENs on a channel
of its own, on which :meth:`EventNotifications.stop` wakes it, so a shutdown does not wait for
the current wait to time out.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

import psycopg

from smartspot.store.sqlite_events import CHANNEL

RECONNECT_S = 1.0
#: How long one wait for notifications lasts before the stop flag is looked at again.
WAIT_S = 1.0


class EventNotifications:
    """A thread holding one connection that LISTENs and calls ``wake`` on every NOTIFY.

    Parameters
    ----------
    url
        The database (the same the store uses).
    wake
        Called from the listening thread (the event stream's thread-safe ``wake``).
    """

    def __init__(self, url: str, wake: Callable[[], None]) -> None:
        self.url = url
        self.wake = wake
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)
        self._stop_channel = f"smartspot_listen_stop_{secrets.token_hex(8)}"

    def start(self, *, wait_s: float = 10.0) -> None:
        """Start listening; returns once the LISTEN is in place (or after ``wait_s``)."""
        self._thread.start()
        self._listening.wait(wait_s)

    def stop(self) -> None:
        """Stop listening; returns once the thread has ended (or after the wait's timeout)."""
        self._stop.set()
        if self._listening.is_set():
            try:  # wake the wait now rather than when it times out
                with psycopg.connect(self.url, autocommit=True, connect_timeout=2) as conn:
                    conn.execute("SELECT pg_notify(%s, '')", (self._stop_channel,))
            except psycopg.Error:
                pass  # the thread sees the stop flag when its wait times out
        self._thread.join(timeout=WAIT_S + 2)

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.url, autocommit=True, application_name="smartspot-listen"
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    conn.execute(f"LISTEN {self._stop_channel}")
                    self._listening.set()
                    self.wake()  # anything committed while we were not listening
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=WAIT_S):
                            if note.channel == self._stop_channel:
                                break
                            self.wake()
            except psycopg.Error:
                self._listening.clear()
                self._stop.wait(RECONNECT_S)
