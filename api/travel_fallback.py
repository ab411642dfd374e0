"""Interim straight-line travel times for the service, until the travel layer's district model
(``smartspot.travel.config.travel_times``) is on main; then ``api/deps.py`` should use that.

Kept apart on purpose: the crow-flies distance × a circuity factor at a rural driving speed. It
implements the TravelTimes port (never NaN: every Danish point is taken as reachable), so the
optimiser cannot tell the difference.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

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


class DistrictTravelTimes:
    """The travel layer's model of the district the origins lie in (built on first use per
    district and kept), via ``smartspot.travel.config``. One problem is one district: the
    first origin decides."""

    model = "district"

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _model(self, origins: Points) -> Any:
        from smartspot.travel.config import district_config, travel_times

        config = district_config(
            None, np.asarray(origins, dtype=float)[0], cache_dir=self.cache_dir
        )
        with self._lock:
            if config.district not in self._models:
                self._models[config.district] = travel_times(config)
            return self._models[config.district]

    def matrix(self, origins: Points, destinations: Points) -> Seconds:
        result: Seconds = self._model(origins).matrix(origins, destinations)
        return result

    def route(self, a: Points, b: Points) -> LineString | None:
        found: LineString | None = self._model(np.atleast_2d(a)).route(a, b)
        return found
