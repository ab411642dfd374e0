"""The simulated vagtcentral's desk: the live engine (``smartspot.live``) on an in-memory store,
with the simulation's clock and travel table, and the district's planning policy — the same
engine, rules and policy file the API runs, driven by the simulated world instead of HTTP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from shapely.geometry import Point

from smartspot.domain import PatrolStatus
from smartspot.followup_drafts import FollowUpDraft
from smartspot.followups import AttemptOutcome, FollowUpStatus, LeftBehind
from smartspot.live.context import District as LiveDistrict
from smartspot.live.context import LiveContext
from smartspot.live.engine import PositionsResult, Vagtcentral
from smartspot.live.events import EventLog
from smartspot.live.policy import PlanningPolicy
from smartspot.live.positions import FixBounds
from smartspot.plans import Proposal
from smartspot.sim.district import District
from smartspot.sim.engine import Environment
from smartspot.store.records import PositionFix
from smartspot.store.sqlite import MEMORY, SqliteStore
from smartspot.travel.port import TravelTimes

SIMULATOR = "simulation"  # the actor of every engine call in the audit log


class Desk(Protocol):
    """The calls the world makes at the vagtcentral (a :class:`Vagtcentral` in process, or
    the same calls over HTTP to a running service)."""

    def add_patrol(self, call_sign: str, home_station: str, *, actor: str) -> Any: ...
    def set_status(self, call_sign: str, status: PatrolStatus, *, actor: str) -> Any: ...
    def record_fixes(self, fixes: Sequence[PositionFix]) -> PositionsResult: ...
    def receive(self, *, urgent: bool, position: Point, actor: str) -> Any: ...
    def dispatch(self, callout_id: str, call_sign: str, *, actor: str) -> Any: ...
    def arrive(self, callout_id: str, *, actor: str) -> Any: ...
    def clear(self, callout_id: str, *, actor: str) -> tuple[Any, list[Proposal]]: ...
    def accept(self, proposal_id: str, remove: Sequence[str], *, actor: str) -> Any: ...
    def reject(self, proposal_id: str, reason: str, *, actor: str) -> Any: ...
    def register_followup(
        self, draft: FollowUpDraft, geometry: Mapping[str, Any], *, actor: str
    ) -> Any: ...
    def record_attempt(
        self,
        followup_id: str,
        *,
        patrol: str,
        outcome: AttemptOutcome,
        left: LeftBehind | None = None,
        actor: str,
    ) -> Any: ...
    def close_followup(
        self, followup_id: str, status: FollowUpStatus, *, reason: str, actor: str
    ) -> Any: ...


class DeskFactory(Protocol):
    """Opens the desk of one run (:func:`open_desk` is the in-process one)."""

    def __call__(
        self,
        env: Environment,
        district: District,
        travel: TravelTimes,
        policy: PlanningPolicy,
        seed: int,
        homes: dict[str, Point],
        *,
        with_hotspots: bool,
    ) -> Desk: ...


@dataclass
class SimulatedClock:
    """The engine's clock: the scenario's start plus the simulation's seconds."""

    env: Environment
    start: datetime

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.env.now)


@dataclass(frozen=True)
class OneDistrict:
    """The travel port the engine asks per politikreds: the run's own table for its district."""

    table: TravelTimes

    def for_district(self, politikreds: str) -> TravelTimes:
        return self.table


def open_desk(
    env: Environment,
    district: District,
    travel: TravelTimes,
    policy: PlanningPolicy,
    seed: int,
    homes: dict[str, Point],
    *,
    with_hotspots: bool,
) -> Vagtcentral:
    """The engine for one run; ``homes`` maps each car's id to the post it returns to (every
    car is registered with its own post as its base). ``with_hotspots`` false is today's
    practice: no hotspot is registered, so nothing is ever proposed."""
    store = SqliteStore(MEMORY)
    scenario = district.scenario
    names, points = district.kommune_points()
    ctx = LiveContext(
        store=store,
        clock=SimulatedClock(env, scenario.start),
        regions=district.regions,
        travel=OneDistrict(travel),
        districts={
            scenario.politikreds: LiveDistrict(
                politikreds=scenario.politikreds,
                policy=policy,
                stations=district.station_xy,
                kommune_names=names,
                kommune_points=points,
            )
        },
        bases=homes,
        events=EventLog(store, enabled=False),  # no map to tell
        seed=seed,
    )
    if with_hotspots and district.hotspots:
        with store.transaction():
            for hotspot in district.hotspots:
                store.hotspots.add(hotspot, action="scenario")
    # the world reports every fix as it happens, never later than a stay's end
    return Vagtcentral(ctx, bounds=FixBounds(max_future_s=0.0, max_age_s=7 * 86400.0))
