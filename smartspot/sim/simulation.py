"""One replication: a district, a policy, a seed and a number of days in; records out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.sim.callouts import CalloutSpec, generate_callouts
from smartspot.sim.desk import DeskFactory, open_desk
from smartspot.sim.district import District
from smartspot.sim.engine import PRIORITY_CALL, PRIORITY_SHIFT, Environment
from smartspot.sim.followups import FollowUpSpec, generate_followups
from smartspot.sim.policies import planning_for
from smartspot.sim.records import RunRecords
from smartspot.sim.scenario import SHIFTS, Scenario
from smartspot.sim.table import PointTable
from smartspot.sim.world import World
from smartspot.travel.port import TravelTimes
from smartspot.windows import LOCAL_TZ

#: After the last call arrives the run goes on (without new calls) until every call is
#: cleared, at most this long.
DRAIN_S = 2 * 86400.0


def streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The callout stream and the policy stream of a seed, independent of each other: every
    policy run with the same seed sees exactly the same calls (common random numbers)."""
    calls, policy = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(calls), np.random.default_rng(policy)


def followup_stream(seed: int) -> np.random.Generator:
    """The follow-up stream of a seed: a third child of the seed, so the callouts and the
    policy's draws are the same with or without follow-ups."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])


def shift_changes(scenario: Scenario, horizon_s: float) -> list[tuple[float, str]]:
    """``(seconds, shift)`` of every shift start from the run's start to ``horizon_s``; the
    first entry, at 0, is the shift in force at the start."""
    start_local = scenario.start.astimezone(LOCAL_TZ)
    changes = [(0.0, scenario.shift_at(start_local))]
    day = start_local.date()
    last = (scenario.start + timedelta(seconds=horizon_s)).astimezone(LOCAL_TZ).date()
    while day <= last:
        for clock, name in zip(scenario.shift_starts, SHIFTS, strict=True):
            moment = datetime.combine(day, clock).replace(tzinfo=LOCAL_TZ).astimezone(UTC)
            seconds = (moment - scenario.start).total_seconds()
            if 0 < seconds <= horizon_s:
                changes.append((seconds, name))
        day += timedelta(days=1)
    changes.sort()
    return changes


def places(
    district: District, calls: list[CalloutSpec], followups: Sequence[FollowUpSpec] = ()
) -> NDArray[np.float64]:
    """Every place a car can start from or drive to in a run: stations, hotspots, kommune
    reference points, the callouts in time order, then the follow-ups."""
    _, kommune_xy = district.kommune_points()
    call_xy = np.array([(c.x, c.y) for c in calls], dtype=np.float64).reshape(-1, 2)
    followup_xy = np.array([(f.x, f.y) for f in followups], dtype=np.float64).reshape(-1, 2)
    homes = [h.reshape(-1, 2) for h in district.car_homes]
    return np.vstack(
        [
            district.station_xy,
            *homes,
            district.hotspot_xy.reshape(-1, 2),
            kommune_xy,
            call_xy,
            followup_xy,
        ]
    )


def simulate(
    district: District,
    travel: TravelTimes,
    *,
    policy: str,
    days: float,
    seed: int,
    calls: list[CalloutSpec] | None = None,
    progress: Callable[[float], None] | None = None,
    desk: DeskFactory = open_desk,
) -> RunRecords:
    """Run one replication.

    Parameters
    ----------
    district
        The district (stations, towns, hotspots) and its scenario.
    travel
        The travel-time layer.
    policy
        ``"none"``, ``"greedy"``, ``"optimiser"`` or ``"optimiser+idle"`` (see :mod:`smartspot.sim.policies`); the
        desk plans with the scenario's planning policy (its ``policy.toml``).
    days
        Days of calls; the run then continues until every call is cleared.
    seed
        Seeds both the callout stream and the policy stream (see :func:`streams`).
    calls
        The callouts, when already generated from the same seed (saves the work in a
        comparison); drawn from the seed otherwise.
    progress
        Called now and then with the simulated seconds reached.
    desk
        Opens the vagtcentral the world talks to (default: the live engine in process).

    Raises
    ------
    InvalidInputError
        For a non-positive number of days or an unknown policy.
    """
    if not 0 < days <= 366:
        raise InvalidInputError(
            msg("days is {days}; allowed more than 0 and at most 366", days=days), field="days"
        )
    planning = planning_for(policy, district.scenario.policy)
    call_rng, policy_rng = streams(seed)
    if calls is None:
        calls = generate_callouts(district, travel, days, call_rng)
    specs = generate_followups(district, travel, days, followup_stream(seed))
    env = Environment()
    table = PointTable(travel, places(district, calls, specs))
    model = World(
        env,
        district,
        table,
        planning,
        policy_rng,
        acceptance_rate=district.scenario.smartspot.acceptance_rate,
        with_hotspots=policy != "none",
        desk=desk,
        followups=specs,
    )
    horizon = days * 86400.0
    for at, shift in shift_changes(district.scenario, horizon + DRAIN_S):
        env.schedule_at(at, lambda s=shift: model.set_shift(s), priority=PRIORITY_SHIFT)  # type: ignore[misc]
    for spec in calls:
        env.schedule_at(spec.received_s, lambda c=spec: model.receive(c), priority=PRIORITY_CALL)  # type: ignore[misc]
    step = 3600.0
    t = 0.0
    while t < horizon:
        t = min(horizon, t + step)
        env.run(until=t)
        if progress is not None:
            progress(t)
    while model.open_calls and env.peek() <= horizon + DRAIN_S:
        env.step()
    return RunRecords(
        scenario=district.scenario.name,
        policy=policy,
        seed=seed,
        days=days,
        calls=tuple(sorted(model.call_records, key=lambda r: r.callout)),
        visits=tuple(model.visit_records),
        plans=tuple(model.plan_records),
        cars=tuple(model.car_records()),
        unanswered=tuple(sorted(model.open_calls)),
        events=env.steps,
        followups=tuple(model.followups.records()),
    )
