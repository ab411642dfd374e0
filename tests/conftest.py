"""Shared fixtures: the real Danish regions, loaded once per test session."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import Regions, cached_regions
from smartspot.resources import DATA_DIR

HOLSTEBRO_STATION = (8.624585, 56.370607)
SAMSOE_TRANEBJERG = (10.59723, 55.8326)
AARHUS_STATION = (10.210838, 56.152924)
NORTH_SEA = (7.95, 56.3)


@pytest.fixture(scope="session")
def regions() -> Regions:
    return cached_regions(DATA_DIR)


def metric_point(lon: float, lat: float) -> Point:
    return Point(lonlat_to_metric(np.array([lon]), np.array([lat]))[0])
