"""``smartspot init [--demo]``: create (or migrate) the database, optionally with demo data."""

from __future__ import annotations

import argparse
from typing import Any

from smartspot.cli.common import open_store, service, store_options
from smartspot.cli.output import emit, help_text, say
from smartspot.demo import load_demo_hotspots
from smartspot.i18n import joined, msg, msg_n
from smartspot.resources import SCENARIOS_DIR


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        parents=[store_options()],
        help=help_text(
            "create the database (idempotent); --demo loads the demo districts' hotspots"
        ),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=help_text(
            "load every scenarios/*/hotspots.geojson (skipped when hotspots already exist)"
        ),
    )
    parser.set_defaults(func=run_init)


def run_init(args: argparse.Namespace) -> int:
    with open_store(args, create=True) as store:
        result: dict[str, Any] = {"db": str(store.path), "schema_version": store.schema_version}
        if args.demo:
            hotspots = service(store)
            existing = hotspots.count()
            loaded = load_demo_hotspots(hotspots, SCENARIOS_DIR)
            result["demo_loaded"] = loaded
            if existing:
                result["note"] = say(
                    msg_n(
                        "the database already holds {n} hotspot; demo not loaded",
                        "the database already holds {n} hotspots; demo not loaded",
                        existing,
                    )
                )
        result["hotspots"] = service(store).count()
    lines = [
        msg(
            "database {db} (schema version {version})",
            db=result["db"],
            version=result["schema_version"],
        )
    ]
    if args.demo:
        loaded = result["demo_loaded"]
        if loaded:
            counts = [
                msg_n("{name} {n} hotspot", "{name} {n} hotspots", count, name=name)
                for name, count in loaded.items()
            ]
            lines.append(msg("demo: {loaded}", loaded=joined(counts, ", ")))
        else:
            note = result.get("note") or say(msg("no scenarios/*/hotspots.geojson found"))
            lines.append(msg("demo: {loaded}", loaded=note))
    lines.append(
        msg_n("{n} hotspot in the database", "{n} hotspots in the database", result["hotspots"])
    )
    emit(result, as_json=args.json, text=joined(lines, "\n"))
    return 0
