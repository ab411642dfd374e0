"""What the SQLite and the PostgreSQL store share: per-thread connections, nested
transactions with after-commit callbacks, the audit helpers, and the schema-version checks.

A backend says how to begin, commit and roll back a transaction on one of its connections
(:meth:`SqlStoreBase._begin` and friends), how to append one audit row, and how to check the
record; the rest is here, once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Self, cast

from smartspot.errors import StorageError
from smartspot.i18n import msg
from smartspot.store import sqlite_audit
from smartspot.store.port import ClearGate, OneProcess
from smartspot.store.sql import Params, SqlStore
from smartspot.store.sqlite_callouts import SqliteCallouts
from smartspot.store.sqlite_events import SqliteEvents
from smartspot.store.sqlite_followups import SqliteFollowUps
from smartspot.store.sqlite_hotspots import SqliteHotspots
from smartspot.store.sqlite_logins import SqliteLogins
from smartspot.store.sqlite_patrols import SqlitePatrols
from smartspot.store.sqlite_proposals import SqliteProposals
from smartspot.store.sqlite_stays import SqliteStays
from smartspot.store.sqlite_users import SqliteUsers
from smartspot.store.sqlite_visits import SqliteVisits
from smartspot.store.timestamps import iso


def _json(document: dict[str, Any] | None) -> str | None:
    return None if document is None else json.dumps(document, ensure_ascii=False)


class SqlStoreBase:
    """The shared half of :class:`~smartspot.store.sqlite.SqliteStore` and
    :class:`~smartspot.store.postgres.PostgresStore`."""

    path: Any  # what messages name (a file, or a URL without its password)
    #: clears before AVL batches across processes (one process writes SQLite: nothing to do)
    clear_gate: ClearGate = OneProcess()

    def _init_repositories(self) -> None:
        """The repositories, one per entity; their SQL runs on either backend."""
        store = cast("SqlStore", self)  # each backend has what the protocol asks
        self.hotspots = SqliteHotspots(store)
        self.audit = sqlite_audit.SqliteAuditLog(store)
        self.users = SqliteUsers(store)
        self.patrols = SqlitePatrols(store)
        self.callouts = SqliteCallouts(store)
        self.visits = SqliteVisits(store)
        self.proposals = SqliteProposals(store)
        self.stays = SqliteStays(store)
        self.events = SqliteEvents(store)
        self.followups = SqliteFollowUps(store)
        self.logins = SqliteLogins(store)

    def _init_connections(self) -> None:
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    # -- what each backend provides ---------------------------------------------------------

    @property
    def connection(self) -> Any:
        raise NotImplementedError

    def execute(self, sql: str, params: Params = ()) -> Any:
        raise NotImplementedError

    def _begin(self, conn: Any, *, bookkeeping: bool = False) -> None:
        """Open a write transaction (StorageError when it cannot); ``bookkeeping``: see
        :meth:`transaction`."""
        raise NotImplementedError

    def _commit(self, conn: Any) -> None:
        """Commit (rolling back and raising StorageError when that fails)."""
        raise NotImplementedError

    def _rollback(self, conn: Any) -> None:
        """Roll back whatever is open (never raises)."""
        raise NotImplementedError

    def hold(self, sql: str, params: Params, *, table: str) -> bool:
        """Run a statement whose answer nobody waits for: PostgreSQL holds it for the
        transaction's COMMIT (one round trip for all); here it runs now. True when held."""
        self.execute(sql, params)
        return False

    def _ended(self, conn: Any, *, bookkeeping: bool) -> None:
        """After a transaction committed or rolled back (a backend may restore a setting)."""

    def _append_audit(self, **row: Any) -> None:
        """Append one audit row (``at`` as ISO text, ``before``/``after`` as JSON text)."""
        raise NotImplementedError

    def _verify(self, anchors: Mapping[int, str] | None) -> sqlite_audit.Verdict:
        raise NotImplementedError

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, bookkeeping: bool = False) -> Iterator[None]:
        """One atomic unit of work, holding the write lock from its start to its commit, so
        two commands never interleave their reads and writes. Nested blocks join the outer
        one; the callbacks of :meth:`after_commit` run once it has committed.

        ``bookkeeping``: a transaction on tables outside the record (the login throttle's
        counts), which neither audits nor writes events: on PostgreSQL it does not take the
        store's write lock (it locks what it needs itself), and neither backend waits for
        its commit to reach the disk (a power cut may lose its last seconds). Never use it
        for anything the audit chain or the event log covers."""
        conn = self.connection
        if self._local.depth > 0:
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        self._begin(conn, bookkeeping=bookkeeping)
        self._local.depth = 1
        try:
            yield
        except BaseException:
            self._local.depth = 0
            self._local.after = []
            self._rollback(conn)
            self._ended(conn, bookkeeping=bookkeeping)
            raise
        self._local.depth = 0
        try:
            self._commit(conn)
        finally:
            self._ended(conn, bookkeeping=bookkeeping)
            callbacks, self._local.after = getattr(self._local, "after", []), []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current transaction has committed (at once outside one);
        dropped when it rolls back."""
        if getattr(self._local, "depth", 0) == 0:
            callback()
            return
        after = getattr(self._local, "after", None)
        if after is None:
            after = self._local.after = []
        if callback not in after:
            after.append(callback)

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the audit record ------------------------------------------------------------------

    def write_audit(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    ) -> None:
        """Append one audit entry, chained to the one before it (call inside the transaction
        of the write it records, after the write: it hashes the object's rows as written).

        ``rows``: the object's rows as written, table by table (every table of its entity in
        :data:`smartspot.store.audit.ENTITIES`, every column, valued as the database returns
        them: e.g. from the write's ``RETURNING *``), when the caller has them; the audit
        row's state hash is then made from them instead of reading the rows back (what
        ``audit verify`` recomputes from the stored rows must be the same: tested)."""
        self._append_audit(
            at=iso(at),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=_json(before),
            after=_json(after),
            rows=rows,
        )

    def verify_audit(self, *, anchors: Mapping[int, str] | None = None) -> sqlite_audit.Verdict:
        """Check the audit chain, every object's rows against its last audit row, and the
        guard triggers, in one consistent snapshot (no writer in between)."""
        with self.transaction():
            return self._verify(anchors)

    def audit_of(self, object_id: str) -> list[dict[str, Any]]:
        """Every audit row about one object (hotspot, callout, proposal, visit …)."""
        return sqlite_audit.entries_for(self, object_id)

    # -- schema versions --------------------------------------------------------------------

    def _refuse_newer(self, current: int, newest: int) -> None:
        if current > newest:
            raise StorageError(
                msg(
                    "{path} has schema version {current}, newer than this Smart Spot knows ({n_MIGRATIONS}); upgrade Smart Spot",
                    path=self.path,
                    current=current,
                    n_MIGRATIONS=newest,
                )
            )
