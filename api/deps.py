"""What routes get injected: the services built once per app from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from api.auth import AccountCache, PasswordChecks
from api.events import EventBus
from api.operations import Operations
from api.settings import Settings
from api.throttle import LoginThrottle
from api.travel_fallback import DistrictTravelTimes, StraightLineTravelTimes
from smartspot.clock import Clock, SystemClock
from smartspot.geo.regions import Regions, cached_regions
from smartspot.hotspots import HotspotService
from smartspot.resources import DATA_DIR
from smartspot.store.sqlite import SqliteStore


@dataclass
class Services:
    """Everything a request may need; built by :func:`build_services`, closed on shutdown."""

    settings: Settings
    store: SqliteStore
    regions: Regions
    clock: Clock
    hotspots: HotspotService
    events: EventBus
    operations: Operations
    accounts: AccountCache
    throttle: LoginThrottle
    password_checks: PasswordChecks
    cache: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.password_checks.close()
        self.store.close()


def travel_model(settings: Settings) -> StraightLineTravelTimes | DistrictTravelTimes:
    """The travel times proposals are planned with (``SMARTSPOT_TRAVEL``)."""
    if settings.travel == "district":
        import platformdirs

        return DistrictTravelTimes(platformdirs.user_cache_path("smartspot") / "travel")
    return StraightLineTravelTimes()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the database (creating it when allowed) and wire the services on it.

    Raises
    ------
    StorageError
        When the database cannot be opened.
    """
    store = SqliteStore(
        settings.db, create=settings.create_db, busy_timeout_s=settings.busy_timeout_s
    )
    regions = cached_regions(DATA_DIR)
    the_clock = clock or SystemClock()
    hotspots = HotspotService(store, regions, the_clock)
    events = EventBus()
    operations = Operations(
        store,
        hotspots,
        regions,
        travel_model(settings),
        events,
        solver_time_limit_s=settings.solver_time_limit_s,
    )
    return Services(
        settings=settings,
        store=store,
        regions=regions,
        clock=the_clock,
        hotspots=hotspots,
        events=events,
        operations=operations,
        accounts=AccountCache(store.users, ttl_s=settings.auth_cache_s),
        throttle=LoginThrottle(),
        password_checks=PasswordChecks(concurrency=settings.login_concurrency),
    )


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
