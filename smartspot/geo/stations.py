"""Police stations and the nearest one to a place."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from smartspot.domain import Location, Station
from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import Regions
from smartspot.i18n import msg


def load_stations(path: Path, regions: Regions) -> list[Station]:
    """Stations from ``police_stations.csv``; rows without a coordinate are left out."""
    stations = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["lat"] or not row["lon"]:
                continue  # Aarhus Vest: no published coordinate (see data/README.md)
            xy = lonlat_to_metric(np.array([float(row["lon"])]), np.array([float(row["lat"])]))
            position = Point(xy[0])
            placement = regions.locate(position)
            stations.append(
                Station(
                    id=row["station_id"],
                    name=row["station_name"],
                    kind=row["station_type"],
                    position=position,
                    location=Location(**placement.as_dict()),
                )
            )
    return stations


def nearest_station(stations: Sequence[Station], geometry: BaseGeometry) -> tuple[Station, float]:
    """The station nearest to ``geometry`` (EPSG:25832) and its straight-line distance in m."""
    if not stations:
        raise InvalidInputError(msg("no stations to choose from"))
    distances = shapely.distance(np.array([s.position for s in stations]), geometry)
    best = int(np.argmin(distances))
    return stations[best], float(distances[best])
