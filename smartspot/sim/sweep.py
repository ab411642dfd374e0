"""The settings sweep: for each district and each point of a grid of Smart Spot settings,
fulfilment (the share of hotspots that got their desired weekly visits, all and outlying)
against what it costs in urgent response time, paired with ``none`` replication by replication
(common random numbers: replication *r* of every point answered exactly the calls of ``none``'s
replication *r*); the frontier of the points no other point beats on both; and the goal.

Pure arithmetic over the runs' summaries (the fulfilment figures are
:mod:`smartspot.fulfilment`'s, as ``summarise`` puts them in every run's summary).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.sim.summary import flatten, interval

#: The summary keys the sweep reads (see :mod:`smartspot.sim.summary`).
SHARE = "fulfilment.share"
OUTLYING_SHARE = "fulfilment.outlying.share"
MEAN = "urgent_response_s.mean"
P90 = "urgent_response_s.p90"


@dataclass(frozen=True, slots=True)
class Goal:
    """Issue 13's targets: at least ``share`` of all hotspots and of the outlying ones get
    their desired weekly visits, with the mean urgent response at most ``mean_pct`` and its
    p90 at most ``p90_pct`` per cent above ``none``."""

    share: float = 0.8
    outlying_share: float = 0.8
    mean_pct: float = 2.5
    p90_pct: float = 5.0


#: floating-point noise of a mean of shares, below any difference a planner could mean
_ROUNDING = 1e-9


@dataclass(frozen=True)
class SweepPoint:
    """One district at one grid point, over its paired replications.

    ``share``, ``outlying`` (fulfilment shares) and the paired changes against ``none`` —
    ``mean_pct``/``p90_pct`` in per cent of ``none``'s figure of the same replication,
    ``mean_s``/``p90_s`` in seconds — are each ``{"n", "mean", "ci", "clipped"}``
    (:func:`~smartspot.sim.summary.interval`).
    """

    scenario: str
    label: str
    settings: tuple[tuple[str, float | None], ...]
    share: Mapping[str, Any]
    outlying: Mapping[str, Any]
    mean_pct: Mapping[str, Any]
    p90_pct: Mapping[str, Any]
    mean_s: Mapping[str, Any]
    p90_s: Mapping[str, Any]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fulfilment(self) -> float:
        """The weaker of the two shares the goal names (all and outlying hotspots)."""
        return min(_mean(self.share), _mean(self.outlying))

    def meets(self, goal: Goal) -> bool:
        """The goal is met on the means of the replications (compared to 1e-9, so that 20
        of 25 hotspots averaged over replications, 0.7999999999999999, is the 80 % it is)."""
        return (
            _mean(self.share) >= goal.share - _ROUNDING
            and _mean(self.outlying) >= goal.outlying_share - _ROUNDING
            and _mean(self.mean_pct, math.inf) <= goal.mean_pct + _ROUNDING
            and _mean(self.p90_pct, math.inf) <= goal.p90_pct + _ROUNDING
        )

    def response_excess(self, goal: Goal) -> float:
        """How far the response costs lie beyond the goal's limits (0 inside them), in
        multiples of each limit."""
        return max(
            0.0,
            (_mean(self.mean_pct, math.inf) - goal.mean_pct) / goal.mean_pct,
            (_mean(self.p90_pct, math.inf) - goal.p90_pct) / goal.p90_pct,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "label": self.label,
            "settings": dict(self.settings),
            "share": dict(self.share),
            "outlying_share": dict(self.outlying),
            "urgent_mean_change_pct": dict(self.mean_pct),
            "urgent_p90_change_pct": dict(self.p90_pct),
            "urgent_mean_change_s": dict(self.mean_s),
            "urgent_p90_change_s": dict(self.p90_s),
            **dict(self.extra),
        }


def _mean(figure: Mapping[str, Any], missing: float = 0.0) -> float:
    value = figure.get("mean")
    return missing if value is None or math.isnan(value) else float(value)


@dataclass(frozen=True)
class Run:
    """What the sweep needs of one finished run (a :class:`~smartspot.sim.runner.JobResult`
    gives it): its scenario, policy label, overrides, seed and summary."""

    scenario: str
    label: str
    settings: tuple[tuple[str, float | None], ...]
    seed: int
    summary: Mapping[str, Any]


def points(runs: Sequence[Run], *, baseline: str = "none") -> list[SweepPoint]:
    """Every (district, grid point) of ``runs`` against the district's ``baseline`` runs of
    the same seeds, in the order the points first appear.

    Raises
    ------
    InvalidInputError
        When a point has a seed the baseline has not (the pairing would be broken).
    """
    base: dict[str, dict[int, dict[str, float]]] = defaultdict(dict)
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        if run.label == baseline:
            base[run.scenario][run.seed] = flatten(run.summary)
        else:
            groups.setdefault((run.scenario, run.label), []).append(run)
    found = []
    for (scenario, label), members in groups.items():
        members = sorted(members, key=lambda r: r.seed)
        missing = [r.seed for r in members if r.seed not in base[scenario]]
        if missing:
            raise InvalidInputError(
                msg(
                    "{scenario} {label}: no {baseline} run for seeds {seeds}",
                    scenario=scenario,
                    label=label,
                    baseline=baseline,
                    seeds=", ".join(map(str, missing)),
                ),
                field="seeds",
            )
        flats = [flatten(r.summary) for r in members]
        pairs = [base[scenario][r.seed] for r in members]
        found.append(
            SweepPoint(
                scenario=scenario,
                label=label,
                settings=members[0].settings,
                share=interval([f.get(SHARE, math.nan) for f in flats], lower=0.0, upper=1.0),
                outlying=interval(
                    [f.get(OUTLYING_SHARE, math.nan) for f in flats], lower=0.0, upper=1.0
                ),
                mean_pct=interval(_change_pct(flats, pairs, MEAN)),
                p90_pct=interval(_change_pct(flats, pairs, P90)),
                mean_s=interval([f[MEAN] - b[MEAN] for f, b in zip(flats, pairs, strict=True)]),
                p90_s=interval([f[P90] - b[P90] for f, b in zip(flats, pairs, strict=True)]),
                extra={
                    "visits": interval([f.get("visits.total", 0.0) for f in flats], lower=0.0),
                    "idle_accepted": interval(
                        [f.get("proposals.idle_accepted", 0.0) for f in flats], lower=0.0
                    ),
                    "extra_km": interval([f.get("extra_km", 0.0) for f in flats], lower=0.0),
                    "seeds": [r.seed for r in members],
                },
            )
        )
    return found


def _change_pct(
    flats: Sequence[Mapping[str, float]], pairs: Sequence[Mapping[str, float]], key: str
) -> list[float]:
    return [
        100.0 * (f[key] - b[key]) / b[key] if b.get(key) else math.nan
        for f, b in zip(flats, pairs, strict=True)
    ]


Setting = tuple[str, float | None]


def design(
    grid: Sequence[tuple[Setting, ...]],
    center: Sequence[Setting] = (),
    arms: Sequence[tuple[str, Sequence[float]]] = (),
) -> list[tuple[Setting, ...]]:
    """The points a sweep runs: the factorial ``grid``, then ``center`` and one-at-a-time arms
    around it (each arm's values with every other setting at the center's), without repeats.

    Every point names its settings in one order (the center's, then the grid's), so a grid
    point and the same point reached by an arm carry one label and are run once.

    Raises
    ------
    InvalidInputError
        When an arm varies a setting the center does not name.
    """
    keys = [k for k, _ in center]
    for point in grid:
        keys += [k for k, _ in point if k not in keys]
    order = {k: i for i, k in enumerate(keys)}

    def canonical(point: Sequence[Setting]) -> tuple[Setting, ...]:
        return tuple(sorted(point, key=lambda kv: order[kv[0]]))

    found = [canonical(p) for p in grid if p]
    if center:
        found.append(canonical(center))
    middle = dict(center)
    for key, values in arms:
        if key not in middle:
            raise InvalidInputError(
                msg("--arm {key}: the center (--center) must name {key} too", key=key),
                field="arm",
            )
        found += [canonical(tuple({**middle, key: v}.items())) for v in values]
    unique = list(dict.fromkeys(found))
    return unique or [()]


def frontier(found: Sequence[SweepPoint], cost: str = "mean_pct") -> list[SweepPoint]:
    """The points of one district that no other beats: none has at least their fulfilment at
    no more cost (``mean_pct`` or ``p90_pct``) and is better in one of the two; by cost."""

    def of(point: SweepPoint) -> tuple[float, float]:
        return point.fulfilment, _mean(getattr(point, cost), math.inf)

    best = []
    for point in found:
        share, spent = of(point)
        beaten = any(
            (s >= share and c <= spent) and (s > share or c < spent)
            for s, c in (of(other) for other in found if other is not point)
        )
        if not beaten:
            best.append(point)
    return sorted(best, key=lambda p: (of(p)[1], -of(p)[0], p.label))


@dataclass(frozen=True)
class Verdict:
    """For one district: the points that meet the goal, or the one that comes closest."""

    scenario: str
    reached: tuple[SweepPoint, ...]
    closest: SweepPoint | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "reached": [p.label for p in self.reached],
            "closest": None if self.closest is None else self.closest.label,
        }


def verdict(found: Sequence[SweepPoint], goal: Goal) -> Verdict:
    """The points of one district meeting ``goal`` (best fulfilment first), and the closest:
    the best of them, else the highest fulfilment among points within the response limits,
    else the point with the least response excess (ties: higher fulfilment)."""
    if not found:
        return Verdict("", (), None)
    scenario = found[0].scenario
    reached = sorted((p for p in found if p.meets(goal)), key=lambda p: (-p.fulfilment, p.label))
    if reached:
        return Verdict(scenario, tuple(reached), reached[0])
    within = [p for p in found if p.response_excess(goal) == 0.0]
    if within:
        closest = max(within, key=lambda p: (p.fulfilment, p.label))
    else:
        closest = min(found, key=lambda p: (p.response_excess(goal), -p.fulfilment, p.label))
    return Verdict(scenario, (), closest)


def by_scenario(found: Sequence[SweepPoint]) -> dict[str, list[SweepPoint]]:
    grouped: dict[str, list[SweepPoint]] = {}
    for point in found:
        grouped.setdefault(point.scenario, []).append(point)
    return grouped
