"""Stays in SQLite: a car inside a hotspot right now, while visit detection waits to see how
long it stays. Kept in the store (not in a process's memory) so a restart or a second worker
sees the same stay; not audited (the visit it becomes is)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from smartspot.store.records import Stay
from smartspot.store.timestamps import from_iso, iso

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore


class SqliteStays:
    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def of(self, call_signs: Iterable[str]) -> dict[str, Stay]:
        """The stays in progress of these cars (call sign → stay)."""
        wanted = sorted(set(call_signs))
        found: dict[str, Stay] = {}
        for chunk in range(0, len(wanted), 500):
            part = wanted[chunk : chunk + 500]
            rows = self._store.execute(
                f"SELECT * FROM stays WHERE call_sign IN ({', '.join('?' * len(part))})", part
            ).fetchall()
            for row in rows:
                found[row["call_sign"]] = Stay(
                    row["call_sign"],
                    row["hotspot_id"],
                    from_iso(row["first_at"]),
                    from_iso(row["last_at"]),
                )
        return found

    def all(self) -> list[Stay]:
        rows = self._store.execute("SELECT call_sign FROM stays").fetchall()
        return list(self.of(row[0] for row in rows).values())

    def save(self, stays: Iterable[Stay], ended: Iterable[str]) -> None:
        """Write the cars' stays in progress and forget the ended ones (one transaction)."""
        with self._store.transaction():
            self._store.executemany("DELETE FROM stays WHERE call_sign = ?", [(c,) for c in ended])
            self._store.executemany(
                "INSERT INTO stays (call_sign, hotspot_id, first_at, last_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (call_sign) DO UPDATE SET hotspot_id = excluded.hotspot_id, "
                "first_at = excluded.first_at, last_at = excluded.last_at",
                [(s.call_sign, s.hotspot, iso(s.first), iso(s.last)) for s in stays],
            )
