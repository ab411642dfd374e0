"""Interim user accounts in the Smart Spot SQLite file, until the store ships its own users
repository (then this file goes and ``api/deps.py`` uses ``store.users``).

Kept apart on purpose: a table of its own (``api_users``), created when missing, written through
the store's transaction and audit log, so every account change names who made it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from api.auth import Role, User
from smartspot.errors import ConflictError, NotFoundError
from smartspot.store.sqlite import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('operator', 'analyst', 'planner', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


class SqliteUsers:
    """:class:`api.auth.UserRepository` on a :class:`SqliteStore`."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        with store.transaction():
            store.execute(_SCHEMA)

    def get(self, name: str) -> User:
        row = self._store.execute(
            "SELECT name, role, password_hash FROM api_users WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no user named {name!r}")
        return User(row["name"], Role(row["role"]), row["password_hash"])

    def add(self, user: User, *, actor: str) -> None:
        now = datetime.now(UTC)
        with self._store.transaction():
            taken = self._store.execute(
                "SELECT 1 FROM api_users WHERE name = ?", (user.name,)
            ).fetchone()
            if taken is not None:
                raise ConflictError(f"a user named {user.name!r} exists already")
            self._store.execute(
                "INSERT INTO api_users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (user.name, user.role.value, user.password_hash, now.isoformat()),
            )
            self._store.write_audit(
                at=now,
                actor=actor,
                action="create",
                entity="user",
                entity_id=user.name,
                before=None,
                after={"name": user.name, "role": user.role.value},
            )

    def list(self) -> list[User]:
        rows = self._store.execute(
            "SELECT name, role, password_hash FROM api_users ORDER BY name"
        ).fetchall()
        return [User(r["name"], Role(r["role"]), r["password_hash"]) for r in rows]
