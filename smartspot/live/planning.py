"""Planning: the proposals for a set of free cars of one politikreds, from the store's state,
the district's policy and travel model, through the optimiser's problem builder and solvers.
Open follow-ups (tryghedsopfølgninger) in the visit queue are tasks of the same problem.

A plan never fails loudly: when nothing is active, in reach or allowed, each car gets a
proposal with no stops and the reason per hotspot; when the optimiser itself fails, the
proposal records why.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from smartspot.domain import Hotspot, Patrol, PatrolStatus
from smartspot.followups import FollowUp
from smartspot.live.callouts import urgent_waiting
from smartspot.live.claims import held_by_others
from smartspot.live.context import District, LiveContext
from smartspot.live.visits import OpenHotspots
from smartspot.optimise.build import FreeCar, PlanningContext, build_problem, xy
from smartspot.optimise.explain import explain
from smartspot.optimise.problem import problem_to_dict, solution_to_dict
from smartspot.optimise.rules import CoverageGuard
from smartspot.optimise.solvers import get_solver
from smartspot.outlying import station_round_trips
from smartspot.plans import Proposal, ProposalStatus, SolverRun
from smartspot.reasons import Reason

log = logging.getLogger(__name__)

AVAILABLE = (PatrolStatus.AVAILABLE, PatrolStatus.RETURNING)
#: Which of some places (hotspot geometries, follow-up doors) a round may go to.
Within = Callable[[Sequence[BaseGeometry]], list[bool]]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A car to plan for: where it is free from. An idle car (``idle_s``: how long it has
    stood at its post) plans a round trip within ``budget_s``; a car on its way home within
    its policy's detour budget."""

    patrol: Patrol
    position: Point
    budget_s: int | None = None
    idle_s: float | None = None


class RoundTrips:
    """Round trips from each hotspot's nearest station, per district, cached by hotspot
    version (they change only when a hotspot moves or the stations do)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str, int], float] = {}
        self._lock = threading.Lock()

    def of(
        self, district: District, spots: Sequence[Hotspot], ctx: LiveContext
    ) -> dict[str, float]:
        key = district.politikreds
        with self._lock:
            missing = [s for s in spots if (key, s.id, s.version) not in self._known]
        if missing and len(district.stations):
            travel = ctx.travel.for_district(key)
            points = np.array([xy(s.geometry) for s in missing])
            trips = station_round_trips(travel, district.stations, points)
            with self._lock:
                for spot, seconds in zip(missing, trips.tolist(), strict=True):
                    self._known[(key, spot.id, spot.version)] = float(seconds)
        with self._lock:
            return {s.id: self._known.get((key, s.id, s.version), math.nan) for s in spots}


def politikreds_of_base(ctx: LiveContext, patrol: Patrol) -> str:
    """The district a car belongs to: where its home base lies."""
    return ctx.district_of_base(patrol.home_station)


def district_cars(
    ctx: LiveContext, politikreds: str, statuses: Sequence[PatrolStatus] = AVAILABLE
) -> list[Patrol]:
    """The cars of ``politikreds`` (based at its stations) in one of ``statuses``, read from
    the store by their home stations (a national clear read all 400 cars to keep ~30)."""
    return [
        p
        for p in ctx.store.patrols.list(home_stations=ctx.stations_of(politikreds))
        if p.status in statuses
    ]


def is_fresh(patrol: Patrol, now: datetime, max_age_s: float) -> bool:
    if patrol.position is None or patrol.position_at is None:
        return False
    return abs((now - patrol.position_at).total_seconds()) <= max_age_s


def plan(
    ctx: LiveContext,
    hotspots: OpenHotspots,
    round_trips: RoundTrips,
    politikreds: str,
    cars: Sequence[Candidate],
    now: datetime,
    *,
    within: Within | None = None,
    fleet: Sequence[Patrol] | None = None,
) -> list[Proposal]:
    """Unsaved proposals (one per car, maybe empty) for ``cars``, all of ``politikreds``.

    ``within`` (an idle car that alone covers a kommune, :mod:`smartspot.live.idle`) keeps
    only the hotspots and follow-ups it says, and the round needs no coverage guard: the car
    stays within the guard's minutes of the kommune it covers. ``fleet``: the district's
    available cars (:func:`district_cars`) as the caller has just read them, so they are not
    read again (a clear reads them to find the cars on their way home)."""
    district = ctx.district(politikreds)
    policy = district.policy
    rng = planning_rng(ctx.seed, politikreds, now, [c.patrol.call_sign for c in cars])
    run = SolverRun(policy.solver, policy.time_limit_s, int(rng.integers(0, 2**31 - 1)))
    # the district's open hotspots and the follow-ups a passing patrol may take (open, in
    # the visit queue), from the cache at the store's current revision
    spots, followups = hotspots.round_of(politikreds)
    if within is not None:
        spots = [s for s, ok in zip(spots, within([s.geometry for s in spots]), strict=True) if ok]
        followups = [
            f
            for f, ok in zip(followups, within([f.position for f in followups]), strict=True)
            if ok
        ]
    if not spots and not followups:
        return [
            _empty(c, politikreds, now, run, Reason("no_hotspots", {"politikreds": politikreds}))
            for c in cars
        ]
    try:
        guarded = within is None
        return _plan(
            ctx, district, spots, followups, round_trips, cars, now, run, rng, guarded, fleet
        )
    except Exception as error:  # planning must never leave a cleared callout without an answer
        log.exception("planning failed for %s", [c.patrol.call_sign for c in cars])
        failed = SolverRun(run.solver, run.time_limit_s, run.seed, failure=repr(error))
        why = Reason("planning_failed", {"error": type(error).__name__})
        return [_empty(c, politikreds, now, failed, why) for c in cars]


def planning_rng(
    seed: int, politikreds: str, now: datetime, cars: Sequence[str]
) -> np.random.Generator:
    """The random stream of one planning round: a function of the service's seed and of what
    is planned (politikreds, time, cars), never of how many rounds this process ran before."""
    moment = f"{now.timestamp():.6f}"  # the instant, whatever time zone ``now`` is told in
    key = "|".join((politikreds, moment, *sorted(cars))).encode()
    digest = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
    return np.random.default_rng([seed, digest])


def _plan(
    ctx: LiveContext,
    district: District,
    spots: list[Hotspot],
    followups: list[FollowUp],
    round_trips: RoundTrips,
    cars: Sequence[Candidate],
    now: datetime,
    run: SolverRun,
    rng: np.random.Generator,
    guarded: bool = True,
    fleet: Sequence[Patrol] | None = None,
) -> list[Proposal]:
    policy = district.policy
    politikreds = district.politikreds
    planning = {c.patrol.call_sign for c in cars}
    waiting = urgent_waiting(ctx, politikreds)
    others = [
        p.position if p.position is not None else ctx.bases[p.home_station]
        for p in (district_cars(ctx, politikreds) if fleet is None else fleet)
        if p.call_sign not in planning
    ]
    guard = None
    if guarded and policy.coverage_guard_min is not None and len(district.kommune_points):
        guard = CoverageGuard(
            policy.coverage_guard_min, district.kommune_names, district.kommune_points
        )
    context = PlanningContext(
        urgent_waiting=frozenset({politikreds}) if waiting else frozenset(),
        claimed=held_by_others(ctx.store, planning),
        coverage=guard,
        other_available=np.array([[p.x, p.y] for p in others]).reshape(-1, 2),
    )
    shift_end = policy.shift_end_after(now)
    free = [
        FreeCar(
            call_sign=c.patrol.call_sign,
            position=c.position,
            home=ctx.bases[c.patrol.home_station],
            free_at=now,
            budget_s=policy.budget_s if c.budget_s is None else c.budget_s,
            shift_ends_at=shift_end,
            politikreds=politikreds,
        )
        for c in cars
    ]
    travel = ctx.travel.for_district(politikreds)
    # the visits of the district's hotspots (the value model reads those of ``spots`` only)
    since = now - policy.lookback
    visits = [v.visit for v in ctx.store.visits.list(since=since, politikreds=politikreds)]
    built = build_problem(
        free,
        spots,
        travel,
        now,
        stations=district.stations,
        visits=visits,
        settings=policy.idle_value if all(c.idle_s is not None for c in cars) else policy.value,
        rng=rng,
        context=context,
        station_round_trip_s=round_trips.of(district, spots, ctx),
        followups=followups,
        followup_failed_at=ctx.store.followups.last_failed_at() if followups else None,
    )
    solution = None
    if built.problem is not None and built.problem.hotspots:
        began = time.perf_counter()
        solution = get_solver(policy.solver).solve(
            built.problem, time_limit_s=policy.time_limit_s, seed=run.seed
        )
        run = SolverRun(
            run.solver, run.time_limit_s, run.seed, (time.perf_counter() - began) * 1000
        )
    explanation = explain(built, solution)
    left_out = dict(explanation.left_out)
    blocks = {r.code: r for r in built.blocked.values()}
    if len(blocks) == 1 and len(built.blocked) == len(cars):  # every car stopped by one rule
        [why] = blocks.values()
        left_out = {k: why if r.code == "no_car" else r for k, r in left_out.items()}
    problem = None if built.problem is None else problem_to_dict(built.problem)
    answer = None if solution is None else solution_to_dict(solution)
    by_car = {c.car: c for c in explanation.cars}
    proposals = []
    for candidate in cars:
        car_plan = by_car.get(candidate.patrol.call_sign)
        blocked = Reason("nothing_worth_it") if car_plan is None else car_plan.blocked
        stops = () if car_plan is None else car_plan.stops
        if candidate.idle_s is not None:  # the first reason says why a parked car is asked
            idle = Reason("idle", {"idle_s": round(candidate.idle_s)})
            stops = tuple(replace(s, reasons=(idle, *s.reasons)) for s in stops)
        proposals.append(
            Proposal(
                id="new",
                patrol=candidate.patrol.call_sign,
                politikreds=politikreds,
                created_at=now,
                stops=stops,
                run=run,
                home_at=None if car_plan is None else car_plan.home_at,
                detour_s=0.0 if car_plan is None else car_plan.detour_s,
                value=0.0 if car_plan is None else car_plan.value,
                blocked=None if stops else blocked,
                left_out=left_out,
                problem=problem,
                answer=answer,
                status=ProposalStatus.PENDING if stops else ProposalStatus.EMPTY,
            )
        )
    return proposals


def _empty(
    car: Candidate, politikreds: str, now: datetime, run: SolverRun, why: Reason
) -> Proposal:
    return Proposal(
        id="new",
        patrol=car.patrol.call_sign,
        politikreds=politikreds,
        created_at=now,
        stops=(),
        run=run,
        blocked=why,
        status=ProposalStatus.EMPTY,
    )


def left_out_summary(proposal: Proposal) -> Mapping[str, int]:
    """How many hotspots were left out for each reason code (for reports and the map)."""
    counts: dict[str, int] = {}
    for reason in proposal.left_out.values():
        counts[reason.code] = counts.get(reason.code, 0) + 1
    return counts
