"""``smartspot serve --host H --port P``: the web service and the map, with uvicorn.

Settings come from ``SMARTSPOT_*`` environment variables (see the README); ``--db`` overrides
``SMARTSPOT_DB``. The web layer is imported here, at the edge, only when the command runs.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="serve the API and the vagtcentral map")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--db", default=None, help="database file (default: $SMARTSPOT_DB)")
    parser.add_argument(
        "--demo", action="store_true", help="add demo cars at the stations and drive them about"
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api import create_app
    from api.settings import Settings
    from smartspot.errors import InvalidInputError

    if not 0 < args.port < 65536:
        raise InvalidInputError(f"port {args.port} is not 1–65535", field="port")
    overrides: dict[str, Any] = {}
    if args.db is not None:
        overrides["db"] = args.db
    settings = Settings(**overrides)
    app = create_app(settings)
    driver = None
    if args.demo:
        from api.app import services_of
        from api.demo import DemoDriver, seed_demo_fleet

        services = services_of(app)
        added = seed_demo_fleet(services.operations, services.clock.now())
        if added:
            print(f"demo cars: {', '.join(added)}", flush=True)
        driver = DemoDriver(services.operations)
        driver.start()
        _warm_travel_models(services.operations)
    print(f"Smart Spot on http://{args.host}:{args.port}/ (database {settings.db})", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    finally:
        if driver is not None:
            driver.stop()
    return 0


def _warm_travel_models(operations: Any) -> None:
    """Build the demo districts' travel models in the background at start-up."""
    import threading

    from api.travel_fallback import DistrictTravelTimes

    travel = getattr(operations, "travel", None)
    if not isinstance(travel, DistrictTravelTimes):
        return
    districts = ["Midt- og Vestjyllands Politi", "Østjyllands Politi"]

    def warm() -> None:
        travel.warm(districts)
        print(f"travel models ready: {', '.join(districts)}", flush=True)

    threading.Thread(target=warm, name="warm-travel", daemon=True).start()
