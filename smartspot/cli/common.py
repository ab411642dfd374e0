"""What the store commands share (and the exit codes, re-exported): ``--db``, ``--user``, ``--json`` and opening the
store.

The database path comes from ``--db``, else the ``SMARTSPOT_DB`` environment variable, else
``smartspot.db`` in the user's data folder. Only this edge reads the environment.
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from platformdirs import user_data_path

from smartspot.cli.exit_codes import ERROR_CODES, ExitCode, exit_code
from smartspot.cli.output import help_text
from smartspot.clock import SystemClock
from smartspot.geo.regions import cached_regions
from smartspot.hotspots import HotspotService
from smartspot.resources import DATA_DIR
from smartspot.store.open import Store, is_postgres, sqlite_path
from smartspot.store.open import open_store as open_any

DB_ENV = "SMARTSPOT_DB"
DB_NAME = "smartspot.db"


def default_db_path() -> Path | str:
    """``$SMARTSPOT_DB`` if set, else ``smartspot.db`` in the platform's user data folder."""
    from_env = os.environ.get(DB_ENV, "").strip()
    if from_env:
        return from_env if is_postgres(from_env) else sqlite_path(from_env)
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


def db_path(args: argparse.Namespace) -> Path | str:
    """The database ``--db`` names (a PostgreSQL URL or an SQLite file), else the default."""
    if args.db is None:
        return default_db_path()
    return str(args.db) if is_postgres(args.db) else sqlite_path(args.db)


def open_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    return open_any(db_path(args), create=create)


def service(store: Store) -> HotspotService:
    return HotspotService(store, cached_regions(DATA_DIR), SystemClock())


def user_of(args: argparse.Namespace) -> str:
    return str(args.user) if getattr(args, "user", None) else default_user()


__all__ = ["ERROR_CODES", "ExitCode", "exit_code"]
