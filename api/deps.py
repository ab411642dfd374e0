"""What routes get injected: the services built once per app from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from api.auth import AccountCache
from api.events import EventStream
from api.password_checks import PasswordChecks
from api.settings import Settings
from api.throttle import LoginThrottle
from smartspot.clock import Clock, SystemClock
from smartspot.followup_service import FollowUpService
from smartspot.followups import FollowUpRules
from smartspot.geo.regions import Regions, cached_regions
from smartspot.geo.stations import load_stations
from smartspot.hotspots import HotspotService
from smartspot.live.belonging import Belonging
from smartspot.live.context import District, DistrictTravel, LiveContext
from smartspot.live.districts import load_districts
from smartspot.live.engine import Vagtcentral
from smartspot.live.events import EventLog
from smartspot.live.positions import FixBounds
from smartspot.resources import DATA_DIR
from smartspot.store.open import Store, open_store
from smartspot.store.replay_clock import ReplayClock
from smartspot.store.sqlite import SqliteStore
from smartspot.travel.districts import DistrictTravelTimes
from smartspot.travel.straight import StraightLineTravelTimes

#: On PostgreSQL, how often a stream reads the log without a NOTIFY (a lost one, say).
BACKSTOP_POLL_S = 5.0


@dataclass
class Services:
    """Everything a request may need; built by :func:`build_services`, closed on shutdown."""

    settings: Settings
    store: Store
    regions: Regions
    clock: Clock
    hotspots: HotspotService
    followups: FollowUpService
    events: EventStream
    engine: Vagtcentral
    belonging: Belonging
    accounts: AccountCache
    throttle: LoginThrottle
    password_checks: PasswordChecks
    cache: dict[str, Any] = field(default_factory=dict)
    notifications: Any = None  # PostgreSQL: the LISTEN thread waking the event stream

    def close(self) -> None:
        if self.notifications is not None:
            self.notifications.stop()
        self.password_checks.close()
        self.store.close()


def travel_model(settings: Settings) -> DistrictTravel:
    """The travel times proposals are planned with (``SMARTSPOT_TRAVEL``)."""
    if settings.travel == "district":
        import platformdirs

        return DistrictTravelTimes(platformdirs.user_cache_path("smartspot") / "travel")
    return StraightLineTravelTimes()


def districts(settings: Settings, regions: Regions) -> dict[str, District]:
    """Every politikreds with its policy (from ``policy_dir``, else the defaults), stations and
    the coverage guard's kommune points (:func:`smartspot.live.districts.load_districts`)."""
    return load_districts(settings.policy_dir, regions)


def followup_rules(settings: Settings) -> FollowUpRules:
    """The follow-up rules from ``SMARTSPOT_FOLLOWUP_*``."""
    return FollowUpRules(
        due_days=settings.followup_due_days,
        max_failed_attempts=settings.followup_max_failed_attempts,
        retention_days=settings.followup_retention_days,
    )


def service_clock(settings: Settings, store: Store) -> Clock:
    """The wall clock, or with ``SMARTSPOT_CLOCK=replay`` the newest stored AVL fix."""
    if settings.clock == "replay":
        assert settings.replay_start is not None  # the settings refuse replay without it
        return ReplayClock(store, settings.replay_start)
    return SystemClock()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the database (creating it when allowed) and wire the services on it.

    Raises
    ------
    StorageError
        When the database cannot be opened.
    """
    store = open_store(
        settings.db, create=settings.create_db, busy_timeout_s=settings.busy_timeout_s
    )
    regions = cached_regions(DATA_DIR)
    the_clock = clock or service_clock(settings, store)
    notifications = None
    if isinstance(store, SqliteStore):
        stream = EventStream(store)
    else:
        # Other workers' events arrive by LISTEN/NOTIFY; the poll is only the backstop.
        from smartspot.store.postgres_listen import EventNotifications

        stream = EventStream(store, poll_s=BACKSTOP_POLL_S)
        notifications = EventNotifications(store.url, stream.wake)
        notifications.start()
    stations = load_stations(DATA_DIR / "police_stations.csv", regions)
    ctx = LiveContext(
        store=store,
        clock=the_clock,
        regions=regions,
        travel=travel_model(settings),
        districts=districts(settings, regions),
        bases={s.id: s.position for s in stations},
        events=EventLog(store, stream.wake),
        seed=settings.planning_seed,
    )
    engine = Vagtcentral(
        ctx,
        bounds=FixBounds(settings.avl_max_future_s, settings.avl_max_age_h * 3600),
        followup_rules=followup_rules(settings),
    )
    return Services(
        settings=settings,
        store=store,
        regions=regions,
        clock=the_clock,
        hotspots=HotspotService(store, regions, the_clock),
        followups=engine.followups,  # one rule set: the engine's
        events=stream,
        engine=engine,
        belonging=Belonging(ctx),
        accounts=AccountCache(store.users, ttl_s=settings.auth_cache_s),
        throttle=LoginThrottle(store.logins, secret=settings.secret_key.encode()),
        password_checks=PasswordChecks(concurrency=settings.login_concurrency),
        notifications=notifications,
    )


async def get_services(request: Request) -> Services:
    """The app's services (``async``: FastAPI runs it on the event loop, not with a hop to
    its threadpool and back, which every request paid for nothing; it reads no store)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
