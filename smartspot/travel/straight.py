"""Straight-line travel times: crow-flies metres × circuity at one speed, never unreachable.

For contract tests and quick starts only (``SMARTSPOT_TRAVEL=straight``): it knows no water,
so it would propose an island hotspot without a link. Proposals in production use the
district models (:mod:`smartspot.travel.districts`).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from shapely.geometry import LineString

from smartspot.travel.port import Points, Seconds, TravelTimes, Trips, as_points, cut_at

CIRCUITY = 1.3
SPEED_KMH = 60.0


class StraightLineTravelTimes:
    """Seconds = straight-line metres × ``circuity`` / ``speed``; metres = the line × ``circuity``."""

    model = "straight-line"

    def __init__(self, *, circuity: float = CIRCUITY, speed_kmh: float = SPEED_KMH) -> None:
        self.circuity = circuity
        self.seconds_per_m = circuity / (speed_kmh / 3.6)

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        """Crow-flies seconds (``depart_at`` is accepted and ignored: no ferries here); ``NaN``
        beyond ``limit_s``."""
        a = as_points(origins, name="origins")
        b = as_points(destinations, name="destinations")
        dx = a[:, None, 0] - b[None, :, 0]
        dy = a[:, None, 1] - b[None, :, 1]
        return cut_at(np.hypot(dx, dy) * self.seconds_per_m, limit_s)

    def trips(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Trips:
        """Crow-flies seconds and metres (straight line × ``circuity``)."""
        seconds = cut_at(self.matrix(origins, destinations), limit_s)
        return Trips(seconds, seconds / self.seconds_per_m)

    def route(self, a: Points, b: Points) -> LineString | None:
        return LineString([tuple(np.asarray(a, dtype=float)), tuple(np.asarray(b, dtype=float))])

    def for_district(self, politikreds: str) -> TravelTimes:
        """The same model everywhere."""
        return self
