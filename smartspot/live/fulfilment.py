"""Fulfilment from the live record: the stored hotspots and visits, over calendar weeks.

The arithmetic is :mod:`smartspot.fulfilment`'s (the simulation's summary uses the same);
this module only turns stored hotspots into targets — outlying from each district's travel
model and ``outlying_min`` (the engine's cached station round trips) — and stored visits into
the visits fulfilment counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta

import numpy as np

from smartspot.domain import Hotspot, HotspotStatus, Visit
from smartspot.fulfilment import Fulfilment, Target, VisitFact, fulfilment
from smartspot.live.context import LiveContext
from smartspot.live.planning import RoundTrips
from smartspot.outlying import is_outlying
from smartspot.weeks import calendar_weeks
from smartspot.windows import LOCAL_TZ


def _midnight(day: object) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)  # type: ignore[arg-type]


def targets(ctx: LiveContext, round_trips: RoundTrips, hotspots: Sequence[Hotspot]) -> list[Target]:
    """``hotspots`` (current versions) as fulfilment targets: desired visits from
    ``valid_from`` (local midnight) to the end of ``valid_to`` or the moment it was closed."""
    by_district: dict[str, list[Hotspot]] = defaultdict(list)
    for spot in hotspots:
        by_district[spot.location.politikreds].append(spot)
    found = []
    for politikreds, spots in sorted(by_district.items()):
        if politikreds not in ctx.districts:
            continue  # no policy, no stations: Smart Spot does not run there
        district = ctx.district(politikreds)
        trips = round_trips.of(district, spots, ctx)
        outlying = is_outlying(np.array([trips[s.id] for s in spots]), district.policy.outlying_min)
        for spot, far in zip(spots, outlying.tolist(), strict=True):
            ends = [_midnight(spot.valid_to + timedelta(days=1))] if spot.valid_to else []
            if spot.status is HotspotStatus.CLOSED:
                ends.append(spot.updated_at)
            found.append(
                Target(
                    hotspot=spot.id,
                    visits_per_week=spot.visits_per_week,
                    outlying=bool(far),
                    kommunekode=spot.location.kommunekode,
                    kommunenavn=spot.location.kommunenavn,
                    title=spot.title,
                    valid_from=_midnight(spot.valid_from),
                    valid_to=min(ends) if ends else None,
                )
            )
    return found


def visit_facts(visits: Iterable[Visit]) -> list[VisitFact]:
    """Stored visits (reported or detected alike) as fulfilment counts them."""
    return [VisitFact(v.hotspot, v.arrived_at, v.minutes_on_site) for v in visits]


def live_fulfilment(
    ctx: LiveContext,
    round_trips: RoundTrips,
    hotspots: Sequence[Hotspot],
    visits: Iterable[Visit],
    since: datetime,
    until: datetime,
) -> Fulfilment:
    """Fulfilment of ``hotspots`` in the calendar weeks of ``[since, until)``, with ``due`` as of
    the engine's clock (a week still running is counted so far).

    Raises
    ------
    InvalidInputError
        When a moment has no timezone or ``until`` is not after ``since``.
    """
    weeks = calendar_weeks(since, until)
    found = targets(ctx, round_trips, hotspots)
    return fulfilment(found, visit_facts(visits), weeks, now=ctx.clock.now())
