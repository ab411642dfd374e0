"""The stream of follow-ups (tryghedsopfølgninger) a district registers, and how each attempt
to reach the citizen turns out.

Reports that are followed up arrive as a Poisson process at the scenario's yearly rate
(:class:`~smartspot.sim.followup_settings.FollowUpSettings`), each due ``due_days`` after the
report and located like the callouts (a town by population, or rural land). The stream starts
``due_days`` before the run, so the run opens with the backlog of follow-ups still open: the
ones registered before the start are registered at second 0 with their own due dates.

Every follow-up carries its own random draws for each attempt at the door and for the phone
call, so every policy meets the same citizens at home or out on the same attempt (common random
numbers): the stream depends on the seed and the scenario, never on the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from shapely.geometry import Point

from smartspot.followups import AttemptOutcome, LeftBehind
from smartspot.sim.callouts import reachable_places
from smartspot.sim.district import District
from smartspot.sim.followup_settings import LEFT_SHARES, FollowUpSettings
from smartspot.travel.port import TravelTimes
from smartspot.windows import LOCAL_TZ, ActiveWindow

YEAR_S = 365.25 * 86400
#: Draws kept per follow-up for attempts at the door (more are never needed: after
#: ``max_failed_attempts`` failures the task goes to the phone queue).
DRAWS = 8
LEFT = (LeftBehind.LEAFLET, LeftBehind.NEIGHBOUR, LeftBehind.NOTHING)


@dataclass(frozen=True, slots=True)
class FollowUpSpec:
    """One follow-up as it is registered; times in seconds from the start of the run."""

    id: str
    reported_s: float  # negative: reported before the run (the backlog)
    due_by: date  # local date; due by the end of it
    due_s: float  # the end of the due day
    x: float
    y: float
    kommunekode: str
    rural: bool
    windows: tuple[ActiveWindow, ...]
    preferred: bool  # the citizen asked for these hours
    minutes_on_site: int
    priority: int
    door: tuple[float, ...]  # per attempt at the door: reached when below the reach share
    left: tuple[float, ...]  # per attempt: what is left when no one is home
    phone: float  # the phone call: reached when below the reach share

    @property
    def registered_s(self) -> float:
        """When the desk gets it: at its report, or at the start for the backlog."""
        return max(0.0, self.reported_s)

    @property
    def point(self) -> Point:
        return Point(self.x, self.y)


def door_outcome(
    spec: FollowUpSpec, attempt: int, settings: FollowUpSettings
) -> tuple[AttemptOutcome, LeftBehind | None]:
    """How the ``attempt``-th knock on the door (1, 2, …) turns out."""
    k = min(attempt, DRAWS) - 1
    if spec.door[k] < settings.reached_per_attempt:
        return AttemptOutcome.REACHED, None
    cumulative = np.cumsum(LEFT_SHARES)
    return AttemptOutcome.NOT_HOME, LEFT[
        int(np.searchsorted(cumulative, spec.left[k] * cumulative[-1]))
    ]


def phone_reached(spec: FollowUpSpec, settings: FollowUpSettings) -> bool:
    return spec.phone < settings.reached_per_attempt


def district_population(district: District) -> float:
    """Inhabitants of the district: the scenario's kommune populations."""
    return float(sum(people for _, people in district.scenario.callouts.kommune_population))


def generate_followups(
    district: District,
    travel: TravelTimes,
    days: float,
    rng: np.random.Generator,
    settings: FollowUpSettings | None = None,
) -> list[FollowUpSpec]:
    """Draw every follow-up reported from ``due_days`` before the run to its end.

    Parameters
    ----------
    district
        The district and its scenario (``scenario.followups`` unless ``settings`` is given).
    travel
        The travel-time layer, used only to refuse places no station reaches.
    days
        Length of the run.
    rng
        The follow-up stream's own generator (independent of the callouts' and the policy's).
    """
    settings = settings or district.scenario.followups
    if not settings.enabled:
        return []
    yearly = settings.yearly(district_population(district))
    first = -settings.due_days * 86400.0
    span = days * 86400.0 - first
    n = int(rng.poisson(yearly * span / YEAR_S))
    times = np.sort(first + rng.uniform(0.0, span, size=n))
    points, rural = reachable_places(district, travel, n, rng)
    preferred = rng.random(n) < settings.preferred_share
    door = rng.random((n, DRAWS))
    left = rng.random((n, DRAWS))
    phone = rng.random(n)
    start = district.scenario.start
    specs = []
    for i in range(n):
        reported = start + timedelta(seconds=float(times[i]))
        due_by = reported.astimezone(LOCAL_TZ).date() + timedelta(days=settings.due_days)
        due_at = datetime.combine(due_by + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
        specs.append(
            FollowUpSpec(
                id=f"f{i:05d}",
                reported_s=float(times[i]),
                due_by=due_by,
                due_s=(due_at - start).total_seconds(),
                x=float(points[i, 0]),
                y=float(points[i, 1]),
                kommunekode=district.regions.locate(Point(points[i])).kommune.kode,
                rural=bool(rural[i]),
                windows=settings.preferred_hours if preferred[i] else settings.visiting_hours,
                preferred=bool(preferred[i]),
                minutes_on_site=settings.minutes_on_site,
                priority=settings.priority,
                door=tuple(door[i].tolist()),
                left=tuple(left[i].tolist()),
                phone=float(phone[i]),
            )
        )
    return specs
