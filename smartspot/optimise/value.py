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
  ``need_served``: another visit adds nothing to its fulfilment — and to nothing at all with
  ``short_only`` (an idle car's round, whose trip is worth only the visits the week still asks
  for). Zero inside a cool-down after a visit (default 120 minutes: a second car right after
  the first adds little).
* **activity**: full inside an active window, reduced shortly before one opens, zero otherwise.
* **opportunity**: the round trip from the nearest station. A remote hotspot that a car happens
  to be near is worth more *now* than a town-centre one a car passes every hour; this is what
  makes Smart Spot serve the outlying areas.
* **jitter**: a small seeded random factor so visits stay regular but unpredictable (the
  hot-spot policing evidence asks for both). Off (0) in tests.

A tryghedsopfølgning (a one-off follow-up visit to a citizen) is priced by the same factors
where they apply, in :func:`followup_value_of`:

value = priority × follow-up weight × urgency × hours × opportunity × jitter

* **urgency** rises linearly from 1 when ``followup_lead_days`` or more are left to
  ``1 + followup_rise`` at the due date, and stays there once it is overdue (the task is still
  open until the phone queue takes it);
* **hours** is 1 inside the citizen's preferred hours (or always, without them) and 0 outside:
  nobody is to be visited at a time they did not ask for;
* no new attempt within ``followup_retry_min`` of a failed one (the same hour rarely finds
  someone home who was out);
* **opportunity** and **jitter** as for hotspots.
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
    short_only: bool = False  # a hotspot whose week's visits are all made is worth nothing
    soon_min: float = 30.0  # "shortly before" an active window opens
    soon_factor: float = 0.5
    opportunity_per_hour: float = 1.0  # added per hour of station round trip …
    opportunity_cap_hours: float = 2.0  # … up to this many hours
    jitter: float = 0.1  # ± share; 0 switches it off
    followup_weight: float = 2.0  # a follow-up with a citizen, against a hotspot's harm weight
    followup_lead_days: float = 14.0  # urgency starts rising this many days before the due date
    followup_rise: float = 2.0  # … up to 1 + this at the due date
    followup_retry_min: float = 240.0  # no new attempt this soon after a failed one

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
            "followup_weight",
            "followup_lead_days",
            "followup_rise",
            "followup_retry_min",
        ):
            number = getattr(self, name)
            if not (isinstance(number, int | float) and math.isfinite(number) and number >= 0):
                raise InvalidInputError(
                    msg("{name} is {number!r}; it must be ≥ 0", name=name, number=number),
                    field=name,
                )
        if self.soon_factor > 1 or self.jitter >= 1:
            raise InvalidInputError(msg("soon_factor must be ≤ 1 and jitter < 1"), field="value")
        if self.followup_lead_days <= 0:
            raise InvalidInputError(
                msg("followup_lead_days must be more than 0"), field="followup_lead_days"
            )


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
    explain: bool = True,
    jitter: float | None = None,
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
    explain
        ``False``: only the reasons that make the value zero (``cooldown``,
        ``not_active_now``), for a hotspot that cannot become a stop anyway; the value and
        the random draw are the same.
    jitter
        The jitter factor already drawn for this hotspot (``rng`` is then not used):
        :mod:`smartspot.optimise.prices` draws a district's at once.
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
        need = _need(s, settings, interval_s, reasons if explain else None)
    # activity
    window = {"window": window_label}
    if s.active_now:
        activity = 1.0
        if window_label and explain:
            reasons.append(Reason("active", window))
    elif s.opens_in_s is not None and s.opens_in_s <= settings.soon_min * 60:
        activity = settings.soon_factor
        if explain:
            reasons.append(Reason("opens_in", {"opens_s": round(s.opens_in_s), **window}))
    else:
        activity = 0.0
        reasons.append(Reason("not_active_now", window))
    # opportunity
    if math.isnan(s.station_round_trip_s):
        opportunity = 1.0 + settings.opportunity_per_hour * settings.opportunity_cap_hours
        if explain:
            reasons.insert(0, Reason("remote_no_road"))
    else:
        hours = min(s.station_round_trip_s / 3600, settings.opportunity_cap_hours)
        opportunity = 1.0 + settings.opportunity_per_hour * hours
        if s.station_round_trip_s >= 1800 and explain:
            reasons.insert(0, Reason("remote", {"station_s": round(s.station_round_trip_s / 2)}))
    if jitter is None:
        jitter = 1.0
        if rng is not None and settings.jitter > 0:
            jitter = float(rng.uniform(1 - settings.jitter, 1 + settings.jitter))
    value = priority_harm * need * activity * opportunity * jitter
    if explain:
        reasons.insert(
            0, Reason("priority", {"priority": s.priority, "category": s.category.value})
        )

    return Valuation(value, priority_harm, need, activity, opportunity, jitter, tuple(reasons))


def _need(
    s: Situation, settings: ValueSettings, interval_s: float, reasons: list[Reason] | None
) -> float:
    """The need factor outside a cool-down, appending its reasons (unless ``None``)."""
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
        served = not settings.short_only
        need = (settings.need_served + settings.need_stale * stale) if served else 0.0
    else:
        late = settings.need_late * short * (1 + (settings.need_outlying if outlying else 0.0))
        need = (
            settings.need_base + settings.need_behind * behind + settings.need_stale * stale + late
        )
    if reasons is None:
        return need
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


@dataclass(frozen=True, slots=True)
class FollowUpSituation:
    """What the value of a follow-up visit depends on at one moment."""

    priority: int
    due_in_s: float  # seconds until the due date; negative when overdue
    in_hours_now: bool  # inside the preferred hours (True when none are given)
    since_failed_attempt_s: float | None  # None: no failed attempt yet
    station_round_trip_s: float  # NaN: no station can reach it


def _opportunity(round_trip_s: float, settings: ValueSettings) -> tuple[float, Reason | None]:
    if math.isnan(round_trip_s):
        return (
            1.0 + settings.opportunity_per_hour * settings.opportunity_cap_hours,
            Reason("remote_no_road"),
        )
    hours = min(round_trip_s / 3600, settings.opportunity_cap_hours)
    remote = (
        Reason("remote", {"station_s": round(round_trip_s / 2)}) if round_trip_s >= 1800 else None
    )
    return 1.0 + settings.opportunity_per_hour * hours, remote


def followup_value_of(
    situation: FollowUpSituation,
    settings: ValueSettings,
    rng: np.random.Generator | None = None,
    *,
    hours_label: str = "",
) -> Valuation:
    """The value of a follow-up visit now and the reasons for it (see the module docstring).

    The returned :class:`Valuation` reuses its fields: ``priority_harm`` is priority × the
    follow-up weight, ``need`` the urgency and ``activity`` the preferred-hours factor.

    Parameters
    ----------
    situation
        The follow-up's state now.
    settings
        The district's value model.
    rng
        Source of the jitter; ``None`` or ``settings.jitter == 0`` leaves it out.
    hours_label
        The preferred hours as text (e.g. ``"mon-fri 16:00–20:00"``) for the reasons.
    """
    s = situation
    priority_harm = s.priority * settings.followup_weight
    lead_s = settings.followup_lead_days * 86400
    urgency = 1.0 + settings.followup_rise * min(1.0, max(0.0, 1.0 - s.due_in_s / lead_s))
    reasons: list[Reason] = [
        Reason("followup_due", {"due_s": round(s.due_in_s)})
        if s.due_in_s >= 0
        else Reason("followup_overdue", {"over_s": round(-s.due_in_s)})
    ]
    hours = 1.0
    if not s.in_hours_now:
        hours = 0.0
        reasons.append(Reason("followup_outside_hours", {"window": hours_label}))
    retry_s = settings.followup_retry_min * 60
    if s.since_failed_attempt_s is not None and s.since_failed_attempt_s < retry_s:
        hours = 0.0
        reasons.append(Reason("followup_retry", {"ago_s": round(s.since_failed_attempt_s)}))
    opportunity, remote = _opportunity(s.station_round_trip_s, settings)
    if remote is not None:
        reasons.append(remote)
    jitter = 1.0
    if rng is not None and settings.jitter > 0:
        jitter = float(rng.uniform(1 - settings.jitter, 1 + settings.jitter))
    value = priority_harm * urgency * hours * opportunity * jitter
    return Valuation(value, priority_harm, urgency, hours, opportunity, jitter, tuple(reasons))
