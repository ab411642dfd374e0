"""The value of visiting a hotspot now, and the words that explain it to the operator.

value = priority × harm × need × activity × opportunity × jitter

* **priority** (1–5) is the analyst's judgement of the single hotspot.
* **harm** is a weight per category. The default table follows the idea of the Danish Crime
  Harm Index (Andersen & Mueller-Johnson 2018: weigh offences by the harm society attaches to
  them, measured by the sentencing starting point), scaled so that "other" = 1. The tryghed
  categories that are not crimes in that index (youth nuisance, mopeds, noise) get their own,
  deliberately modest weights, because citizens report them as what makes them feel unsafe.
  Every district can set its own table.
* **need**: how far the hotspot is behind its desired visits this calendar week (the week the
  fulfilment figures count, :mod:`smartspot.fulfilment`) and how long since the last visit
  relative to the desired interval. A hotspot *behind schedule* — fewer visits than the part of
  the week gone by asks for — gains ``need_late`` per share of its target it is short, so one
  far behind late in the week outranks one on schedule, and an outlying one
  (:mod:`smartspot.outlying`) gains ``need_outlying`` more of that, because few cars will pass
  it before the week ends. A hotspot whose week's visits are all made drops to
  ``need_served``: another visit adds nothing to its fulfilment. Zero inside a cool-down after
  a visit (default 120 minutes: a second car right after the first adds little).
* **activity**: full inside an active window, reduced shortly before one opens, zero otherwise.
* **opportunity**: the round trip from the nearest station. A remote hotspot that a car happens
  to be near is worth more *now* than a town-centre one a car passes every hour; this is what
  makes Smart Spot serve the outlying areas.
* **jitter**: a small seeded random factor so visits stay regular but unpredictable (the
  hot-spot policing evidence asks for both). Off (0) in tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from smartspot.domain import Category
from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.reasons import Reason

DEFAULT_HARM: Mapping[Category, float] = MappingProxyType(
    {
        Category.BURGLARY_AREA: 3.0,  # residential burglary: high harm in the index
        Category.DRUGS_NEAR_SCHOOL: 3.0,  # drug dealing near children
        Category.NIGHTLIFE: 2.5,  # violence around nightlife
        Category.VANDALISM: 1.5,  # criminal damage: low per case
        Category.SPEEDING: 1.5,  # traffic harm, not in the index
        Category.MOPEDS_TRAFFIC: 1.2,  # tryghed: mopeds, reckless driving
        Category.YOUTH_NUISANCE: 1.2,  # tryghed: groups, noise
        Category.OTHER: 1.0,
    }
)


@dataclass(frozen=True)
class ValueSettings:
    """Every factor of the value model; one instance per district."""

    harm: Mapping[Category, float] = field(default_factory=lambda: DEFAULT_HARM)
    cooldown_min: float = 120.0
    need_base: float = 0.5  # need of a hotspot that is on schedule
    need_behind: float = 1.0  # added when no visit of the week's target has happened yet
    need_stale: float = 0.5  # added per desired interval since the last visit …
    need_stale_cap: float = 2.0  # … up to this many intervals
    need_late: float = 2.0  # added per share of the target behind schedule this week …
    need_outlying: float = 0.5  # … and this share more of that for an outlying hotspot
    need_served: float = 0.2  # the need of a hotspot whose week's visits are all made
    outlying_min: float = 12.0  # outlying: nearest station farther (minutes; the policy's)
    soon_min: float = 30.0  # "shortly before" an active window opens
    soon_factor: float = 0.5
    opportunity_per_hour: float = 1.0  # added per hour of station round trip …
    opportunity_cap_hours: float = 2.0  # … up to this many hours
    jitter: float = 0.1  # ± share; 0 switches it off

    def __post_init__(self) -> None:
        for category in Category:
            weight = self.harm.get(category)
            if weight is None or not (math.isfinite(weight) and weight >= 0):
                raise InvalidInputError(
                    msg(
                        "harm weight of {value} is {weight!r}; every category needs a finite weight ≥ 0",
                        value=category.value,
                        weight=weight,
                    ),
                    field="harm",
                )
        for name in (
            "cooldown_min",
            "need_base",
            "need_behind",
            "need_stale",
            "need_stale_cap",
            "need_late",
            "need_outlying",
            "need_served",
            "outlying_min",
            "soon_min",
            "soon_factor",
            "opportunity_per_hour",
            "opportunity_cap_hours",
            "jitter",
        ):
            number = getattr(self, name)
            if not (isinstance(number, int | float) and math.isfinite(number) and number >= 0):
                raise InvalidInputError(
                    msg("{name} is {number!r}; it must be ≥ 0", name=name, number=number),
                    field=name,
                )
        if self.soon_factor > 1 or self.jitter >= 1:
            raise InvalidInputError(msg("soon_factor must be ≤ 1 and jitter < 1"), field="value")


@dataclass(frozen=True, slots=True)
class Situation:
    """What the value depends on for one hotspot at one moment."""

    priority: int
    category: Category
    visits_per_week: float
    visits_last_week: int
    since_last_visit_s: float | None  # None: never visited
    active_now: bool
    opens_in_s: float | None  # when inactive: seconds until a window opens (None: not soon)
    station_round_trip_s: float  # NaN: no station can reach it
    visits_this_week: int | None = None  # in the calendar week so far (None: use the last 7 days)
    week_elapsed: float = 0.0  # share of the calendar week gone by (0–1)


@dataclass(frozen=True, slots=True)
class Valuation:
    value: float
    priority_harm: float
    need: float
    activity: float
    opportunity: float
    jitter: float
    reasons: tuple[Reason, ...]  # most telling first


def value_of(
    situation: Situation,
    settings: ValueSettings,
    rng: np.random.Generator | None = None,
    *,
    window_label: str = "",
) -> Valuation:
    """The value of a visit now and the reasons for it.

    Parameters
    ----------
    situation
        The hotspot's state now.
    settings
        The district's value model.
    rng
        Source of the jitter; ``None`` or ``settings.jitter == 0`` leaves it out.
    window_label
        The active windows as text (e.g. ``"fri,sat 20:00–02:00"``) for the reasons.
    """
    s = situation
    harm = settings.harm[s.category]
    priority_harm = s.priority * harm
    reasons: list[Reason] = []
    # need
    cooldown_s = settings.cooldown_min * 60
    interval_s = 7 * 86400 / s.visits_per_week
    if s.since_last_visit_s is not None and s.since_last_visit_s < cooldown_s:
        need = 0.0
        reasons.append(Reason("cooldown", {"ago_s": round(s.since_last_visit_s)}))
    else:
        need = _need(s, settings, interval_s, reasons)
    # activity
    window = {"window": window_label}
    if s.active_now:
        activity = 1.0
        if window_label:
            reasons.append(Reason("active", window))
    elif s.opens_in_s is not None and s.opens_in_s <= settings.soon_min * 60:
        activity = settings.soon_factor
        reasons.append(Reason("opens_in", {"opens_s": round(s.opens_in_s), **window}))
    else:
        activity = 0.0
        reasons.append(Reason("not_active_now", window))
    # opportunity
    if math.isnan(s.station_round_trip_s):
        opportunity = 1.0 + settings.opportunity_per_hour * settings.opportunity_cap_hours
        reasons.insert(0, Reason("remote_no_road"))
    else:
        hours = min(s.station_round_trip_s / 3600, settings.opportunity_cap_hours)
        opportunity = 1.0 + settings.opportunity_per_hour * hours
        if s.station_round_trip_s >= 1800:
            reasons.insert(0, Reason("remote", {"station_s": round(s.station_round_trip_s / 2)}))
    jitter = 1.0
    if rng is not None and settings.jitter > 0:
        jitter = float(rng.uniform(1 - settings.jitter, 1 + settings.jitter))
    value = priority_harm * need * activity * opportunity * jitter
    reasons.insert(0, Reason("priority", {"priority": s.priority, "category": s.category.value}))

    return Valuation(value, priority_harm, need, activity, opportunity, jitter, tuple(reasons))


def _need(s: Situation, settings: ValueSettings, interval_s: float, reasons: list[Reason]) -> float:
    """The need factor outside a cool-down, appending its reasons."""
    target = s.visits_per_week
    done = s.visits_last_week if s.visits_this_week is None else s.visits_this_week
    behind = max(0.0, target - done) / target
    since = math.inf if s.since_last_visit_s is None else s.since_last_visit_s
    stale = min(since / interval_s, settings.need_stale_cap)
    # behind schedule: short of what the part of the week gone by asks for, as a share of target
    elapsed = min(1.0, max(0.0, s.week_elapsed)) if s.visits_this_week is not None else 0.0
    short = max(0.0, target * elapsed - done) / target
    outlying = math.isnan(s.station_round_trip_s) or (
        s.station_round_trip_s / 2 > settings.outlying_min * 60
    )
    if s.visits_this_week is not None and done >= target:
        need = settings.need_served + settings.need_stale * stale
    else:
        late = settings.need_late * short * (1 + (settings.need_outlying if outlying else 0.0))
        need = (
            settings.need_base + settings.need_behind * behind + settings.need_stale * stale + late
        )
    if s.since_last_visit_s is None:
        reasons.append(Reason("never_visited"))
    elif since >= interval_s:
        reasons.append(Reason("not_visited_for", {"since_s": round(since)}))
    missing = math.ceil(target - done - 1e-9)
    left_s = round((1 - elapsed) * 7 * 86400)
    if s.visits_this_week is not None and done >= target:
        reasons.append(Reason("week_served", {"done": done, "target": float(target)}))
    elif short >= 0.25 and s.visits_this_week is not None:
        code = "late_outlying" if outlying else "late"
        params = {"missing": missing, "target": float(target), "left_s": left_s}
        reasons.insert(0, Reason(code, params))  # the most telling need reason
    elif behind > 0:
        reasons.append(
            Reason("behind", {"done": done, "target": float(target)})
            if done
            else Reason("none_yet", {"target": float(target)})
        )
    return need
