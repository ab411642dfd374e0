"""``smartspot backup TARGET``: a consistent copy of the database, with SQLite's online backup
API, safe while the service writes (a plain ``cp`` of a WAL database can copy a torn file)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from smartspot.cli.common import open_store, store_options
from smartspot.cli.output import emit, help_text
from smartspot.errors import ConflictError
from smartspot.i18n import msg


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "backup",
        parents=[store_options()],
        help=help_text("copy the database safely while it is in use"),
    )
    parser.add_argument("target", type=Path, help=help_text("the new file (must not exist)"))
    parser.set_defaults(func=run_backup)


def run_backup(args: argparse.Namespace) -> int:
    if args.target.exists():
        raise ConflictError(msg("{target} exists already; choose a new file", target=args.target))
    with open_store(args) as store:
        store.backup(args.target)
        source = str(store.path)
    emit(
        {"db": source, "backup": str(args.target)},
        as_json=args.json,
        text=msg("backup of {db} written to {target}", db=source, target=args.target),
    )
    return 0
