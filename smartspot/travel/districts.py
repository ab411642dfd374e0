"""The travel model of each politikreds, built on first use and kept: the OSM road graph where
one is built, else the calibrated land-aware fallback with its bridges and ferries (see
:mod:`smartspot.travel.config`). The live engine plans each district on its own model, so a
joint re-plan never mixes two districts' cars in one model."""

from __future__ import annotations

import threading
from pathlib import Path

from smartspot.travel.port import TravelTimes


class DistrictTravelTimes:
    """``for_district(name)``: that politikreds' model (thread-safe, built once)."""

    model = "district"

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self._models: dict[str, TravelTimes] = {}
        self._lock = threading.Lock()

    def for_district(self, politikreds: str) -> TravelTimes:
        from smartspot.travel.config import district_config, travel_times

        with self._lock:
            if politikreds not in self._models:
                config = district_config(politikreds, cache_dir=self.cache_dir)
                self._models[politikreds] = travel_times(config)
            return self._models[politikreds]

    def warm(self, districts: list[str]) -> None:
        """Build the named districts' models now (a few seconds each, or read from the cache
        folder), so the first proposal after start-up does not wait for them."""
        for district in districts:
            self.for_district(district)
