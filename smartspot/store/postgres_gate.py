"""Clears before AVL batches across every worker on the database (issue 10 §7, session 9).

Inside one worker :class:`~smartspot.live.clears_first.ClearsFirst` makes a batch wait while
a clear plans; on PostgreSQL the OTHER workers' batches took the store's write lock and the
cores meanwhile (session 8: a slow clear waited 44.5 ms for the write lock behind them). So a
clear also holds a session-level SHARED advisory lock, :data:`CLEAR_GATE`, on its thread's
connection from before it plans until it has stored; a batch in any worker asks
``pg_try_advisory_lock(CLEAR_GATE)`` (exclusive, never queued, given back at once) until it
is granted or its limit is over. Why a try and never a waiting exclusive request: in
PostgreSQL's lock queue a waiting exclusive request blocks every later shared one, so a
waiting batch would hold the next clear back; a try is never queued. A clear whose connection
is gone (a crashed worker) has released the gate with its session.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg

#: The clear gate's advisory lock ("SMARTSPT" + 2; WRITE_LOCK + 1 is the migration lock).
CLEAR_GATE = 0x534D415254535054 - (1 << 63) + 2
#: How long a waiting batch sleeps between two asks (each a round trip to the database, CPU
#: the clear could use; when it goes a few ms late, nobody waits for a batch).
POLL_S = 0.005

_HOLD = f"SELECT pg_advisory_lock_shared({int(CLEAR_GATE)})"
_RELEASE = f"SELECT pg_advisory_unlock_shared({int(CLEAR_GATE)})"
# granted: given back in the same statement (CASE evaluates in order); True = no clear holds it
_FREE = (
    f"SELECT CASE WHEN pg_try_advisory_lock({int(CLEAR_GATE)}) "
    f"THEN pg_advisory_unlock({int(CLEAR_GATE)}) ELSE false END"
)


class PostgresClearGate:
    """The clear gate on ``connection()`` (the calling thread's connection)."""

    def __init__(self, connection: Callable[[], psycopg.Connection[Any]]) -> None:
        self._connection = connection

    @contextlib.contextmanager
    def clearing(self) -> Iterator[None]:
        """A clear in progress: every worker's batches wait (see :meth:`wait`)."""
        conn = self._connection()
        try:
            conn.execute(_HOLD)  # waits only for a batch's try (microseconds)
        except psycopg.Error:  # the database unreachable: the clear says so itself
            yield
            return
        try:
            yield
        finally:
            try:
                conn.execute(_RELEASE)
            except psycopg.Error:  # never left held: the session's end releases it
                conn.close()

    def wait(self, limit_s: float) -> bool:
        """Wait until no clear of any worker holds the gate, at most ``limit_s``; True when
        none does (False also when the database cannot be asked: the batch goes on)."""
        deadline = time.monotonic() + max(limit_s, 0.0)
        try:
            conn = self._connection()
            while True:
                row = conn.execute(_FREE).fetchone()
                if row is not None and row[0]:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                time.sleep(min(POLL_S, left))
        except psycopg.Error:
            return False
