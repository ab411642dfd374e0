"""Fulfilment: did every hotspot get the visits a week its handling instruction asks for?

The measure of Smart Spot (MISSION.md, "Every hotspot its visits"). One computation, driven by
the simulation's summary and report, the API's ``/reports/visits`` and the map:

* :func:`~smartspot.weeks.calendar_weeks` (the live service: Monday 00:00 to Monday 00:00,
  Copenhagen time) or :func:`~smartspot.weeks.rolling_weeks` (the simulation: seven-day blocks
  from the start of the run) cut a period into weeks (:mod:`smartspot.weeks`); a week cut
  short by the period's end is pro-rated.
* :func:`hotspot_weeks` gives one :class:`HotspotWeek` per hotspot and week: ``desired``
  (``visits_per_week`` × the share of the seven days in which the hotspot was valid that week),
  ``achieved`` (visits arriving in the week) and ``minutes`` on site; ``met`` is
  ``achieved ≥ desired``; ``ratio`` is ``achieved ÷ desired`` capped at 1; ``due`` is what was
  desired *so far* when ``now`` falls inside the week, and ``behind`` says that fewer visits were
  made than ``due`` rounded (half up) — the map marks those.
* :func:`breakdown` sums rows into :class:`Figures` for all hotspots and for the outlying and
  town ones apart; :func:`fulfilment` gives the district's and each kommune's breakdown.

Pure arithmetic: no clock, store or travel model. Whether a hotspot is outlying comes in with
its :class:`Target` (see :mod:`smartspot.outlying`, the one definition of "outlying").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.weeks import WEEK, Week, aware, calendar_weeks, elapsed_share, rolling_weeks, week_of

__all__ = [  # the weeks are smartspot.weeks'; named here too for the callers that count in them
    "Breakdown",
    "Figures",
    "Fulfilment",
    "HotspotWeek",
    "Target",
    "VisitFact",
    "Week",
    "breakdown",
    "calendar_weeks",
    "elapsed_share",
    "figures",
    "fulfilment",
    "hotspot_weeks",
    "rolling_weeks",
    "week_of",
]

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Target:
    """What one hotspot asks for, and where it lies.

    ``valid_from``/``valid_to`` (aware, ``valid_to`` exclusive; ``None`` = open-ended) bound
    the time in which visits are desired at all.
    """

    hotspot: str
    visits_per_week: float
    outlying: bool
    kommunekode: str = ""
    kommunenavn: str = ""
    title: str = ""
    valid_from: datetime | None = None
    valid_to: datetime | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.visits_per_week) and self.visits_per_week >= 0):
            raise InvalidInputError(
                msg(
                    "hotspot {hotspot}: visits per week is {value}; it must be ≥ 0",
                    hotspot=self.hotspot,
                    value=self.visits_per_week,
                ),
                field="visits_per_week",
            )
        for moment in (self.valid_from, self.valid_to):
            aware(moment, "valid_from")


@dataclass(frozen=True, slots=True)
class VisitFact:
    """A visit as fulfilment counts it: which hotspot, when the car arrived, minutes on site
    (``None`` when not known, e.g. a crew's report without a leaving time)."""

    hotspot: str
    arrived_at: datetime
    minutes: float | None = None


@dataclass(frozen=True, slots=True)
class HotspotWeek:
    """One hotspot in one week: desired against achieved visits and minutes on site."""

    hotspot: str
    week: str
    week_start: datetime
    kommunekode: str
    outlying: bool
    desired: float
    due: float
    achieved: int
    minutes: float

    @property
    def met(self) -> bool:
        """The week's desired visits were made."""
        return self.achieved >= self.desired - _EPS

    @property
    def ratio(self) -> float:
        """Achieved ÷ desired, capped at 1."""
        return min(1.0, self.achieved / self.desired) if self.desired > 0 else 1.0

    @property
    def missing(self) -> int:
        """Visits still to make for the week's desired number."""
        return max(0, math.ceil(self.desired - _EPS) - self.achieved)

    @property
    def behind(self) -> bool:
        """Fewer visits than were due so far (rounded half up): behind its desired visits."""
        return self.achieved < math.floor(self.due + 0.5)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hotspot": self.hotspot,
            "week": self.week,
            "desired": round(self.desired, 3),
            "due": round(self.due, 3),
            "achieved": self.achieved,
            "minutes": round(self.minutes, 1),
            "met": self.met,
            "behind": self.behind,
            "ratio": round(self.ratio, 4),
            "outlying": self.outlying,
        }


@dataclass(frozen=True, slots=True)
class Figures:
    """Fulfilment of a group of hotspots over the weeks of a period.

    ``share`` is the share of hotspot-weeks whose desired visits were made (over one week:
    the share of hotspots); ``mean_ratio`` the mean of achieved ÷ desired capped at 1;
    ``never_visited`` the hotspot-weeks without a single visit and ``hotspots_never_visited``
    the hotspots without a visit in the whole period. Shares are ``None`` for an empty group.
    """

    hotspots: int
    hotspot_weeks: int
    met: int
    share: float | None
    mean_ratio: float | None
    never_visited: int
    hotspots_never_visited: int
    desired: float
    achieved: int
    minutes: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "hotspots": self.hotspots,
            "hotspot_weeks": self.hotspot_weeks,
            "met": self.met,
            "share": self.share,
            "mean_ratio": self.mean_ratio,
            "never_visited": self.never_visited,
            "hotspots_never_visited": self.hotspots_never_visited,
            "desired": round(self.desired, 3),
            "achieved": self.achieved,
            "minutes": round(self.minutes, 1),
        }


@dataclass(frozen=True, slots=True)
class Breakdown:
    """All hotspots of a group, and its outlying and town hotspots apart."""

    all: Figures
    outlying: Figures
    town: Figures

    def to_dict(self) -> dict[str, Any]:
        return {
            "all": self.all.to_dict(),
            "outlying": self.outlying.to_dict(),
            "town": self.town.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """Per hotspot-week rows, the district's breakdown and each kommune's (by code)."""

    weeks: tuple[Week, ...]
    rows: tuple[HotspotWeek, ...]
    district: Breakdown
    kommuner: Mapping[str, Breakdown]
    targets: tuple[Target, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "weeks": [
                {"week": w.label, "start": w.start.isoformat(), "end": w.end.isoformat()}
                for w in self.weeks
            ],
            "district": self.district.to_dict(),
            "kommuner": {k: b.to_dict() for k, b in sorted(self.kommuner.items())},
            "hotspots": [r.to_dict() for r in self.rows],
        }


def _overlap(a0: datetime, a1: datetime, b0: datetime | None, b1: datetime | None) -> float:
    """Seconds of ``[a0, a1)`` inside ``[b0, b1)`` (absolute time, so DST weeks are exact)."""
    low = a0.timestamp() if b0 is None else max(a0.timestamp(), b0.timestamp())
    high = a1.timestamp() if b1 is None else min(a1.timestamp(), b1.timestamp())
    return max(0.0, high - low)


def hotspot_weeks(
    targets: Sequence[Target],
    visits: Iterable[VisitFact],
    weeks: Sequence[Week],
    *,
    now: datetime | None = None,
    min_minutes: float = 0.0,
) -> tuple[HotspotWeek, ...]:
    """One row per hotspot and week in which it desired visits (ordered by week, then target).

    Parameters
    ----------
    targets
        The hotspots and what they ask for.
    visits
        Visits; those of other hotspots or outside every week are ignored, and so is a visit
        with known minutes below ``min_minutes`` (a drive-through, not a stay).
    weeks
        The weeks to count in (from :func:`calendar_weeks` or :func:`rolling_weeks`).
    now
        For ``due``: a week still running has had only part of its time; ``None`` counts
        every week as over.
    """
    aware(now, "now")
    known = {t.hotspot for t in targets}
    counts: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0])
    for visit in visits:
        if visit.hotspot not in known:
            continue
        if visit.minutes is not None and visit.minutes < min_minutes:
            continue
        for index, week in enumerate(weeks):
            if week.start <= visit.arrived_at < week.end:
                entry = counts[(visit.hotspot, index)]
                entry[0] += 1
                entry[1] += visit.minutes or 0.0
                break
    seconds = WEEK.total_seconds()
    rows = []
    for index, week in enumerate(weeks):
        elapsed_end = week.end if now is None else max(week.start, min(week.end, now))
        for target in targets:
            # a DST week is an hour longer or shorter than seven days: never more than one week
            share = min(
                1.0, _overlap(week.start, week.end, target.valid_from, target.valid_to) / seconds
            )
            desired = target.visits_per_week * share
            if desired <= _EPS:
                continue
            so_far = _overlap(week.start, elapsed_end, target.valid_from, target.valid_to)
            done, minutes = counts.get((target.hotspot, index), (0, 0.0))
            rows.append(
                HotspotWeek(
                    hotspot=target.hotspot,
                    week=week.label,
                    week_start=week.start,
                    kommunekode=target.kommunekode,
                    outlying=target.outlying,
                    desired=desired,
                    due=min(desired, target.visits_per_week * so_far / seconds),
                    achieved=int(done),
                    minutes=float(minutes),
                )
            )
    return tuple(rows)


def figures(rows: Sequence[HotspotWeek]) -> Figures:
    """Sum hotspot-week rows into :class:`Figures`."""
    hotspots: dict[str, int] = defaultdict(int)
    for row in rows:
        hotspots[row.hotspot] += row.achieved
    met = sum(r.met for r in rows)
    return Figures(
        hotspots=len(hotspots),
        hotspot_weeks=len(rows),
        met=met,
        share=met / len(rows) if rows else None,
        mean_ratio=sum(r.ratio for r in rows) / len(rows) if rows else None,
        never_visited=sum(r.achieved == 0 for r in rows),
        hotspots_never_visited=sum(n == 0 for n in hotspots.values()),
        desired=sum(r.desired for r in rows),
        achieved=sum(r.achieved for r in rows),
        minutes=sum(r.minutes for r in rows),
    )


def breakdown(rows: Sequence[HotspotWeek]) -> Breakdown:
    """:class:`Figures` for all rows, the outlying ones and the town ones."""
    return Breakdown(
        all=figures(rows),
        outlying=figures([r for r in rows if r.outlying]),
        town=figures([r for r in rows if not r.outlying]),
    )


def fulfilment(
    targets: Sequence[Target],
    visits: Iterable[VisitFact],
    weeks: Sequence[Week],
    *,
    now: datetime | None = None,
    min_minutes: float = 0.0,
) -> Fulfilment:
    """Rows (see :func:`hotspot_weeks`), the district's :class:`Breakdown` and one per kommune."""
    rows = hotspot_weeks(targets, visits, weeks, now=now, min_minutes=min_minutes)
    per_kommune: dict[str, list[HotspotWeek]] = defaultdict(list)
    for row in rows:
        per_kommune[row.kommunekode].append(row)
    return Fulfilment(
        weeks=tuple(weeks),
        rows=rows,
        district=breakdown(rows),
        kommuner={k: breakdown(v) for k, v in per_kommune.items()},
        targets=tuple(targets),
    )
