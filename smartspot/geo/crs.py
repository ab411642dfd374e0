"""Coordinate reference systems.

Coordinates enter and leave Smart Spot as WGS84 longitude/latitude (EPSG:4326, GeoJSON order).
Inside, every geometry is in ETRS89 / UTM zone 32N (EPSG:25832), where units are metres, so
distances and areas are plain Euclidean arithmetic.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
METRIC = "EPSG:25832"

G = TypeVar("G", bound=BaseGeometry)


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def lonlat_to_metric(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Project arrays of longitudes and latitudes to an (n, 2) array of EPSG:25832 metres."""
    x, y = _transformer(WGS84, METRIC).transform(np.asarray(lon), np.asarray(lat))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]).astype(np.float64)


def metric_to_lonlat(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse of :func:`lonlat_to_metric`: an (n, 2) array of longitude, latitude."""
    lon, lat = _transformer(METRIC, WGS84).transform(np.asarray(x), np.asarray(y))
    return np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)]).astype(np.float64)


def _apply(geometry: G, source: str, target: str) -> G:
    transformer = _transformer(source, target)

    def project(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)  # type: ignore[no-any-return]


def to_metric(geometry: G) -> G:
    """A WGS84 geometry projected to EPSG:25832."""
    return _apply(geometry, WGS84, METRIC)


def to_wgs84(geometry: G) -> G:
    """An EPSG:25832 geometry projected back to WGS84 lon/lat."""
    return _apply(geometry, METRIC, WGS84)
