"""AVL positions at the edge of the engine: which fixes of a batch are believable.

A fix more than ``max_future_s`` ahead of the clock, or older than ``max_age_s``, is refused on
its own (with its index and why); the rest of the batch is stored. A fix dated a day ahead would
otherwise freeze the car on the map and in every proposal until that moment passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from shapely.geometry import Point

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.validate import check_lonlat
from smartspot.i18n import Message, msg
from smartspot.store.records import PositionFix


@dataclass(frozen=True, slots=True)
class Fix:
    """One AVL position as it arrives: WGS84."""

    call_sign: str
    lon: float
    lat: float
    at: datetime


@dataclass(frozen=True, slots=True)
class FixBounds:
    """How far a fix may lie from the clock."""

    max_future_s: float = 120.0
    max_age_s: float = 24 * 3600.0

    def __post_init__(self) -> None:
        if not (0 <= self.max_future_s <= 3600 and 60 <= self.max_age_s <= 30 * 86400):
            raise InvalidInputError(
                msg("fix bounds: max_future_s 0–3600 and max_age_s 60–2592000"), field="avl"
            )


@dataclass(frozen=True, slots=True)
class Refused:
    """A fix not stored: its index in the batch, and why (``unknown`` marks a car that is not
    registered, as against a fix that cannot be believed)."""

    index: int
    call_sign: str
    reason: Message
    unknown: bool = False


def out_of_bounds(at: datetime, now: datetime, bounds: FixBounds) -> Message | None:
    """Why a fix made ``at`` cannot be believed at ``now``, or None."""
    ahead = (at - now).total_seconds()
    if ahead > bounds.max_future_s:
        return msg(
            "at {at} lies {ahead:.0f} s in the future; at most {limit:.0f} s ahead of the "
            "clock is accepted",
            at=at.isoformat(),
            ahead=ahead,
            limit=bounds.max_future_s,
        )
    if -ahead > bounds.max_age_s:
        return msg(
            "at {at} is older than the {hours:g} h a fix is accepted for",
            at=at.isoformat(),
            hours=bounds.max_age_s / 3600,
        )
    return None


def screen(
    fixes: Sequence[Fix], now: datetime, bounds: FixBounds
) -> tuple[list[tuple[int, PositionFix]], list[Refused]]:
    """Split a batch into accepted fixes (EPSG:25832, with their index) and refused ones."""
    accepted: list[int] = []
    refused: list[Refused] = []
    for index, fix in enumerate(fixes):
        try:
            check_lonlat(fix.lon, fix.lat)
        except InvalidInputError as error:
            refused.append(Refused(index, fix.call_sign, error.message))
            continue
        late = out_of_bounds(fix.at, now, bounds)
        if late:
            refused.append(Refused(index, fix.call_sign, late))
            continue
        accepted.append(index)
    if not accepted:
        return [], refused
    xy = lonlat_to_metric(
        np.array([fixes[i].lon for i in accepted], dtype=np.float64),
        np.array([fixes[i].lat for i in accepted], dtype=np.float64),
    )
    return [
        (i, PositionFix(fixes[i].call_sign, fixes[i].at, Point(float(x), float(y))))
        for i, (x, y) in zip(accepted, xy.tolist(), strict=True)
    ], refused
