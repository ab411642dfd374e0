"""The straight-line travel model at a rural 70 km/h, for simulation tests that need fast,
predictable times (the product's own adapter; the calibrated fallback is tested apart)."""

from __future__ import annotations

from smartspot.travel.straight import StraightLineTravelTimes


class StraightLine(StraightLineTravelTimes):
    def __init__(self) -> None:
        super().__init__(speed_kmh=70.0)
