"""Who may get a proposal, and which hotspots may be in it.

Each rule returns a :class:`~smartspot.reasons.Reason` (for the operator and the audit log) or
``None``:

* no proposal while an urgent call waits unassigned in the car's politikreds;
* each hotspot to at most one car (the solver guarantees it), and none to a hotspot another car
  is working;
* a coverage guard: no proposal that leaves a kommune without another available car within a
  configurable number of minutes (off in the demo, on in simulation comparisons);
* nothing for a car whose shift ends within its budget;
* hotspots the car cannot reach are left out (NaN travel time; see ``build``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Point

from smartspot.domain import Callout
from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.reasons import Reason
from smartspot.windows import LOCAL_TZ


@dataclass(frozen=True)
class CoverageGuard:
    """Kommune reference points (EPSG:25832) and the minutes within which a car must stay."""

    minutes: float
    names: tuple[str, ...]
    points: NDArray[np.float64]  # (k, 2)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.minutes) and self.minutes > 0):
            raise InvalidInputError(msg("coverage minutes must be more than 0"), field="coverage")
        if np.asarray(self.points).shape != (len(self.names), 2):
            raise InvalidInputError(msg("one (x, y) point per kommune name"), field="coverage")


def urgent_waiting(
    callouts: Iterable[Callout], politikreds_of: Callable[[Point], str]
) -> frozenset[str]:
    """The politikredse where an urgent call waits without a car."""
    return frozenset(
        politikreds_of(c.position)
        for c in callouts
        if c.urgent and c.patrol is None and c.cleared_at is None
    )


def urgent_rule(politikreds: str, waiting: frozenset[str]) -> Reason | None:
    return Reason("urgent_queue", {"politikreds": politikreds}) if politikreds in waiting else None


def shift_rule(
    shift_ends_at: datetime | None, free_at: datetime, direct_s: float, budget_s: int
) -> Reason | None:
    """A car whose shift ends before it could use its whole budget gets nothing."""
    if shift_ends_at is None:
        return None
    if (shift_ends_at - free_at).total_seconds() < direct_s + budget_s:
        return Reason("shift_ends", {"end": f"{shift_ends_at.astimezone(LOCAL_TZ):%H:%M}"})
    return None


def claimed_rule(hotspot_id: str, claimed: frozenset[str]) -> Reason | None:
    """A hotspot another car holds (a pending or accepted stop, or a stay in progress)."""
    return Reason("claimed") if hotspot_id in claimed else None


def coverage_rule(
    guard: CoverageGuard,
    to_kommuner_s: NDArray[np.float64],
    proposed: Sequence[bool],
) -> list[Reason | None]:
    """For each car (rows of ``to_kommuner_s``, seconds to each kommune point, NaN where
    unreachable): a reason when it is the only available car within the guard's minutes of
    some kommune. Cars with ``proposed`` False are other available cars that stay put."""
    limit = guard.minutes * 60
    covers = np.nan_to_num(to_kommuner_s, nan=math.inf) <= limit  # cars × kommuner
    count = covers.sum(axis=0)
    reasons: list[Reason | None] = []
    for k, is_proposed in enumerate(proposed):
        sole = np.flatnonzero(covers[k] & (count == 1)) if is_proposed else np.empty(0, int)
        reasons.append(
            Reason("coverage", {"kommune": guard.names[int(sole[0])], "minutes": guard.minutes})
            if len(sole)
            else None
        )
    return reasons
