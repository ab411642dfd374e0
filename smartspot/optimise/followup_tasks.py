"""Follow-ups (tryghedsopfølgninger) as tasks of the optimiser's problem, beside hotspots.

A follow-up is a one-off visit at an address point: it enters the problem like a hotspot (a
node, a value, minutes on site, windows), priced by
:func:`~smartspot.optimise.value.followup_value_of`. Its windows are its preferred hours, so a
car never starts the visit outside them; a follow-up in the phone queue or closed is not a
patrol's task and stays out. The "why" line of a planned follow-up names its due date and how
far it lies off the car's way home (:func:`why`).

Only the task's place, times and priority enter the problem: never the citizen's name or phone
number (the problem file is stored with every proposal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from smartspot.followups import FollowUp, Queue
from smartspot.optimise.value import FollowUpSituation, Valuation, ValueSettings, followup_value_of
from smartspot.reasons import Reason
from smartspot.windows import open_intervals

__all__ = ["FollowUp", "PricedFollowUp", "off_route_km", "price_followups", "title", "why"]


@dataclass(frozen=True, slots=True)
class PricedFollowUp:
    """A follow-up with its value now and its windows in the optimiser's form."""

    id: str
    xy: tuple[float, float]
    service_s: int
    windows: tuple[tuple[int, int], ...]
    valuation: Valuation


def price_followups(
    followups: Sequence[FollowUp],
    now: datetime,
    horizon_s: int,
    settings: ValueSettings,
    rng: np.random.Generator | None,
    station_round_trip_s: NDArray[np.float64],
    last_failed: Mapping[str, datetime] | None = None,
) -> list[PricedFollowUp]:
    """Each follow-up's value at ``now`` and its preferred hours within ``horizon_s``.

    Parameters
    ----------
    followups
        Follow-ups of the district (those not open or in the phone queue get value 0).
    station_round_trip_s
        Per follow-up, the round trip from its nearest station (NaN: none reaches it).
    last_failed
        Follow-up id → the time of its latest failed attempt (no one home).
    """
    last_failed = last_failed or {}
    priced = []
    for f, round_trip in zip(followups, station_round_trip_s.tolist(), strict=True):
        opens = open_intervals(f.windows, now, horizon_s) if f.windows else []
        in_hours = not f.windows or bool(opens and opens[0][0] == 0)
        failed_at = last_failed.get(f.id)
        situation = FollowUpSituation(
            priority=f.priority,
            due_in_s=(f.due_at() - now).total_seconds(),
            in_hours_now=in_hours,
            since_failed_attempt_s=None
            if failed_at is None
            else max(0.0, (now - failed_at).total_seconds()),
            station_round_trip_s=float(round_trip),
        )
        label = ", ".join(w.label() for w in f.windows)
        valuation = followup_value_of(situation, settings, rng, hours_label=label)
        if not f.is_open or f.queue is not Queue.VISIT:
            valuation = Valuation(
                0.0, 0.0, 0.0, 0.0, 0.0, 1.0, (Reason("followup_not_for_patrols"),)
            )
        priced.append(
            PricedFollowUp(
                f.id,
                (float(f.position.x), float(f.position.y)),
                f.minutes_on_site * 60,
                tuple(opens) if f.windows else (),
                valuation,
            )
        )
    return priced


def off_route_km(
    point: tuple[float, float], start: tuple[float, float], home: tuple[float, float]
) -> float:
    """Straight-line kilometres from ``point`` to the line from the car's start to its home
    (EPSG:25832 metres in): how far the task lies off the car's way home."""
    p, a, b = (np.asarray(v, dtype=np.float64) for v in (point, start, home))
    ab = b - a
    length = float(ab @ ab)
    t = 0.0 if length == 0 else min(1.0, max(0.0, float((p - a) @ ab) / length))
    return float(np.hypot(*(p - (a + t * ab)))) / 1000.0


def why(
    followup: FollowUp,
    now: datetime,
    start: tuple[float, float],
    home: tuple[float, float],
) -> Reason:
    """The stop's "why now": due when, and how far off the car's way home, e.g. "opfølgning:
    frist om 2 dage; 2 km fra ruten"."""
    km = off_route_km((followup.position.x, followup.position.y), start, home)
    km = round(km, 1) if km < 10 else float(round(km))
    left = (followup.due_at() - now).total_seconds()
    if left >= 0:
        return Reason("followup", {"due_s": round(left), "km": km})
    return Reason("followup_late", {"over_s": round(-left), "km": km})


def title(followup: FollowUp) -> str:
    """The stop's title for the operator: the task, never the citizen (at most 200 characters,
    like a hotspot's title)."""
    text = " ".join(followup.task.split())
    return text if len(text) <= 200 else text[:199] + "…"
