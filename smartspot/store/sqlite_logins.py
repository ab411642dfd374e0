"""The login throttle's counts in the database (table ``login_throttle``), so every worker
and every API node behind a load balancer counts the same failures.

Not part of the record: no audit rows, no guard triggers, rows deleted once they expire. Its
transactions are bookkeeping ones (:meth:`~smartspot.store.sql_base.SqlStoreBase.transaction`):
on PostgreSQL they lock only their own keys (an advisory lock per key, taken in key order so
two logins never wait on each other in a circle), not the store's write lock, and neither
backend forces their commit to disk, so a flood of failed logins does not queue behind or
ahead of the engine's writes. A power cut may forget the last seconds of failures.

Keys are whatever the throttle passes (it passes keyed hashes, never a typed name: people
type their password into the name field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from smartspot.store.records import ThrottleState

if TYPE_CHECKING:
    from smartspot.store.sql import Row, SqlStore

T = TypeVar("T")

_COLUMNS = ("failures", "last_failure", "blocked_until", "pending", "pending_until", "expires_at")


def _state(row: Row) -> ThrottleState:
    return ThrottleState(*(row[c] for c in _COLUMNS))


class SqliteLogins:
    """The throttle's per-key counts (on either backend)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def read(self, keys: Sequence[str]) -> dict[str, ThrottleState]:
        """The keys' counts as they are now (no lock; keys without a row are left out)."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self._store.execute(
            f"SELECT key_hash, {', '.join(_COLUMNS)} FROM login_throttle "
            f"WHERE key_hash IN ({', '.join('?' * len(wanted))})",
            wanted,
        ).fetchall()
        return {row["key_hash"]: _state(row) for row in rows}

    def change(
        self,
        keys: Sequence[str],
        edit: Callable[[dict[str, ThrottleState]], tuple[dict[str, ThrottleState], T]],
    ) -> T:
        """Read the keys' counts, let ``edit`` decide their new counts, and write them, with
        no other worker changing these keys in between. ``edit`` gets every key (a fresh
        :class:`ThrottleState` where none is stored) and returns the states to write (an
        empty one deletes its row) and its own answer, which this returns."""
        wanted = sorted(set(keys))
        store = self._store
        with store.transaction(bookkeeping=True):
            if store.dialect == "postgresql":
                for key in wanted:  # in key order: no two logins wait on each other in a circle
                    store.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))", (key,))
            current = self.read(wanted)
            states = {key: current.get(key, ThrottleState()) for key in wanted}
            changed, answer = edit(states)
            gone = [(k,) for k, s in changed.items() if s.empty]
            kept = [
                (k, *(getattr(s, c) for c in _COLUMNS)) for k, s in changed.items() if not s.empty
            ]
            if gone:
                store.executemany("DELETE FROM login_throttle WHERE key_hash = ?", gone)
            if kept:
                store.executemany(
                    f"INSERT INTO login_throttle (key_hash, {', '.join(_COLUMNS)}) "
                    f"VALUES (?, {', '.join('?' * len(_COLUMNS))}) ON CONFLICT (key_hash) "
                    f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMNS)}",
                    kept,
                )
        return answer

    def forget_expired(self, now: float) -> int:
        """Delete the counts that have expired by ``now``; returns how many."""
        expired = "SELECT key_hash FROM login_throttle WHERE expires_at < ?"
        if self._store.dialect == "postgresql":
            # rows a login is changing right now are left for the next sweep: the sweep then
            # never waits for a row a login holds while that login waits for one it holds
            expired += " FOR UPDATE SKIP LOCKED"
        with self._store.transaction(bookkeeping=True):
            cursor = self._store.execute(
                f"DELETE FROM login_throttle WHERE key_hash IN ({expired})", (now,)
            )
            return int(cursor.rowcount)

    def count(self) -> int:
        """How many keys have counts stored."""
        return int(self._store.execute("SELECT count(*) FROM login_throttle").fetchone()[0])
