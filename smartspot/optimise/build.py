"""Building the problem for a set of free cars from domain objects and a TravelTimes.

Steps: the rules decide which cars may get a proposal and which hotspots may be in one; the
value model prices each hotspot now (all at once, :mod:`smartspot.optimise.prices`; a
valuation's reasons are made when read, for the stops); the ellipse prefilter keeps a hotspot only if some car can
go start → hotspot → home within its direct trip plus budget (and in time for a window); only
then are hotspot-to-hotspot times asked for, so one car among 1,000 open hotspots costs one
tree out and one back, not a 1,000 × 1,000 matrix. Everything left out gets a reason.

Before any road time is asked, the same ellipse as the crow flies at the travel model's top
speed (:mod:`smartspot.travel.speed_bound`) drops the hotspots no car could reach even on a
straight road: a lower bound of the road detour, so the problem is exactly the one the road
ellipse alone gives (tested), only the far hotspots get ``outside_budget`` without a road query
(one that is also cut off, e.g. an island after its last ferry, was ``unreachable`` before);
likewise the way home is asked only where the road way there, the service and the straight
line home can fit. Road searches stop at the longest a car may drive
(its direct trip plus its budget): a hotspot is ``unreachable`` when no car could get home
from it tonight (read in full from the stations' trees), else ``outside_budget``.

The ellipse prefilter and the matrix among its survivors are :mod:`smartspot.optimise.reach`;
what the builder takes and gives (``FreeCar``, ``PlanningContext``, ``BuiltProblem``) is
:mod:`smartspot.optimise.built`, named here too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from smartspot.domain import Hotspot, Visit
from smartspot.errors import InvalidInputError
from smartspot.fulfilment import elapsed_share, week_of
from smartspot.i18n import msg
from smartspot.optimise import rules
from smartspot.optimise.built import BuiltProblem, FreeCar, PlanningContext, xy
from smartspot.optimise.followup_tasks import FollowUp, price_followups
from smartspot.optimise.prices import Situations, Valuations, jitters, values, zero_reason
from smartspot.optimise.reach import Entry, assemble
from smartspot.optimise.value import ValueSettings
from smartspot.outlying import station_round_trips
from smartspot.reasons import Reason
from smartspot.travel.port import TravelTimes
from smartspot.travel.speed_bound import top_speed_mps
from smartspot.windows import ActiveWindow, open_intervals

__all__ = ["BuiltProblem", "FreeCar", "PlanningContext", "build_problem", "xy"]

WEEK_S = 7 * 86400
#: The reasons a hotspot's value is zero, one of which is given when it is left out (else
#: ``not_active``; :func:`smartspot.optimise.prices.zero_reason`).
ZERO_VALUE_REASONS = ("cooldown", "not_active_now", "week_served")
#: The reasons a follow-up's value is zero, one of which is given when it is left out.
FOLLOWUP_BLOCKS = frozenset(
    {"followup_not_for_patrols", "followup_outside_hours", "followup_retry"}
)


def _visit_stats(
    visits: Iterable[Visit], now: datetime
) -> dict[str, tuple[int, float | None, int]]:
    """Per hotspot: visits in the last 7 days, seconds since the latest arrival, and visits in
    the calendar week so far (the week fulfilment counts)."""
    monday = week_of(now).start
    stats: dict[str, tuple[int, float | None, int]] = {}
    for visit in visits:
        ago = (now - visit.arrived_at).total_seconds()
        if ago < 0:
            continue
        count, latest, week = stats.get(visit.hotspot, (0, None, 0))
        stats[visit.hotspot] = (
            count + (ago <= WEEK_S),
            ago if latest is None else min(latest, ago),
            week + (visit.arrived_at >= monday),
        )
    return stats


def build_problem(
    cars: Sequence[FreeCar],
    hotspots: Sequence[Hotspot],
    travel: TravelTimes,
    now: datetime,
    *,
    stations: NDArray[np.float64],
    visits: Iterable[Visit] = (),
    settings: ValueSettings | None = None,
    rng: np.random.Generator | None = None,
    context: PlanningContext | None = None,
    station_round_trip_s: Mapping[str, float] | None = None,
    followups: Sequence[FollowUp] = (),
    followup_failed_at: Mapping[str, datetime] | None = None,
) -> BuiltProblem:
    """The problem for ``cars`` at ``now``: hotspots and open follow-ups are tasks of the same
    problem, under the same rules (urgent queue, coverage guard, claims, one car each).

    Parameters
    ----------
    stations
        ``(s, 2)`` station points (EPSG:25832) for the opportunity factor.
    station_round_trip_s
        Precomputed round trips from the nearest station per hotspot id (they do not change
        between calls; the API caches them). Missing ones are computed with ``travel``.
    followups
        Open follow-ups (tryghedsopfølgninger) of the district; priced by
        :func:`~smartspot.optimise.value.followup_value_of`.
    followup_failed_at
        Follow-up id → its latest failed attempt (no new try within the retry minutes).
    """
    settings = settings or ValueSettings()
    context = context or PlanningContext()
    if not cars:
        raise InvalidInputError(msg("no free cars to plan for"), field="cars")
    starts = np.array([xy(c.position) for c in cars])
    homes = np.array([xy(c.home) for c in cars])
    direct = np.diag(travel.matrix(starts, homes, depart_at=now))
    blocked: dict[str, Reason] = {}
    for k, car in enumerate(cars):
        if math.isnan(direct[k]):
            blocked[car.call_sign] = Reason("no_road_home")
            continue
        reason = rules.urgent_rule(car.politikreds, context.urgent_waiting) or rules.shift_rule(
            car.shift_ends_at, car.free_at, direct[k], car.budget_s
        )
        if reason:
            blocked[car.call_sign] = reason
    if context.coverage is not None and len(context.coverage.points):
        everyone = np.vstack([starts, context.other_available.reshape(-1, 2)])
        # a car further than the guard's minutes covers nothing: the search may stop there
        guard_s = context.coverage.minutes * 60
        times = travel.matrix(everyone, context.coverage.points, depart_at=now, limit_s=guard_s)
        proposed = [True] * len(cars) + [False] * (len(everyone) - len(cars))
        reasons = rules.coverage_rule(context.coverage, times, proposed)[: len(cars)]
        for car, reason in zip(cars, reasons, strict=True):
            if reason and car.call_sign not in blocked:
                blocked[car.call_sign] = reason
    active = [k for k, c in enumerate(cars) if c.call_sign not in blocked]

    left_out: dict[str, Reason] = {}
    stats = _visit_stats(visits, now)
    elapsed = elapsed_share(week_of(now), now)
    today = now.date()
    deadline = {
        k: max(0.0, (cars[k].free_at - now).total_seconds()) + direct[k] + cars[k].budget_s
        for k in active
    }
    horizon = int(max(deadline.values(), default=0)) + 1
    speed = top_speed_mps(travel)
    candidates: list[Hotspot] = []
    for spot in hotspots:
        reason = None if spot.is_open and spot.valid_on(today) else Reason("not_valid")
        reason = reason or rules.claimed_rule(spot.id, context.claimed)
        if reason:
            left_out[spot.id] = reason
            continue
        candidates.append(spot)
    points = _xys([s.geometry for s in candidates])
    round_trip = _round_trips(
        [s.id for s in candidates], points, stations, travel, station_round_trip_s or {}
    ).tolist()
    # every candidate priced at once; a valuation's reasons are made when read (a stop's)
    situations, opens = _situations(candidates, now, horizon, stats, round_trip, elapsed)
    jitter = jitters(len(candidates), settings, rng)
    value, cooling, served, inactive = values(situations, settings, jitter)
    valuations = Valuations([s.id for s in candidates], situations, settings, jitter)
    for i in np.flatnonzero(value <= 0).tolist():
        why = zero_reason(situations, i, bool(cooling[i]), bool(served[i]), bool(inactive[i]))
        left_out[candidates[i].id] = why
    # as Python floats first: indexing numpy per hotspot was half of this list's time
    places, worth = points.tolist(), value.tolist()
    entries = [
        Entry(
            candidates[i].id,
            (places[i][0], places[i][1]),
            candidates[i].instruction.minutes_on_site * 60,
            tuple(opens[i]) if candidates[i].windows else (),
            worth[i],
        )
        for i in np.flatnonzero(value > 0).tolist()
    ]
    free_followups = []
    for f in followups:
        reason = rules.claimed_rule(f.id, context.claimed)
        if reason:
            left_out[f.id] = reason
        else:
            free_followups.append(f)
    at = np.array([xy(f.position) for f in free_followups]).reshape(-1, 2)
    ids = [f.id for f in free_followups]
    priced = price_followups(
        free_followups, now, horizon, settings, rng,
        _round_trips(ids, at, stations, travel, station_round_trip_s or {}), followup_failed_at,
    )  # fmt: skip
    for item in priced:
        valuations.add(item.id, item.valuation)
        if item.valuation.value <= 0:
            left_out[item.id] = next(
                (r for r in item.valuation.reasons if r.code in FOLLOWUP_BLOCKS),
                Reason("not_active"),
            )
            continue
        entries.append(
            Entry(item.id, item.xy, item.service_s, item.windows, float(item.valuation.value))
        )
    return assemble(
        cars, active, entries, starts, homes, direct, travel, now, valuations, left_out,
        blocked, hotspots, followups, speed,
    )  # fmt: skip


def _situations(
    spots: Sequence[Hotspot],
    now: datetime,
    horizon: int,
    stats: Mapping[str, tuple[int, float | None, int]],
    round_trip: list[float],
    elapsed: float,
) -> tuple[Situations, list[list[tuple[int, int]]]]:
    """What each hotspot's value depends on now, and its open intervals until ``horizon``."""
    intervals: dict[tuple[ActiveWindow, ...], tuple[list[tuple[int, int]], str]] = {}
    fields: tuple[list[Any], ...] = tuple([] for _ in range(9))
    priority, category, per_week, last_week, since, active, opens_in, this_week, labels = fields
    opens_of = []
    for spot in spots:
        if spot.windows not in intervals:
            label = ", ".join(w.label() for w in spot.windows)
            intervals[spot.windows] = (open_intervals(spot.windows, now, horizon), label)
        opens, label = intervals[spot.windows]
        active_now = not spot.windows or bool(opens and opens[0][0] == 0)
        count, ago, week = stats.get(spot.id, (0, None, 0))
        priority.append(spot.priority)
        category.append(spot.category)
        per_week.append(spot.visits_per_week)
        last_week.append(count)
        since.append(ago)
        active.append(active_now)
        opens_in.append(None if active_now or not opens else float(opens[0][0]))
        this_week.append(week)
        labels.append(label)
        opens_of.append(opens)
    situations = Situations(
        priority, category, per_week, last_week, since, active, opens_in, round_trip,
        this_week, elapsed, labels,
    )  # fmt: skip
    return situations, opens_of


def _xys(geometries: Sequence[BaseGeometry]) -> NDArray[np.float64]:
    """``xy`` of each geometry, ``(n, 2)``: the points' coordinates read in one call (a
    district's 2,200 hotspots one by one were 0.8 ms a clear), a polygon's representative
    point as ``xy`` takes it."""
    shapes = np.empty(len(geometries), dtype=object)
    shapes[:] = geometries
    polygons = np.flatnonzero(shapely.get_type_id(shapes) != 0).tolist() if len(shapes) else []
    for i in polygons:
        shapes[i] = shapes[i].representative_point()
    coordinates = shapely.get_coordinates(shapes)
    if len(coordinates) != len(shapes):  # an empty geometry has none: as xy says
        return np.array([xy(g) for g in geometries], dtype=np.float64).reshape(-1, 2)
    return coordinates


def _round_trips(
    ids: Sequence[str],
    points: NDArray[np.float64],
    stations: NDArray[np.float64],
    travel: TravelTimes,
    known: Mapping[str, float],
) -> NDArray[np.float64]:
    result = np.array([known.get(i, np.nan) for i in ids], dtype=np.float64)
    todo = np.array([i not in known for i in ids], dtype=bool)
    if todo.any() and len(stations) and len(points):
        result[todo] = station_round_trips(travel, stations, points[todo])
    return result
