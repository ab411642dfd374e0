"""Key figures of a run, and paired comparisons of policies across replications.

The keys of ``summary.json`` (all times in seconds, distances in km):

- ``calls``: ``total``, ``urgent``, ``non_urgent``, ``urgent_per_year`` (scaled from the run).
- ``urgent_response_s``: ``n``, ``mean``, ``median``, ``p90`` for the district;
  ``urgent_response_s_by_kommune``: the same per kommune code (with ``name``).
  Response = call received → first car on scene, including call handling, turnout and queueing.
- ``non_urgent_response_s``: the same for the other calls.
- ``visits``: ``total`` (arrivals at a hotspot), ``completed``, ``aborted`` (pulled away by an
  urgent call), ``outlying`` and ``town`` (outlying = the nearest station more than the
  policy's ``outlying_min`` away by road, :mod:`smartspot.outlying`), ``per_hotspot`` (id →
  visits, minutes, outlying, desired visits and weeks met).
- ``dosage_min``: minutes on site, ``total``, ``outlying``, ``town``.
- ``fulfilment``: did the hotspots get their desired weekly visits (:mod:`smartspot.fulfilment`;
  the run's weeks are calendar weeks, Monday to Monday in Copenhagen, as in the live service
  and the value model — the scenarios start on a Monday — a week cut by the run pro-rated; a visit
  counts when it lasted the policy's ``detection.min_stay_s``, as the live engine detects one):
  ``share`` of hotspot-weeks meeting their desired visits (one week: the share of hotspots),
  ``mean_ratio`` (achieved ÷ desired, capped at 1), ``never_visited`` (hotspot-weeks without a
  visit), ``hotspots_never_visited``, ``hotspots``, ``hotspot_weeks``, ``met``, and the same
  under ``outlying`` and ``town``; ``fulfilment_by_kommune``: the same per kommune code.
- ``value``: the summed value of completed visits, as the policy valued them.
- ``proposals``: ``made``, ``accepted``, ``interrupted``, ``idle_accepted`` (accepted by a car
  standing idle at its post).
- ``extra_km``: kilometres driven on accepted plans minus their progress towards home;
  ``fleet_km``: every kilometre driven.
- ``pulled_from_task``: urgent calls answered by a car on a Smart Spot task: ``calls``,
  ``share`` of urgent calls, ``mean_response_s`` of those and ``others_mean_response_s``.
- ``followups`` (tryghedsopfølgninger due within the run, so every one of them is closed):
  ``due``; ``in_person_before_due`` (``count``, ``share``: done in person by a passing car
  before the due date); ``by_phone``, ``not_reached``, ``cancelled``; ``door_attempts`` and
  ``attempts_per_success`` (knocks per follow-up done in person); ``fell_to_phone``
  (``count``, ``share``: phoned after the failed attempts or at the due date);
  ``in_person_outlying`` (done in person in rural places).

:func:`compare` adds, per policy and key, ``{"n", "mean", "ci": [low, high], "clipped"}``
(see :func:`interval` and :func:`bounds`), ``replications`` (runs per policy) and
``few_replications`` (any policy below :data:`MIN_REPLICATIONS`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import numpy as np
from scipy import stats

from smartspot.fulfilment import (
    Breakdown,
    Fulfilment,
    Target,
    VisitFact,
    calendar_weeks,
    fulfilment,
)
from smartspot.sim.district import District
from smartspot.sim.records import CallRecord, FollowUpRecord, RunRecords


def _describe(values: Sequence[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "mean": None, "median": None, "p90": None}
    array = np.asarray(values, dtype=np.float64)
    return {
        "n": len(values),
        "mean": float(array.mean()),
        "median": float(np.median(array)),
        "p90": float(np.percentile(array, 90)),
    }


def _responses(calls: Iterable[CallRecord]) -> list[float]:
    return [c.response_s for c in calls]


def run_fulfilment(
    records: RunRecords, district: District, targets: Sequence[Target]
) -> Fulfilment:
    """The run's fulfilment: its visits against ``targets`` over its weeks."""
    start = district.scenario.start
    weeks = calendar_weeks(start, start + timedelta(days=records.days))
    visits = [
        VisitFact(v.hotspot, start + timedelta(seconds=v.arrived_s), v.minutes)
        for v in records.visits
    ]
    min_minutes = district.scenario.policy.detection.min_stay_s / 60
    return fulfilment(targets, visits, weeks, min_minutes=min_minutes)


#: The per-kommune fulfilment figures (the district's carry every figure of a group).
BRIEF = ("hotspots", "share", "mean_ratio", "never_visited")


def _figures(breakdown: Breakdown, *, brief: bool = False) -> dict[str, Any]:
    def pick(document: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
        return {key: document[key] for key in keys}

    every = ("hotspots", "hotspot_weeks", "met", *BRIEF[1:], "hotspots_never_visited")
    figures = pick(breakdown.all.to_dict(), BRIEF if brief else every)
    for part in ("outlying", "town"):
        document = getattr(breakdown, part).to_dict()
        figures[part] = pick(document, ("hotspots", "share") if brief else every)
    return figures


def followup_figures(followups: Sequence[FollowUpRecord], days: float) -> dict[str, Any]:
    """The ``followups`` figures of a run (see the module docstring): over the follow-ups due
    within the run's ``days``, which have all been closed by then."""
    cohort = [f for f in followups if f.due_s <= days * 86400.0]
    n = len(cohort)
    in_person = [f for f in cohort if f.status == "done_in_person"]
    early = [f for f in cohort if f.in_person_before_due]
    phoned = [f for f in cohort if f.phoned]
    door = sum(f.door_attempts for f in cohort)
    return {
        "due": n,
        "in_person_before_due": {"count": len(early), "share": len(early) / n if n else 0.0},
        "by_phone": sum(f.status == "done_by_phone" for f in cohort),
        "not_reached": sum(f.status == "not_reached" for f in cohort),
        "cancelled": sum(f.status == "cancelled" for f in cohort),
        "door_attempts": door,
        "attempts_per_success": door / len(in_person) if in_person else None,
        "fell_to_phone": {"count": len(phoned), "share": len(phoned) / n if n else 0.0},
        "in_person_outlying": sum(f.rural for f in in_person),
    }


def summarise(
    records: RunRecords, district: District, *, targets: Sequence[Target] | None = None
) -> dict[str, Any]:
    """The key figures of one run (see the module docstring for the keys).

    ``targets`` are the hotspots fulfilment is measured against (default: the district's own;
    a run without Smart Spot is given the scenario's, :func:`smartspot.sim.runner.fulfilment_targets`).
    """
    urgent = [c for c in records.calls if c.urgent]
    other = [c for c in records.calls if not c.urgent]
    by_kommune: dict[str, list[float]] = defaultdict(list)
    for call in urgent:
        by_kommune[call.kommunekode].append(call.response_s)
    kommuner = {}
    for kode in district.kommuner:
        kommuner[kode] = {"name": district.kommune_name(kode), **_describe(by_kommune[kode])}
    targets = district.fulfilment_targets() if targets is None else targets
    result = run_fulfilment(records, district, targets)
    per_hotspot: dict[str, dict[str, Any]] = {}
    for target in targets:
        rows = [r for r in result.rows if r.hotspot == target.hotspot]
        per_hotspot[target.hotspot] = {
            "title": target.title,
            "outlying": target.outlying,
            "visits": 0,
            "minutes": 0.0,
            "desired": round(sum(r.desired for r in rows), 3),
            "weeks_met": sum(r.met for r in rows),
            "weeks": len(rows),
        }
    for visit in records.visits:
        entry = per_hotspot.setdefault(
            visit.hotspot,
            {"title": visit.hotspot, "outlying": visit.outlying, "visits": 0, "minutes": 0.0},
        )
        entry["visits"] += 1
        entry["minutes"] += visit.minutes
    pulled = [c for c in urgent if c.car_was_on_task]
    others = [c for c in urgent if not c.car_was_on_task]
    accepted = [p for p in records.plans if p.accepted]
    return {
        "scenario": records.scenario,
        "policy": records.policy,
        "seed": records.seed,
        "days": records.days,
        "calls": {
            "total": len(records.calls),
            "urgent": len(urgent),
            "non_urgent": len(other),
            "urgent_per_year": len(urgent) * 365.25 / records.days,
            "unanswered": len(records.unanswered),
        },
        "urgent_response_s": _describe(_responses(urgent)),
        "urgent_response_s_by_kommune": kommuner,
        "non_urgent_response_s": _describe(_responses(other)),
        "visits": {
            "total": len(records.visits),
            "completed": sum(not v.aborted for v in records.visits),
            "aborted": sum(v.aborted for v in records.visits),
            "outlying": sum(v.outlying for v in records.visits),
            "town": sum(not v.outlying for v in records.visits),
            "per_hotspot": per_hotspot,
        },
        "dosage_min": {
            "total": sum(v.minutes for v in records.visits),
            "outlying": sum(v.minutes for v in records.visits if v.outlying),
            "town": sum(v.minutes for v in records.visits if not v.outlying),
        },
        "fulfilment": _figures(result.district),
        "fulfilment_by_kommune": {
            kode: {
                "name": district.kommune_name(kode),
                **_figures(result.kommuner[kode], brief=True),
            }
            for kode in district.kommuner
            if kode in result.kommuner
        },
        "value": sum(v.value for v in records.visits),
        "proposals": {
            "made": len(records.plans),
            "accepted": len(accepted),
            "interrupted": sum(p.interrupted for p in accepted),
            "idle_accepted": sum(p.idle for p in accepted),
        },
        "extra_km": sum(p.extra_km for p in accepted),
        "fleet_km": sum(c.km for c in records.cars),
        "pulled_from_task": {
            "calls": len(pulled),
            "share": len(pulled) / len(urgent) if urgent else 0.0,
            "mean_response_s": _describe(_responses(pulled))["mean"],
            "others_mean_response_s": _describe(_responses(others))["mean"],
        },
        "followups": followup_figures(records.followups, records.days),
    }


def flatten(summary: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Every number in a summary under a dotted key, e.g. ``urgent_response_s.mean`` or
    ``urgent_response_s_by_kommune.0661.mean`` (per-hotspot entries are left out)."""
    flat: dict[str, float] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if key in ("per_hotspot", "seed", "days"):
            continue
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float):
            flat[name] = float(value)
    return flat


#: Below this many replications a report warns that its intervals say little.
MIN_REPLICATIONS = 5


def bounds(key: str, *, difference: bool = False) -> tuple[float | None, float | None]:
    """The values the quantity under ``key`` (a :func:`flatten` key) can take.

    Every figure of a run is a count, a time, a distance, minutes, a value or a share, so it is
    never negative, and a share is at most 1. A paired difference of two runs can have either
    sign; a difference of shares lies in [-1, 1].
    """
    share = key.endswith((".share", ".mean_ratio"))
    if difference:
        return (-1.0, 1.0) if share else (None, None)
    return (0.0, 1.0) if share else (0.0, None)


def interval(
    values: Sequence[float],
    level: float = 0.95,
    *,
    lower: float | None = None,
    upper: float | None = None,
) -> dict[str, Any]:
    """Mean and a Student-t confidence interval, kept inside what the quantity allows.

    The interval is ``mean ± t(level, n - 1) · s / √n`` (``scipy.stats.t``), then clipped to
    ``[lower, upper]``: the true mean of a quantity that cannot be negative is not negative, so
    cutting off impossible values leaves the interval's coverage as it was, and a planner never
    reads "582 [-211, 1,376]" for a response time. ``clipped`` says when a bound was cut.
    ``None`` bounds for fewer than two values.
    """
    array = np.asarray([v for v in values if v is not None and not math.isnan(v)])
    if len(array) == 0:
        return {"n": 0, "mean": None, "ci": [None, None], "clipped": False}
    mean = float(array.mean())
    if len(array) < 2:
        return {"n": 1, "mean": mean, "ci": [None, None], "clipped": False}
    half = float(
        stats.t.ppf(0.5 + level / 2, len(array) - 1) * array.std(ddof=1) / math.sqrt(len(array))
    )
    low, high = mean - half, mean + half
    clipped = False
    if lower is not None and low < lower:
        low, clipped = lower, True
    if upper is not None and high > upper:
        high, clipped = upper, True
    return {"n": len(array), "mean": mean, "ci": [low, high], "clipped": clipped}


def _call_responses(records: RunRecords) -> dict[str, float]:
    return {c.callout: c.response_s for c in records.calls if c.urgent}


def compare(
    runs: Mapping[str, Sequence[RunRecords]],
    summaries: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    baseline: str = "none",
) -> dict[str, Any]:
    """Paired comparison of policies: replication ``r`` of every policy used the same seed and
    therefore the same calls (common random numbers), so differences are taken per
    replication and their mean gets a 95 % t-interval (see :func:`interval`; figures of a
    run are kept inside :func:`bounds`). ``replications`` gives each policy's number of runs
    and ``few_replications`` is true when any has fewer than :data:`MIN_REPLICATIONS`.

    ``pulled_extra_s`` is, over the urgent calls that a policy answered with a car pulled off a
    Smart Spot task, the mean of (response under the policy − response of the same call under
    the baseline). Besides each policy against the baseline, ``optimiser-greedy`` is given
    when both ran.
    """
    policies = list(runs)
    flat = {p: [flatten(s) for s in summaries[p]] for p in policies}
    keys = sorted(set().union(*(f.keys() for fs in flat.values() for f in fs)))
    result: dict[str, Any] = {"policies": {}, "differences": {}}
    for p in policies:
        result["policies"][p] = {}
        for k in keys:
            low, high = bounds(k)
            values = [f.get(k, math.nan) for f in flat[p]]
            result["policies"][p][k] = interval(values, lower=low, upper=high)
    result["replications"] = {p: len(flat[p]) for p in policies}
    result["few_replications"] = any(n < MIN_REPLICATIONS for n in result["replications"].values())
    pairs_to_compare = [(p, baseline) for p in policies if p != baseline and baseline in runs]
    if "optimiser" in runs and "greedy" in runs:
        pairs_to_compare.append(("optimiser", "greedy"))
    for p, q in pairs_to_compare:
        diffs = {}
        for k in keys:
            pairs = [
                f.get(k, math.nan) - b.get(k, math.nan)
                for f, b in zip(flat[p], flat[q], strict=True)
            ]
            low, high = bounds(k, difference=True)
            diffs[k] = interval(pairs, lower=low, upper=high)
        extra: list[float] = []
        for run, base in zip(runs[p], runs[q], strict=True):
            base_times = _call_responses(base)
            extra.extend(
                c.response_s - base_times[c.callout]
                for c in run.calls
                if c.urgent and c.car_was_on_task and c.callout in base_times
            )
        diffs["pulled_extra_s"] = interval(extra)
        result["differences"][f"{p}-{q}"] = diffs
    return result
