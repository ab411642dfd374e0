"""``create_app(settings)``: the Smart Spot web service."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.after_response import AfterResponse
from api.deps import Services, build_services
from api.errors import BodySizeLimit, install_error_handlers
from api.logs import redact_access_log
from api.responses import PUBLIC, SECURED
from api.routers import (
    audit,
    auth,
    followup_files,
    followups,
    health,
    hotspots,
    i18n,
    live,
    map,
    ogc,
    proposals,
    reports,
)
from api.security import SecurityHeaders, docs_router
from api.settings import Settings
from smartspot import __version__
from smartspot.clock import Clock
from smartspot.live.policy import load_policies

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
LEAFLET = HERE / "node_modules" / "leaflet" / "dist"
SWAGGER_UI = HERE / "node_modules" / "swagger-ui-dist"

DESCRIPTION = """
Decision support for a vagtcentral: hotspots (tryghedsopgaver) with their handling
instructions, live patrol cars, callouts and the optimiser's proposals.

Log in with `POST /auth/token` (OAuth2 password flow, the **Authorize** button below) and send
`Authorization: Bearer <token>`; the event stream takes the cookie that `POST /events/session`
sets. Geometry is GeoJSON (RFC 7946, WGS84, longitude first).
"""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the app on the database ``settings.db`` (created when missing and allowed).

    Parameters
    ----------
    settings
        The service settings; read from ``SMARTSPOT_*`` environment variables when None.
    clock
        The clock every write is stamped with (tests pass a FixedClock).

    Raises
    ------
    StorageError
        When the database cannot be opened.
    """
    settings = settings or Settings()
    services = build_services(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redact_access_log()
        yield
        services.close()

    app = FastAPI(
        title="Smart Spot",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.services = services
    install_error_handlers(app)
    for public in (health.router, i18n.router):
        app.include_router(public, responses=PUBLIC)
    for router in (
        auth.router,
        audit.router,
        hotspots.router,
        followups.router,
        followup_files.router,
        live.router,
        proposals.router,
        reports.router,
        map.router,
        ogc.router,
    ):
        app.include_router(router, responses=SECURED)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    app.include_router(docs_router(app, STATIC / "docs.html"))
    app.mount("/vendor/leaflet", StaticFiles(directory=LEAFLET, check_dir=False), name="leaflet")
    app.mount(
        "/vendor/swagger-ui", StaticFiles(directory=SWAGGER_UI, check_dir=False), name="swagger"
    )

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)
    app.add_middleware(AfterResponse)  # the outermost: after the answer has been sent
    return app


def app_from_environment() -> FastAPI:
    """The app on settings from ``SMARTSPOT_*`` variables (each worker of ``smartspot serve
    --workers N`` builds one), warmed (:func:`warm`) before it takes requests."""
    app = create_app(Settings())
    warm(app)
    return app


def warm(app: FastAPI) -> list[str]:
    """Ready the districts this service has a policy file for (``SMARTSPOT_POLICY_DIR``):
        their travel models, detection shapes and round trips (``Vagtcentral.warm``), so that
        neither the first AVL batch nor the first clear of a district after a start waits for
        them. Then the heap is settled (:func:`settle_heap`) and threads hand over the interpreter
    sooner (:func:`hand_over_quickly`). Returns the districts warmed."""
    services = services_of(app)
    names = sorted(load_policies(services.settings.policy_dir))
    services.engine.warm(names)
    settle_heap()
    hand_over_quickly()
    return names


#: How long a thread may hold the interpreter while another waits for it (CPython's default
#: is 5 ms): see :func:`hand_over_quickly`.
SWITCH_INTERVAL_S = 0.0005


def hand_over_quickly() -> None:
    """Let a thread whose database answer has come in have the interpreter back within
    :data:`SWITCH_INTERVAL_S`, not CPython's 5 ms. A worker's threads share one interpreter
    lock: while a clear plans (tens of ms of Python), each round trip of an AVL batch in the
    same worker waited up to 5 ms for it, with the store's write lock held, which every
    worker's writers (the clears too) queue on (issue 10 §7, session 5)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def settle_heap() -> None:
    """Keep what the service has read at start-up out of the cyclic garbage collector's full
    collections (``gc.freeze``): they are still freed by reference counting, only never
    traversed again. A national service holds some 220,000 tracked objects after warming (the
    10,000 open hotspots with their shapes, instructions and places, the travel models, the
    modules); a full collection traversed all of them, 110–290 ms, and the collector ran one
    inside about every tenth clear: the slowest tenth of the national clears was that pause
    (issue 10 §7, session 5: ``benchmarks/clear_parts.py``). Collected once first, so no
    garbage is frozen.

    The collector also runs less often (:data:`GC_THRESHOLDS`): a clear keeps some 10,000
    objects alive while it plans (a value, its reasons and a dict per open hotspot of the
    district), which at CPython's thresholds (700, 10, 10) were promoted and collected again
    and again, 19 ms in the slowest tenth of the clears after the freeze, 2 ms with these
    (in process, SQLite, 40 national clears)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


#: The cyclic collector's thresholds in a warmed service (:func:`settle_heap`): a young
#: collection after 50,000 allocations (CPython: 700), the middle one every 20 young ones, the
#: full one every 100 middle ones. Reference counting frees almost everything at once; only
#: cycles wait the longer.
GC_THRESHOLDS = (50_000, 20, 100)


def services_of(app: FastAPI) -> Services:
    """The services an app was built with (for the CLI and tests)."""
    found: Services = app.state.services
    return found
