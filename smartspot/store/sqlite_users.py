"""User accounts in SQLite. Password hashes are stored, never written to the audit log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smartspot.access import ALL_DISTRICTS
from smartspot.errors import ConflictError, NotFoundError
from smartspot.i18n import msg
from smartspot.store import sqlite_audit
from smartspot.store.records import ROLES, UserAccount
from smartspot.store.sql import Row
from smartspot.store.timestamps import from_iso, iso

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore

ENTITY = "user"
# Changes that end the account's tokens: each raises its token generation by one.
REVOKING_ACTIONS = ("set-role", "set-password", "activate", "deactivate")


def _account(row: Row) -> UserAccount:
    return UserAccount(
        name=row["name"],
        role=row["role"],
        password_hash=row["password_hash"],
        created_at=from_iso(row["created_at"]),
        active=bool(row["active"]),
        districts=tuple(json.loads(row["districts"])),
    )


def _public(account: UserAccount) -> dict[str, Any]:
    return {
        "name": account.name,
        "role": account.role,
        "active": account.active,
        "districts": list(account.districts),
    }


def _districts_json(districts: Sequence[str]) -> str:
    """The stored form: sorted, each name once (``["*"]`` for all)."""
    return json.dumps(sorted(set(districts)), ensure_ascii=False)


def assign_existing_districts(conn: sqlite_audit.Executor, at: str) -> int:
    """Migration 6's step: every account made before users had districts gets some, with an
    audit row ``set-districts`` by ``smartspot``: admins all politikredse; everyone else the
    politikredse this database holds hotspots, callouts or proposals of (all of them when it
    holds none, so no one loses what they saw before). Returns how many accounts changed."""
    found = conn.execute(
        "SELECT politikreds FROM hotspot_versions UNION SELECT politikreds FROM callouts "
        "UNION SELECT politikreds FROM proposals"
    ).fetchall()
    held = sorted({str(p) for (p,) in found if p})
    names = conn.execute("SELECT name, role FROM users ORDER BY name").fetchall()
    for name, role in names:
        chosen = [ALL_DISTRICTS] if role == "admin" or not held else held
        conn.execute(
            "UPDATE users SET districts = ? WHERE name = ?", (_districts_json(chosen), name)
        )
        sqlite_audit.append(
            conn,
            at=at,
            actor=sqlite_audit.SEAL_ACTOR,
            action="set-districts",
            entity=ENTITY,
            entity_id=name,
            before=None,
            after=json.dumps({"districts": chosen}, ensure_ascii=False),
        )
    return len(names)


class SqliteUsers:
    """User accounts: add, get, list, change role, password hash or active flag."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def add(self, account: UserAccount, *, actor: str) -> None:
        """Store a new account. Raises ConflictError when the name is taken."""
        with self._store.transaction():
            if self._find(account.name) is not None:
                raise ConflictError(msg("a user named {name!r} exists already", name=account.name))
            self._store.execute(
                "INSERT INTO users (name, role, password_hash, created_at, active, districts) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    account.name,
                    account.role,
                    account.password_hash,
                    iso(account.created_at),
                    int(account.active),
                    _districts_json(account.districts),
                ),
            )
            self._store.write_audit(
                at=account.created_at,
                actor=actor,
                action="create",
                entity=ENTITY,
                entity_id=account.name,
                before=None,
                after=_public(account),
            )

    def get(self, name: str) -> UserAccount:
        """Raises NotFoundError for an unknown name."""
        found = self._find(name)
        if found is None:
            raise NotFoundError(msg("no user named {name!r}", name=name))
        return found

    def list(self) -> list[UserAccount]:
        rows = self._store.execute("SELECT * FROM users ORDER BY name").fetchall()
        return [_account(row) for row in rows]

    def token_generation(self, name: str) -> int:
        """How many times the account's role, password or active flag has changed: the
        number a token carries, so a change ends every token issued before it. Counted from
        the append-only audit log, which every change writes in its own transaction."""
        marks = ", ".join("?" for _ in REVOKING_ACTIONS)
        row = self._store.execute(
            "SELECT count(*) FROM audit_log WHERE entity = ? AND entity_id = ? "
            f"AND action IN ({marks})",
            (ENTITY, name, *REVOKING_ACTIONS),
        ).fetchone()
        return int(row[0])

    def set_role(self, name: str, role: str, *, actor: str, at: datetime) -> UserAccount:
        return self._change(name, {"role": role}, actor=actor, at=at, action="set-role")

    def set_password_hash(
        self, name: str, password_hash: str, *, actor: str, at: datetime
    ) -> UserAccount:
        return self._change(
            name, {"password_hash": password_hash}, actor=actor, at=at, action="set-password"
        )

    def set_active(self, name: str, active: bool, *, actor: str, at: datetime) -> UserAccount:
        action = "activate" if active else "deactivate"
        return self._change(name, {"active": active}, actor=actor, at=at, action=action)

    def set_districts(
        self, name: str, districts: Sequence[str], *, actor: str, at: datetime
    ) -> UserAccount:
        """Give the account these politikredse (``["*"]``: all). Takes effect on the user's
        next request; their logins go on."""
        return self._change(
            name,
            {"districts": tuple(sorted(set(districts)))},
            actor=actor,
            at=at,
            action="set-districts",
        )

    def _find(self, name: str) -> UserAccount | None:
        row = self._store.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else _account(row)

    def _change(
        self, name: str, changes: dict[str, Any], *, actor: str, at: datetime, action: str
    ) -> UserAccount:
        if "role" in changes and changes["role"] not in ROLES:
            UserAccount(name, changes["role"], "x", at)  # raises the role message
        with self._store.transaction():
            before = self.get(name)
            after = UserAccount(
                name=name,
                role=changes.get("role", before.role),
                password_hash=changes.get("password_hash", before.password_hash),
                created_at=before.created_at,
                active=changes.get("active", before.active),
                districts=changes.get("districts", before.districts),
            )
            self._store.execute(
                "UPDATE users SET role = ?, password_hash = ?, active = ?, districts = ? "
                "WHERE name = ?",
                (
                    after.role,
                    after.password_hash,
                    int(after.active),
                    _districts_json(after.districts),
                    name,
                ),
            )
            self._store.write_audit(
                at=at,
                actor=actor,
                action=action,
                entity=ENTITY,
                entity_id=name,
                before=_public(before),
                after=_public(after),
            )
        return after
