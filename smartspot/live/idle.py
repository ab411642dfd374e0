"""Idle cars: a car that has been available and standing at a post or a station for its
district's ``idle_after_min`` gets a proposal of its own — a round trip out to one or a few
hotspots within ``idle_budget_min`` and back to its base — under exactly the rules of every
other proposal (urgent queue, coverage guard, claims, shift ends, budget).

Everything is read from the store, so a restart changes nothing: *available since* is the
audit log's last status change to available, *standing since* the first AVL fix near the post
after the last one away from it (no fix since then: it has not moved). A car is asked again
every ``idle_after_min`` after its last proposal was made or answered while it stays, and
never while it has a pending or accepted
proposal (one pending proposal per car; an operator's undecided one is never replaced).

With the policy's ``idle_cover_min`` a car leaves its post only when its area stays covered:
another available car (standing or on its way home, not one that leaves in the same batch)
can be at the post within that many minutes. Idle trips then come from over-covered posts,
and the district's thin ones keep their car for the next call.

The coverage guard keeps a car that alone covers a kommune (no other available car within
``coverage_guard_min`` of its reference town) from any proposal — for an idle car on Samsø or
in Grenaa, always. With ``idle_local`` such a car gets a *local* round instead
(:func:`plan_round`): only hotspots and follow-ups within the guard's minutes of that town, so
it never leaves the reach the guard asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from smartspot.domain import Patrol, PatrolStatus
from smartspot.live.context import District, LiveContext
from smartspot.live.planning import (
    Candidate,
    RoundTrips,
    Within,
    district_cars,
    plan,
    politikreds_of_base,
)
from smartspot.live.visits import OpenHotspots
from smartspot.optimise.build import xy
from smartspot.optimise.rules import CoverageGuard, coverage_rule
from smartspot.plans import Proposal

#: The actor of idle proposals the engine makes on its own (from an AVL batch).
ENGINE = "smartspot"
#: The audit log's entity name for patrols (the store writes status changes under it).
PATROL_ENTITY = "patrol"
#: Clock slack when comparing a stored time with a threshold (stored times are rounded).
SLACK_S = 1.0


@dataclass(frozen=True, slots=True)
class IdleCar:
    """A car standing at ``at`` (its last position) since ``since``."""

    patrol: Patrol
    at: Point
    since: datetime


def available_since(ctx: LiveContext, call_sign: str) -> datetime | None:
    """When the car last became available (its status change in the audit log)."""
    for entry in reversed(ctx.store.audit.entries(entity=PATROL_ENTITY, entity_id=call_sign)):
        after = (entry.after or {}).get("status")
        before = (entry.before or {}).get("status")
        if after == PatrolStatus.AVAILABLE.value and before != after:
            return entry.at
        if after is not None and after != PatrolStatus.AVAILABLE.value:
            return None  # its latest status change was to something else
    return None


def _near(point: Point, places: np.ndarray, radius_m: float) -> bool:
    if not len(places):
        return False
    gaps = np.hypot(places[:, 0] - point.x, places[:, 1] - point.y)
    return bool(gaps.min() <= radius_m)


def standing_since(
    ctx: LiveContext, patrol: Patrol, since: datetime, places: np.ndarray, radius_m: float
) -> datetime | None:
    """Since when the car has stood within ``radius_m`` of one of ``places`` (its post or a
    station: pass the one it stands at) without a fix elsewhere, counted from ``since`` (when
    it became available); ``None`` when its last known position is elsewhere."""
    if patrol.position is None or not _near(patrol.position, places, radius_m):
        return None
    begun: datetime | None = since
    for fix in ctx.store.patrols.positions(patrol.call_sign, since=since):
        if not _near(fix.position, places, radius_m):
            begun = None
        elif begun is None:
            begun = fix.at
    return begun


def covered(
    ctx: LiveContext, patrol: Patrol, post: np.ndarray, minutes: float, leaving: set[str]
) -> bool:
    """Another available car of the district (not ``patrol``, none in ``leaving``) can be at
    ``post`` within ``minutes`` by the district's travel model."""
    politikreds = politikreds_of_base(ctx, patrol)
    others = [
        p.position
        for p in district_cars(ctx, politikreds)
        if p.position is not None and p.call_sign != patrol.call_sign and p.call_sign not in leaving
    ]
    if not others:
        return False
    starts = np.array([[q.x, q.y] for q in others])
    times = ctx.travel.for_district(politikreds).matrix(starts, post.reshape(1, 2))
    return bool(np.nanmin(np.where(np.isnan(times), np.inf, times)) <= minutes * 60 + SLACK_S)


def _places(ctx: LiveContext, district: District, patrol: Patrol) -> np.ndarray:
    base = ctx.bases[patrol.home_station]
    stations = np.asarray(district.stations, dtype=np.float64).reshape(-1, 2)
    return np.vstack([[[base.x, base.y]], stations])


def idle_cars(ctx: LiveContext, call_signs: Iterable[str] | None, now: datetime) -> list[IdleCar]:
    """The cars among ``call_signs`` (every car when ``None``) that are due an idle proposal
    now under their district's policy, in call-sign order."""
    if call_signs is None:
        cars = ctx.store.patrols.list(status=PatrolStatus.AVAILABLE)
    else:  # an AVL batch names its cars: read those alone
        cars = [ctx.store.patrols.get(c) for c in sorted(set(call_signs))]
    found: list[IdleCar] = []
    for patrol in cars:
        if patrol.status is not PatrolStatus.AVAILABLE:
            continue
        if patrol.position is None or patrol.home_station not in ctx.bases:
            continue
        politikreds = politikreds_of_base(ctx, patrol)
        district = ctx.districts.get(politikreds)
        if district is None or district.policy.idle_after_s is None:
            continue
        policy = district.policy
        after_s = policy.idle_after_s
        assert after_s is not None
        places = _places(ctx, district, patrol)
        gaps = np.hypot(places[:, 0] - patrol.position.x, places[:, 1] - patrol.position.y)
        if gaps.min() > policy.idle_radius_m:
            continue
        post = places[int(gaps.argmin())].reshape(1, 2)  # where it stands
        if ctx.store.proposals.active(patrol.call_sign) is not None:
            continue
        latest = ctx.store.proposals.list(patrol=patrol.call_sign, limit=1)
        if latest:
            last = latest[0].decided_at or latest[0].created_at
            if (now - last).total_seconds() < after_s - SLACK_S:
                continue  # asked, or answered, less than a threshold ago
        since = available_since(ctx, patrol.call_sign)
        if since is None or (now - since).total_seconds() < after_s - SLACK_S:
            continue
        standing = standing_since(ctx, patrol, since, post, policy.idle_radius_m)
        if standing is None or (now - standing).total_seconds() < after_s - SLACK_S:
            continue
        cover = policy.idle_cover_min
        leaving = {c.patrol.call_sign for c in found}
        if cover is not None and not covered(ctx, patrol, post, cover, leaving):
            continue  # its area would have no car for the next call
        found.append(IdleCar(patrol, patrol.position, standing))
    return found


def candidates(
    ctx: LiveContext, cars: Iterable[IdleCar], now: datetime
) -> dict[str, list[Candidate]]:
    """The idle cars as planning candidates, by politikreds (round trips within the idle
    budget, with how long each has stood)."""
    groups: dict[str, list[Candidate]] = {}
    for car in cars:
        politikreds = politikreds_of_base(ctx, car.patrol)
        policy = ctx.district(politikreds).policy
        groups.setdefault(politikreds, []).append(
            Candidate(
                car.patrol,
                car.at,
                budget_s=policy.idle_budget_s,
                idle_s=(now - car.since).total_seconds(),
            )
        )
    return groups


def alone_covering(
    ctx: LiveContext, district: District, cars: Sequence[Candidate], minutes: float
) -> dict[str, int]:
    """The idle cars that alone cover a kommune within ``minutes`` (the coverage guard's
    rule), by call sign, with the index of that kommune's reference point."""
    politikreds = district.politikreds
    planning = {c.patrol.call_sign for c in cars}
    others = [
        p.position if p.position is not None else ctx.bases[p.home_station]
        for p in district_cars(ctx, politikreds)
        if p.call_sign not in planning
    ]
    starts = np.array([[c.position.x, c.position.y] for c in cars] + [[q.x, q.y] for q in others])
    points = district.kommune_points
    times = ctx.travel.for_district(politikreds).matrix(starts, points)
    guard = CoverageGuard(minutes, district.kommune_names, points)
    proposed = [True] * len(cars) + [False] * len(others)
    found = {}
    for car, reason in zip(cars, coverage_rule(guard, times, proposed)[: len(cars)], strict=True):
        if reason is not None:
            found[car.patrol.call_sign] = district.kommune_names.index(reason.params["kommune"])
    return found


def near(ctx: LiveContext, politikreds: str, point: np.ndarray, minutes: float) -> Within:
    """The places from which a car is back at ``point`` within ``minutes``."""

    def within(places: Sequence[BaseGeometry]) -> list[bool]:
        if not places:
            return []
        at = np.array([xy(g) for g in places])
        back = ctx.travel.for_district(politikreds).matrix(at, point.reshape(1, 2))[:, 0]
        return [bool(t <= minutes * 60) for t in np.nan_to_num(back, nan=np.inf)]

    return within


def plan_round(
    ctx: LiveContext,
    hotspots: OpenHotspots,
    round_trips: RoundTrips,
    politikreds: str,
    cars: Sequence[Candidate],
    now: datetime,
) -> list[Proposal]:
    """Proposals for the idle ``cars`` of one politikreds: jointly, except that with
    ``idle_local`` a car alone covering a kommune plans a local round on its own."""
    district = ctx.district(politikreds)
    policy = district.policy
    minutes = policy.coverage_guard_min
    if not policy.idle_local or minutes is None or not len(district.kommune_points):
        return plan(ctx, hotspots, round_trips, politikreds, cars, now)
    alone = alone_covering(ctx, district, cars, minutes)
    free = [c for c in cars if c.patrol.call_sign not in alone]
    made = plan(ctx, hotspots, round_trips, politikreds, free, now) if free else []
    for car in cars:
        if car.patrol.call_sign in alone:
            point = district.kommune_points[alone[car.patrol.call_sign]]
            within = near(ctx, politikreds, point, minutes)
            made += plan(ctx, hotspots, round_trips, politikreds, [car], now, within=within)
    return made
