"""``smartspot init [--demo]``: create (or migrate) the database, optionally with demo data."""

from __future__ import annotations

import argparse
from typing import Any

from smartspot.cli.common import open_store, service, store_options
from smartspot.cli.output import emit
from smartspot.demo import load_demo_hotspots
from smartspot.resources import SCENARIOS_DIR


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        parents=[store_options()],
        help="create the database (idempotent); --demo loads the demo districts' hotspots",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="load every scenarios/*/hotspots.geojson (skipped when hotspots already exist)",
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
                result["note"] = f"the database already holds {existing} hotspots; demo not loaded"
        result["hotspots"] = service(store).count()
    lines = [f"database {result['db']} (schema version {result['schema_version']})"]
    if args.demo:
        loaded = result["demo_loaded"]
        lines.append(
            "demo: " + ", ".join(f"{name} {count} hotspots" for name, count in loaded.items())
            if loaded
            else "demo: " + result.get("note", "no scenarios/*/hotspots.geojson found")
        )
    lines.append(f"{result['hotspots']} hotspots in the database")
    emit(result, as_json=args.json, text="\n".join(lines))
    return 0
