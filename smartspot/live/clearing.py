"""The engine's planning paths: a callout's clear (the car free again, a joint plan for it
and its district's cars on their way home), the proposals asked for by hand, and the warm-up
that makes a district's first clear as fast as the rest. :class:`~smartspot.live.engine.Vagtcentral`
calls these with its store-free caches (open hotspots, round trips); they are synchronous
and may block, like the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from smartspot.domain import Callout, Patrol, PatrolStatus
from smartspot.errors import ConflictError
from smartspot.i18n import msg
from smartspot.live import callouts, proposals, visits
from smartspot.live.context import LiveContext
from smartspot.live.planning import (
    AVAILABLE,
    Candidate,
    RoundTrips,
    district_cars,
    is_fresh,
    plan,
)
from smartspot.live.planning import politikreds_of_base as district_of
from smartspot.optimise.build import xy
from smartspot.plans import Proposal
from smartspot.travel.speed_bound import top_speed_mps

#: How far beyond its district's detour budget a kept hotspot tree reaches: a clear asks its
#: legs cut at the longest a car may drive (its direct trip home + the budget + 1 s), so this
#: covers cars up to 10 minutes from home; a longer question grows its tree again (the
#: answer is exact either way).
KEEP_BEYOND_BUDGET_S = 600


def district_of_patrol(ctx: LiveContext, patrol: Patrol) -> Any:
    """The district whose policy and travel model a car plans with (its home station's)."""
    return ctx.district(district_of(ctx, patrol))


def clear(
    ctx: LiveContext,
    hotspots: visits.OpenHotspots,
    round_trips: RoundTrips,
    callout_id: str,
    *,
    actor: str,
) -> tuple[Callout, list[Proposal]]:
    """Plan the clear of ``callout_id`` outside the write lock, then store the clear and the
    proposals in one transaction (see :meth:`Vagtcentral.clear`)."""
    now = ctx.clock.now()
    callout = ctx.store.callouts.get(callout_id)
    callouts.check_step(callout, "clear")  # checked again when it is stored
    assert callout.patrol is not None  # a callout on scene has its car
    car = ctx.store.patrols.get(callout.patrol)
    district = district_of_patrol(ctx, car)
    fresh = is_fresh(car, now, district.policy.fresh_fix_s)
    position = car.position if fresh and car.position is not None else callout.position
    # the district's available cars, read once: the ones on their way home plan with
    # this car, the rest are the coverage guard's (this car, on scene, is neither)
    fleet = district_cars(ctx, district.politikreds)
    others = [
        Candidate(p, p.position)
        for p in fleet
        if p.status is PatrolStatus.RETURNING
        and p.call_sign != car.call_sign
        and p.position is not None
        and is_fresh(p, now, district.policy.fresh_fix_s)
    ]
    made = plan(
        ctx,
        hotspots,
        round_trips,
        district.politikreds,
        [Candidate(car, position), *others],
        now,
        fleet=fleet,
    )
    ctx.store.proposals.encode_ahead(made)  # their JSON, before the write lock
    with ctx.store.transaction():
        cleared = callouts.advance(ctx, callout_id, "clear", actor=actor, at=now)
        return cleared, proposals.store_all(ctx, made, actor=actor)


def propose(
    ctx: LiveContext,
    hotspots: visits.OpenHotspots,
    round_trips: RoundTrips,
    call_signs: Sequence[str],
    now: datetime,
) -> list[Proposal]:
    """Plan now for these cars (available or on their way home, with a known position),
    one joint plan per politikreds; the proposals are not stored yet."""
    groups: dict[str, list[Candidate]] = {}
    for call_sign in dict.fromkeys(call_signs):
        patrol = ctx.store.patrols.get(call_sign)
        if patrol.status not in AVAILABLE:
            raise ConflictError(
                msg(
                    "{call_sign} is {status}; proposals are for cars that are available or "
                    "on their way home",
                    call_sign=call_sign,
                    status=patrol.status.value,
                )
            )
        if patrol.position is None:
            raise ConflictError(msg("{call_sign} has no known position yet", call_sign=call_sign))
        groups.setdefault(district_of_patrol(ctx, patrol).politikreds, []).append(
            Candidate(patrol, patrol.position)
        )
    made: list[Proposal] = []
    for politikreds, cars in sorted(groups.items()):
        made += plan(ctx, hotspots, round_trips, politikreds, cars, now)
    return made


def warm(
    ctx: LiveContext,
    hotspots: visits.OpenHotspots,
    round_trips: RoundTrips,
    politikredse: Sequence[str],
) -> None:
    """See :meth:`Vagtcentral.warm` (the detection shapes are the engine's)."""
    for politikreds in politikredse:
        district = ctx.district(politikreds)
        travel = ctx.travel.for_district(politikreds)
        top_speed_mps(travel)
        shared = getattr(travel, "warm_shared", None)
        if shared is not None:  # what a new point's first questions would build
            shared()
        if len(district.stations):
            for pin in (getattr(travel, "warm_to", None), getattr(travel, "warm_from", None)):
                if pin is not None:
                    pin(district.stations)
        guarded = district.policy.coverage_guard_min is not None
        pin_to = getattr(travel, "warm_to", None)
        if guarded and pin_to is not None and len(district.kommune_points):
            pin_to(district.kommune_points)  # every clear's coverage guard reads them
        spots = hotspots.of(politikreds)
        keep = getattr(travel, "warm_among", None)
        if keep is not None and spots:
            limit_s = district.policy.budget_s + KEEP_BEYOND_BUDGET_S
            keep(np.array([xy(s.geometry) for s in spots]), limit_s=limit_s)
        round_trips.of(district, spots, ctx)
