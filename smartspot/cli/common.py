"""What the commands share: the exit codes, ``--db``, ``--user``, ``--json`` and opening the
store.

The database path comes from ``--db``, else the ``SMARTSPOT_DB`` environment variable, else
``smartspot.db`` in the user's data folder. Only this edge reads the environment.
"""

from __future__ import annotations

import argparse
import getpass
import os
from enum import IntEnum
from pathlib import Path

from platformdirs import user_data_path

from smartspot.cli.output import help_text
from smartspot.clock import SystemClock
from smartspot.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SmartspotError,
    StorageError,
    UnavailableError,
)
from smartspot.geo.regions import cached_regions
from smartspot.hotspots import HotspotService
from smartspot.resources import DATA_DIR
from smartspot.store.sqlite import SqliteStore


class ExitCode(IntEnum):
    """The one table of exit codes every command uses (the README lists it)."""

    OK = 0
    ERROR = 1  # a Smart Spot error of no kind below
    INVALID_INPUT = 2  # also argparse's code for a bad command line
    NOT_FOUND = 3  # an id or name that names nothing: hotspot, kommune, politikreds, file
    CONFLICT = 4  # a stale version, a step out of order, a name already taken
    STORAGE = 5  # the database is missing, locked or unreadable
    AUTH = 6  # wrong credentials
    UNAVAILABLE = 7  # something needed is taken: the port to serve on is in use
    INTERNAL = 70  # a bug: please report it
    INTERRUPTED = 130  # Ctrl-C
    BROKEN_PIPE = 141  # the reader of the output went away (`| head`)


#: Error kinds to exit codes, most specific first.
ERROR_CODES: tuple[tuple[type[SmartspotError], ExitCode], ...] = (
    (InvalidInputError, ExitCode.INVALID_INPUT),
    (NotFoundError, ExitCode.NOT_FOUND),
    (ConflictError, ExitCode.CONFLICT),
    (StorageError, ExitCode.STORAGE),
    (AuthError, ExitCode.AUTH),
    (UnavailableError, ExitCode.UNAVAILABLE),
)


def exit_code(error: SmartspotError) -> ExitCode:
    """The exit code of an error, by the table above."""
    for kind, code in ERROR_CODES:
        if isinstance(error, kind):
            return code
    return ExitCode.ERROR


DB_ENV = "SMARTSPOT_DB"
DB_NAME = "smartspot.db"


def default_db_path() -> Path:
    """``$SMARTSPOT_DB`` if set, else ``smartspot.db`` in the platform's user data folder."""
    from_env = os.environ.get(DB_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return user_data_path("smartspot", appauthor=False) / DB_NAME


def default_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


def store_options() -> argparse.ArgumentParser:
    """A parent parser adding ``--db`` and ``--json``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        type=Path,
        default=None,
        help=help_text(
            "database file (default: ${DB_ENV} or {DB_NAME} in the user data folder)",
            DB_ENV=DB_ENV,
            DB_NAME=DB_NAME,
        ),
    )
    parent.add_argument("--json", action="store_true", help=help_text("print JSON for scripts"))
    return parent


def user_option() -> argparse.ArgumentParser:
    """A parent parser adding ``--user`` (who the audit log names)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--user",
        default=None,
        help=help_text("who makes the change (default: $USER), for the audit log"),
    )
    return parent


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db is not None else default_db_path()


def open_store(args: argparse.Namespace, *, create: bool = False) -> SqliteStore:
    return SqliteStore(db_path(args), create=create)


def service(store: SqliteStore) -> HotspotService:
    return HotspotService(store, cached_regions(DATA_DIR), SystemClock())


def user_of(args: argparse.Namespace) -> str:
    return str(args.user) if getattr(args, "user", None) else default_user()
