"""``smartspot serve --host H --port P``: the web service and the map, with uvicorn.

Settings come from ``SMARTSPOT_*`` environment variables (see the README); ``--db`` overrides
``SMARTSPOT_DB``. The web layer is imported here, at the edge, only when the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from smartspot.cli.exit_codes import ExitCode
from smartspot.cli.output import help_text, say
from smartspot.errors import InvalidInputError, UnavailableError
from smartspot.i18n import msg

if TYPE_CHECKING:
    from api.settings import Settings

#: uvicorn's own exit code when it cannot start (it cannot bind, say)
UVICORN_STARTUP_FAILURE = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help=help_text("serve the API and the vagtcentral map"))
    parser.add_argument("--host", default="127.0.0.1", help=help_text("address to listen on"))
    parser.add_argument("--port", type=int, default=8000, help=help_text("port (default 8000)"))
    parser.add_argument(
        "--db", default=None, help=help_text("database file (default: $SMARTSPOT_DB)")
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=help_text("add demo cars at the stations and drive them about"),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help=help_text("worker processes (several need PostgreSQL and SMARTSPOT_SECRET_KEY)"),
    )
    parser.add_argument(
        "--proxy-headers",
        action="store_true",
        help=help_text(
            "trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a TLS proxy)"
        ),
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help=help_text("proxies whose forwarded headers are trusted (default 127.0.0.1)"),
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api import create_app
    from api.settings import deployment_problem
    from smartspot.store.open import redacted

    if not 0 < args.port < 65536:
        raise InvalidInputError(msg("port {port} is not 1–65535", port=args.port), field="port")
    check_port_free(args.host, args.port)
    overrides: dict[str, Any] = {}
    if args.db is not None:
        overrides["db"] = args.db
    settings = _settings(overrides)
    problem = deployment_problem(settings, workers=args.workers, demo=args.demo)
    if problem is not None:
        raise InvalidInputError(problem, field="workers")
    proxy = {
        "proxy_headers": args.proxy_headers,
        "forwarded_allow_ips": args.forwarded_allow_ips if args.proxy_headers else None,
    }
    if args.workers > 1:
        # Each worker builds its own app from the environment (the same settings).
        if args.db is not None:
            os.environ["SMARTSPOT_DB"] = str(args.db)
        with _startup_failure_is_unavailable(args.host, args.port):
            uvicorn.run(**workers_options(args, settings), **proxy)
        return ExitCode.OK
    app = create_app(settings)
    if not settings.tile_url:
        _warm_basemap(app)
    _warm(app)
    driver = None
    if args.demo:
        from api.app import services_of
        from smartspot.live.demo_fleet import DemoDriver, seed_demo_fleet

        services = services_of(app)
        added = seed_demo_fleet(services.engine, services.clock.now())
        if added:
            print(say(msg("demo cars: {cars}", cars=", ".join(added))), flush=True)
        driver = DemoDriver(services.engine)
        driver.start()
    url = f"http://{args.host}:{args.port}/"
    shown = redacted(settings.db)  # never a password on the console
    print(say(msg("Smart Spot on {url} (database {db})", url=url, db=shown)), flush=True)
    try:
        with _startup_failure_is_unavailable(args.host, args.port):
            uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, **proxy)
    finally:
        if driver is not None:
            driver.stop()
    return ExitCode.OK


def workers_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """uvicorn's options for ``--workers N``: each worker builds its own app from the
    environment, and the supervisor waits ``worker_healthcheck_s`` for a worker's answer to its
    ping before it kills the worker as hung."""
    return {
        "app": "api.app:app_from_environment",
        "factory": True,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "log_level": args.log_level,
        "timeout_worker_healthcheck": settings.worker_healthcheck_s,
    }


def check_port_free(host: str, port: int) -> None:
    """Refuse to start when ``host:port`` is taken, before the app and the demo are built.

    Raises
    ------
    UnavailableError
        When another program listens there.
    InvalidInputError
        When the host is not an address of this machine.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise InvalidInputError(
            msg("cannot listen on host {host!r}: {error}", host=host, error=str(error)),
            field="host",
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UnavailableError(
                    msg(
                        "port {port} on {host} is in use by another program; stop it or choose "
                        "another with --port",
                        port=str(port),
                        host=host,
                    )
                ) from None
            raise InvalidInputError(
                msg(
                    "cannot listen on {host}:{port}: {error}",
                    host=host,
                    port=str(port),
                    error=error.strerror,
                ),
                field="host",
            ) from None


@contextlib.contextmanager
def _startup_failure_is_unavailable(host: str, port: int) -> Iterator[None]:
    """uvicorn exits 3 when it cannot start (a port taken meanwhile): that is "unavailable",
    not our "not found"."""
    try:
        yield
    except SystemExit as stopped:
        if stopped.code == UVICORN_STARTUP_FAILURE:
            raise UnavailableError(
                msg("the server could not start on {host}:{port}", host=host, port=str(port))
            ) from None
        raise


def _settings(overrides: dict[str, Any]) -> Any:
    """The service settings; a bad ``SMARTSPOT_*`` value is one line naming the variable."""
    from pydantic import ValidationError

    from api.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = "SMARTSPOT_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInputError(
            msg("{name}: {message}", name=name, message=message), field=name
        ) from None


def _warm(app: Any) -> None:
    """Ready the policy districts' travel models before uvicorn takes requests (each worker of
    ``--workers N`` does the same in ``api.app.app_from_environment``)."""
    from api.app import warm

    districts = warm(app)
    if districts:
        print(
            say(msg("travel models ready: {districts}", districts=", ".join(districts))), flush=True
        )


def _warm_basemap(app: Any) -> None:
    """Build the map's offline base layer in the background, before the first browser asks."""
    import threading

    from api.app import services_of
    from api.routers.map import basemap_layers

    threading.Thread(
        target=basemap_layers, args=(services_of(app),), name="warm-basemap", daemon=True
    ).start()
