"""Building the problem for a set of free cars from domain objects and a TravelTimes.

Steps: the rules decide which cars may get a proposal and which hotspots may be in one; the
value model prices each hotspot now; the ellipse prefilter keeps a hotspot only if some car can
go start → hotspot → home within its direct trip plus budget (and in time for a window); only
then are hotspot-to-hotspot times asked for, so one car among 1,000 open hotspots costs one
tree out and one back, not a 1,000 × 1,000 matrix. Everything left out gets a reason.

Before any road time is asked, the same ellipse as the crow flies at the travel model's top
speed (:mod:`smartspot.travel.speed_bound`) drops the hotspots no car could reach even on a
straight road: a lower bound of the road detour, so the problem is exactly the one the road
ellipse alone gives (tested), only the far hotspots are priced without their reasons and get
``outside_budget`` without a road query (one that is also cut off, e.g. an island after its
last ferry, was ``unreachable`` before). Road searches stop at the longest a car may drive
(its direct trip plus its budget): a hotspot is ``unreachable`` when no car could get home
from it tonight (read in full from the stations' trees), else ``outside_budget``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Point, Polygon

from smartspot.domain import Hotspot, Visit
from smartspot.errors import InvalidInputError
from smartspot.fulfilment import elapsed_share, week_of
from smartspot.i18n import msg
from smartspot.optimise import rules
from smartspot.optimise.followup_tasks import FollowUp, price_followups
from smartspot.optimise.problem import Car, Problem, Task
from smartspot.optimise.value import Situation, Valuation, ValueSettings, value_of
from smartspot.outlying import station_round_trips
from smartspot.reasons import Reason
from smartspot.travel.port import TravelTimes
from smartspot.travel.speed_bound import top_speed_mps
from smartspot.windows import ActiveWindow, open_intervals

WEEK_S = 7 * 86400
#: the straight-line bound is shaded by this share, so that rounding in a road time (stored as
#: float32 by the tree cache) can never make the bound exceed it
CROW_SLACK = 1e-6
#: The reasons a hotspot's value is zero, one of which is given when it is left out (else
#: ``not_active``); ``value_of(explain=False)`` keeps exactly these.
ZERO_VALUE_REASONS = ("cooldown", "not_active_now", "week_served")
#: The reasons a follow-up's value is zero, one of which is given when it is left out.
FOLLOWUP_BLOCKS = frozenset(
    {"followup_not_for_patrols", "followup_outside_hours", "followup_retry"}
)


@dataclass(frozen=True, slots=True)
class FreeCar:
    """A car that is (or will soon be) free, heading home."""

    call_sign: str
    position: Point  # EPSG:25832, where it becomes free
    home: Point  # EPSG:25832, its home station
    free_at: datetime
    budget_s: int = 1800  # detour beyond the direct trip home
    shift_ends_at: datetime | None = None
    politikreds: str = ""

    def __post_init__(self) -> None:
        if self.free_at.tzinfo is None:
            raise InvalidInputError(msg("free_at must carry a timezone"), field="free_at")
        if not 0 <= self.budget_s <= 4 * 3600:
            raise InvalidInputError(msg("budget_s must be 0–14400 s"), field="budget_s")


@dataclass(frozen=True)
class PlanningContext:
    """The state of the vagtcentral the rules look at; every part optional (empty = the rule
    never fires)."""

    urgent_waiting: frozenset[str] = frozenset()  # politikredse, see rules.urgent_waiting
    claimed: frozenset[str] = frozenset()  # hotspots other cars hold
    coverage: rules.CoverageGuard | None = None
    other_available: NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 2)))


@dataclass(frozen=True)
class BuiltProblem:
    """The problem and everything needed to explain its answer."""

    problem: Problem | None  # None when no car may take a proposal
    now: datetime
    hotspots: Mapping[str, Hotspot]
    valuations: Mapping[str, Valuation]
    left_out: Mapping[str, Reason]  # hotspot id → why it is not a candidate
    blocked: Mapping[str, Reason]  # car → why it gets no proposal
    direct_s: Mapping[str, int]  # car → direct trip home
    followups: Mapping[str, FollowUp] = field(default_factory=dict)
    # car → (where it starts, its home), EPSG:25832: the route a follow-up lies off
    ends: Mapping[str, tuple[tuple[float, float], tuple[float, float]]] = field(
        default_factory=dict
    )


def xy(geometry: Point | Polygon) -> tuple[float, float]:
    point = geometry if isinstance(geometry, Point) else geometry.representative_point()
    return float(point.x), float(point.y)


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
    valuations: dict[str, Valuation] = {}
    stats = _visit_stats(visits, now)
    elapsed = elapsed_share(week_of(now), now)
    today = now.date()
    deadline = {
        k: max(0.0, (cars[k].free_at - now).total_seconds()) + direct[k] + cars[k].budget_s
        for k in active
    }
    horizon = int(max(deadline.values(), default=0)) + 1
    speed = top_speed_mps(travel)
    intervals: dict[tuple[ActiveWindow, ...], tuple[list[tuple[int, int]], str]] = {}
    candidates: list[Hotspot] = []
    for spot in hotspots:
        reason = None if spot.is_open and spot.valid_on(today) else Reason("not_valid")
        reason = reason or rules.claimed_rule(spot.id, context.claimed)
        if reason:
            left_out[spot.id] = reason
            continue
        candidates.append(spot)
    points = np.array([xy(s.geometry) for s in candidates]).reshape(-1, 2)
    round_trip = _round_trips(
        [s.id for s in candidates], points, stations, travel, station_round_trip_s or {}
    ).tolist()
    services = np.array([s.instruction.minutes_on_site * 60 for s in candidates], dtype=np.float64)
    near = np.asarray(
        _crow_fits(points, services, starts, homes, direct, cars, active, speed).any(axis=0)
    )
    entries: list[_Entry] = []
    for i, spot in enumerate(candidates):
        if spot.windows not in intervals:
            label = ", ".join(w.label() for w in spot.windows)
            intervals[spot.windows] = (open_intervals(spot.windows, now, horizon), label)
        opens, label = intervals[spot.windows]
        active_now = not spot.windows or bool(opens and opens[0][0] == 0)
        opens_in = None if active_now or not opens else float(opens[0][0])
        count, since, this_week = stats.get(spot.id, (0, None, 0))
        situation = Situation(
            spot.priority, spot.category, spot.visits_per_week, count, since,
            active_now, opens_in, round_trip[i], this_week, elapsed,
        )  # fmt: skip
        # a hotspot out of reach as the crow flies is priced (same value, same random draw)
        # without the reasons only a stop shows
        valuation = value_of(situation, settings, rng, window_label=label, explain=bool(near[i]))
        valuations[spot.id] = valuation
        if valuation.value <= 0:
            left_out[spot.id] = next(
                (r for r in valuation.reasons if r.code in ZERO_VALUE_REASONS),
                Reason("not_active"),
            )
            continue
        entries.append(
            _Entry(
                spot.id,
                (float(points[i, 0]), float(points[i, 1])),
                spot.instruction.minutes_on_site * 60,
                tuple(opens) if spot.windows else (),
            )
        )
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
        valuations[item.id] = item.valuation
        if item.valuation.value <= 0:
            left_out[item.id] = next(
                (r for r in item.valuation.reasons if r.code in FOLLOWUP_BLOCKS),
                Reason("not_active"),
            )
            continue
        entries.append(_Entry(item.id, item.xy, item.service_s, item.windows))
    return _assemble(
        cars, active, entries, starts, homes, direct, travel, now, valuations, left_out,
        blocked, hotspots, followups, speed,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Entry:
    """A candidate task that survived the rules and the value model."""

    id: str
    xy: tuple[float, float]
    service_s: int
    windows: tuple[tuple[int, int], ...]


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


def _crow_fits(
    where: NDArray[np.float64],
    service: NDArray[np.float64],
    starts: NDArray[np.float64],
    homes: NDArray[np.float64],
    direct: NDArray[np.float64],
    cars: Sequence[FreeCar],
    active: list[int],
    speed: float | None,
) -> NDArray[np.bool_]:
    """Active car × task: may the detour fit the budget at all? ``False`` only where even
    start → task → home in straight lines at ``speed`` (+ the service) exceeds the direct trip
    plus the budget, which no road time can undercut; all ``True`` without a ``speed``."""
    m = len(active)
    if speed is None or not speed > 0 or not math.isfinite(speed):
        return np.ones((m, len(where)), dtype=bool)
    limit = direct[active] + np.array([cars[k].budget_s for k in active], dtype=np.float64)
    s, h = starts[active], homes[active]
    out = np.hypot(s[:, None, 0] - where[None, :, 0], s[:, None, 1] - where[None, :, 1])
    back = np.hypot(where[None, :, 0] - h[:, None, 0], where[None, :, 1] - h[:, None, 1])
    lower = (out + back) / speed * (1 - CROW_SLACK) + service[None, :]
    return np.asarray(lower <= limit[:, None])


def _assemble(
    cars: Sequence[FreeCar],
    active: list[int],
    entries: list[_Entry],
    starts: NDArray[np.float64],
    homes: NDArray[np.float64],
    direct: NDArray[np.float64],
    travel: TravelTimes,
    now: datetime,
    valuations: dict[str, Valuation],
    left_out: dict[str, Reason],
    blocked: dict[str, Reason],
    hotspots: Sequence[Hotspot],
    followups: Sequence[FollowUp],
    speed: float | None = None,
) -> BuiltProblem:
    """The ellipse prefilter (first as the crow flies, then by road), then the matrix among
    survivors, then the Problem."""
    m = len(active)
    where = np.array([e.xy for e in entries], dtype=np.float64).reshape(-1, 2)
    service = np.array([e.service_s for e in entries], dtype=np.float64)
    available = np.array([max(0, int((cars[k].free_at - now).total_seconds())) for k in active])
    budget = np.array([cars[k].budget_s for k in active], dtype=np.float64)
    # road times only for the tasks within reach as the crow flies (inf elsewhere: outside)
    ask = np.flatnonzero(
        _crow_fits(where, service, starts, homes, direct, cars, active, speed).any(axis=0)
    )
    # no leg of a plan is longer than the longest a car may drive (its direct trip plus its
    # budget, Problem.deadline; + 1 s for the rounding): beyond that a leg is as good as no
    # road (NaN), and the search stops there (a full tree was 16 ms on the Midt- og
    # Vestjylland fallback, 1.5 ms within 30 min)
    longest = float(np.max(direct[active] + budget)) + 1.0 if m else None
    detour = np.full((m, len(entries)), np.inf)
    no_way_home = np.zeros((m, len(entries)), dtype=bool)
    if m and len(ask):
        # Every leg is timed as leaving now: ferries follow their timetables, so an island whose
        # last ferry has left is unreachable tonight (legs later in the plan are timed the same
        # way, a close bound for detours of minutes, not hours). The way there stops at the
        # longest drive; the way home is read in full from the stations' pinned trees, and
        # says whether a hotspot is cut off tonight (no way home from it) or only too far
        out = travel.matrix(starts[active], where[ask], depart_at=now, limit_s=longest)
        back = travel.matrix(where[ask], homes[active], depart_at=now).T
        detour[:, ask] = out + service[None, ask] + back
        no_way_home[:, ask] = np.isnan(back)
    fits = detour <= (direct[active] + budget)[:, None]  # NaN fails: unreachable drops out
    survivors = np.flatnonzero(fits.any(axis=0)) if m else np.empty(0, dtype=int)
    # per column at once, and one (immutable) reason for all alike: ~700 hotspots a national
    # clear, one numpy call and one Reason each, were 8 % of a clear
    reasons = {code: Reason(code) for code in ("no_car", "unreachable", "outside_budget")}
    if m == 0:
        for entry in entries:
            left_out[entry.id] = reasons["no_car"]
    else:
        cut_off = np.asarray(no_way_home.all(axis=0)).tolist()
        for j in np.flatnonzero(~fits.any(axis=0)).tolist():
            code = "unreachable" if cut_off[j] else "outside_budget"
            left_out[entries[j].id] = reasons[code]
    chosen = [entries[j] for j in survivors]
    nodes = np.vstack([starts[active], homes[active], where[survivors]]) if m else np.empty((0, 2))
    matrix = (
        np.rint(travel.matrix(nodes, nodes, depart_at=now, limit_s=longest))
        if len(nodes)
        else np.empty((0, 0))
    )
    np.fill_diagonal(matrix, 0)
    problem_cars = tuple(
        Car(cars[k].call_sign, start=v, end=m + v, available_s=int(available[v]),
            budget_s=int(cars[k].budget_s))
        for v, k in enumerate(active)
    )  # fmt: skip
    tasks = tuple(
        Task(entry.id, node=2 * m + j, value=float(valuations[entry.id].value),
             service_s=entry.service_s, windows=entry.windows)
        for j, entry in enumerate(chosen)
    )  # fmt: skip
    problem = Problem(cars=problem_cars, hotspots=tasks, travel_s=matrix) if m else None
    return BuiltProblem(
        problem=problem,
        now=now,
        hotspots={s.id: s for s in hotspots},
        followups={f.id: f for f in followups},
        valuations=valuations,
        left_out=left_out,
        blocked=blocked,
        direct_s={cars[k].call_sign: round(float(direct[k])) for k in active},
        ends={
            cars[k].call_sign: ((starts[k, 0], starts[k, 1]), (homes[k, 0], homes[k, 1]))
            for k in active
        },
    )
