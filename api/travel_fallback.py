"""The travel times the service plans proposals with (``SMARTSPOT_TRAVEL``).

``district`` (the default) is the travel layer's model of each politikreds: the OSM road graph
where one is built, else the calibrated land-aware fallback with its bridges and ferries — so a
hotspot across water without a link is never proposed. ``straight`` (crow flies × 1.3 at a
rural speed, never unreachable) starts instantly; the API's contract tests use it to stay fast,
and one test runs proposals on the district model.
"""

from __future__ import annotations

import threading
from datetime import datetime
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

    def matrix(
        self, origins: Points, destinations: Points, *, depart_at: datetime | None = None
    ) -> Seconds:
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
        from smartspot.travel.config import district_config

        config = district_config(
            None, np.asarray(origins, dtype=float)[0], cache_dir=self.cache_dir
        )
        return self._built(config)

    def _built(self, config: Any) -> Any:
        from smartspot.travel.config import travel_times

        with self._lock:
            if config.district not in self._models:
                self._models[config.district] = travel_times(config)
            return self._models[config.district]

    def warm(self, districts: list[str]) -> None:
        """Build the named districts' models now (a few seconds each, or read from the cache
        folder), so the first proposal after start-up does not wait for them."""
        from smartspot.travel.config import district_config

        for district in districts:
            self._built(district_config(district, cache_dir=self.cache_dir))

    def matrix(
        self, origins: Points, destinations: Points, *, depart_at: datetime | None = None
    ) -> Seconds:
        result: Seconds = self._model(origins).matrix(origins, destinations, depart_at=depart_at)
        return result

    def route(self, a: Points, b: Points) -> LineString | None:
        found: LineString | None = self._model(np.atleast_2d(a)).route(a, b)
        return found
