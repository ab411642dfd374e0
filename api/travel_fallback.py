"""Interim straight-line travel times for the service, until the travel layer's district model
(``smartspot.travel.config.travel_times``) is on main; then ``api/deps.py`` should use that.

Kept apart on purpose: the crow-flies distance × a circuity factor at a rural driving speed. It
implements the TravelTimes port (never NaN: every Danish point is taken as reachable), so the
optimiser cannot tell the difference.
"""

from __future__ import annotations

import numpy as np
from shapely.geometry import LineString

from smartspot.travel.port import Points, Seconds, as_points

CIRCUITY = 1.3
SPEED_KMH = 60.0


class StraightLineTravelTimes:
    """Seconds = straight-line metres × ``circuity`` / ``speed``."""

    model = "straight-line"

    def __init__(self, *, circuity: float = CIRCUITY, speed_kmh: float = SPEED_KMH) -> None:
        self.seconds_per_m = circuity / (speed_kmh / 3.6)

    def matrix(self, origins: Points, destinations: Points) -> Seconds:
        a = as_points(origins, name="origins")
        b = as_points(destinations, name="destinations")
        dx = a[:, None, 0] - b[None, :, 0]
        dy = a[:, None, 1] - b[None, :, 1]
        return np.hypot(dx, dy) * self.seconds_per_m

    def route(self, a: Points, b: Points) -> LineString | None:
        return LineString([tuple(np.asarray(a, dtype=float)), tuple(np.asarray(b, dtype=float))])
