"""Which store a database name means: a PostgreSQL URL, else an SQLite file.

``postgresql://…`` (or ``postgres://…``) selects :class:`~smartspot.store.postgres.PostgresStore`;
a path or ``sqlite:///path`` keeps the embedded default. psycopg is imported only when a URL
asks for it, so the command line stays quick on SQLite.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias
from urllib.parse import urlsplit, urlunsplit

from smartspot.store.sqlite import DEFAULT_BUSY_TIMEOUT_S, SqliteStore

if TYPE_CHECKING:
    from smartspot.store.postgres import PostgresStore

Store: TypeAlias = "SqliteStore | PostgresStore"

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


def is_postgres(target: str | Path) -> bool:
    """Whether ``target`` names a PostgreSQL database."""
    return str(target).startswith(POSTGRES_SCHEMES)


def sqlite_path(target: str | Path) -> Path:
    """The file an SQLite target names (``sqlite:///path`` or a plain path)."""
    text = str(target)
    if text.startswith(SQLITE_SCHEME):
        text = (
            "/" + text.removeprefix(SQLITE_SCHEME).lstrip("/")
            if text.startswith("sqlite:////")
            else text.removeprefix(SQLITE_SCHEME)
        )
    return Path(text).expanduser()


def redacted(target: str | Path) -> str:
    """The database's name without a password, for messages and logs."""
    parts = urlsplit(str(target))
    if not is_postgres(target) or parts.password is None:
        return str(target)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def open_store(
    target: str | Path,
    *,
    create: bool = False,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
) -> Store:
    """The store ``target`` names, migrated to the newest schema when ``create`` allows.

    Raises
    ------
    StorageError
        When the database cannot be opened (see each store).
    """
    if is_postgres(target):
        from smartspot.store.postgres import PostgresStore

        return PostgresStore(str(target), create=create, busy_timeout_s=busy_timeout_s)
    return SqliteStore(sqlite_path(target), create=create, busy_timeout_s=busy_timeout_s)
