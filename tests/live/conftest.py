"""The live engine on a real database (an SQLite file, and PostGIS), the real geography, the demo hotspots of both
districts and straight-line travel (the district models are tested in tests/api and
tests/travel); the clock is a FixedClock the tests move."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from shapely.geometry import Point

from api.deps import districts
from api.settings import Settings
from smartspot.clock import FixedClock
from smartspot.demo import load_demo_hotspots
from smartspot.geo.regions import Regions
from smartspot.geo.stations import load_stations
from smartspot.geo.validate import metric_point
from smartspot.hotspots import HotspotService
from smartspot.live.context import LiveContext
from smartspot.live.engine import Vagtcentral
from smartspot.live.events import EventLog
from smartspot.live.policy import PlanningPolicy
from smartspot.live.positions import Fix
from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.store.open import open_store
from smartspot.travel.straight import StraightLineTravelTimes

# A Saturday evening in March, inside "fri,sat 20:00-02:00".
NOW = datetime(2026, 3, 14, 21, 0, tzinfo=UTC)
TEST_POLICIES = Path(__file__).parent.parent / "api" / "policies"
HERNING = (8.97, 56.14)
RANDERS = (10.04, 56.46)

MakeEngine = Callable[..., Vagtcentral]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def engine_on(
    path: str | Path,
    regions: Regions,
    clock: FixedClock,
    *,
    policy_dir: Path = TEST_POLICIES,
    policy: Callable[[PlanningPolicy], PlanningPolicy] | None = None,
) -> Vagtcentral:
    """An engine on the database ``path`` (another call on the same path is another
    process's engine: nothing is shared but the file)."""
    store = open_store(path, create=True)
    settings = Settings(db=path, policy_dir=policy_dir, secret_key="x" * 32)
    found = districts(settings, regions)
    if policy is not None:
        found = {k: replace(d, policy=policy(d.policy)) for k, d in found.items()}
    stations = load_stations(DATA_DIR / "police_stations.csv", regions)
    ctx = LiveContext(
        store=store,
        clock=clock,
        regions=regions,
        travel=StraightLineTravelTimes(),
        districts=found,
        bases={s.id: s.position for s in stations},
        events=EventLog(store),
    )
    return Vagtcentral(ctx)


@pytest.fixture
def make_engine(database: str | Path, regions: Regions, clock: FixedClock) -> Iterator[MakeEngine]:
    """Engines on one fresh database of each backend (tests/conftest.py)."""
    made: list[Vagtcentral] = []

    def make(**options: object) -> Vagtcentral:
        engine = engine_on(database, regions, clock, **options)  # type: ignore[arg-type]
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.ctx.store.close()


@pytest.fixture
def engine(make_engine: MakeEngine, regions: Regions, clock: FixedClock) -> Vagtcentral:
    """An engine with the demo hotspots of both districts."""
    made = make_engine()
    load_demo_hotspots(HotspotService(made.ctx.store, regions, clock), SCENARIOS_DIR)
    return made


def place(engine: Vagtcentral, call_sign: str, lonlat: tuple[float, float], at: datetime) -> None:
    result = engine.record_positions([Fix(call_sign, lonlat[0], lonlat[1], at)])
    assert result.stored == 1, result.refused


def to_clear(
    engine: Vagtcentral, car: str, lonlat: tuple[float, float], *, urgent: bool = True
) -> str:
    """A callout at ``lonlat`` handled by ``car`` up to the moment it can be cleared."""
    callout = engine.receive(urgent=urgent, position=metric_point(*lonlat), actor="op")
    engine.dispatch(callout.id, car, actor="op")
    engine.arrive(callout.id, actor="op")
    return callout.id


def point(lonlat: tuple[float, float]) -> Point:
    return metric_point(*lonlat)
