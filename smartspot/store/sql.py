"""What the repositories ask of a SQL store, on SQLite and on PostgreSQL alike.

The repositories (``sqlite_<entity>.py``, named after the backend they were first written
for) hold plain SQL with ``?`` (or ``:name``) placeholders and read rows by column name or
position. :class:`~smartspot.store.sqlite.SqliteStore` runs that SQL as it is;
:class:`~smartspot.store.postgres.PostgresStore` rewrites the placeholders for psycopg and
hands back rows that read the same way. Where the two databases differ, a repository asks
``store.dialect``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | dict[str, Any]


class SqlStore(Protocol):
    """The store as its repositories see it."""

    @property
    def dialect(self) -> Dialect: ...

    def execute(self, sql: str, params: Params = ()) -> Any:
        """Run one statement; the cursor has ``fetchone``, ``fetchall``, ``rowcount``."""
        ...

    def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    def transaction(self, *, bookkeeping: bool = False) -> AbstractContextManager[None]: ...

    def after_commit(self, callback: Callable[[], None]) -> None: ...

    def next_number(self, kind: str, count: int = 1) -> int: ...

    def hold(self, sql: str, params: Params, *, table: str) -> bool:
        """Run a statement whose answer nobody waits for, writing into ``table``: maybe with
        the transaction's COMMIT (True), a later statement naming ``table`` seeing it."""
        ...

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
    ) -> None: ...


class Row(Protocol):
    """A result row, read by column name or position (``sqlite3.Row`` and the PostgreSQL
    store's rows)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> list[str]: ...


def row_dict(row: Row) -> dict[str, Any]:
    """A row read from either backend as a plain dict (column → value)."""
    return dict(zip(row.keys(), row, strict=True))
