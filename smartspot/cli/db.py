"""``smartspot db upgrade``: migrate a database, SQLite or PostgreSQL, to this Smart Spot's
schema (the numbered migrations of ``smartspot/store/migrations.py``, one loop for both
backends; a new database is created from ``store/tables.py``).

Safe to run again: a database already at the newest schema is left as it is. On PostgreSQL,
run it as the database's owner (the service's own login may only read and write rows).
"""

from __future__ import annotations

import argparse
import sqlite3
from typing import Any

from smartspot.cli.common import db_path, store_options
from smartspot.cli.output import emit, help_text
from smartspot.errors import StorageError
from smartspot.i18n import msg
from smartspot.store.open import is_postgres, open_store


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help=help_text("manage the database"))
    commands = parser.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade = commands.add_parser(
        "upgrade",
        parents=[store_options()],
        help=help_text("migrate the database to this Smart Spot's schema"),
    )
    upgrade.set_defaults(func=run_upgrade)


def version_before(target: Any) -> int:
    """The schema version of an existing database, read without migrating it."""
    if is_postgres(target):
        import psycopg

        try:
            with psycopg.connect(str(target), connect_timeout=10) as conn:
                present = conn.execute("SELECT to_regclass('smartspot_schema')").fetchone()
                if present is None or present[0] is None:
                    return 0
                row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM smartspot_schema")
                found = row.fetchone()
                return int(found[0]) if found else 0
        except psycopg.Error as error:
            first = (str(error).splitlines() or [type(error).__name__])[0]
            raise StorageError(
                msg("cannot open {where}: {text}", where="PostgreSQL", text=first)
            ) from None
    if not target.exists():
        raise StorageError(
            msg(
                "no database at {path}; create it with `smartspot init --db {path}`",
                path=target,
            )
        )
    try:
        with sqlite3.connect(target) as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as error:
        raise StorageError(
            msg("cannot open {where}: {text}", where=target, text=str(error))
        ) from None


def run_upgrade(args: argparse.Namespace) -> int:
    target = db_path(args)
    before = version_before(target)
    with open_store(target, create=True) as store:
        after = store.schema_version
        shown = str(store.path)
    emit(
        {"db": shown, "from": before, "to": after},
        as_json=args.json,
        text=msg(
            "database {db}: schema version {before} → {after}",
            db=shown,
            before=before,
            after=after,
        ),
    )
    return 0
