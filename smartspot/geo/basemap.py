"""The map's offline base layer: roads from the shipped OpenStreetMap extracts and town names
from GeoNames, as GeoJSON the map draws without any tile server.

Roads come in three levels of detail, one per band of zoom a dispatcher uses, each simplified
in EPSG:25832 to what that zoom can show (a Leaflet zoom *z* shows about 156 km / 2^z per 256
pixels at the equator, ~0.6 of it in Denmark):

============  ==========  =================================================  ============
level         zoom        road classes                                       simplified
============  ==========  =================================================  ============
``overview``  up to 10    main roads (motorway … tertiary), car ferries      40 m
``area``      11 – 13     + local roads (unclassified, residential)          6 m
``street``    14 and up   + service roads, tracks, paths, footways, steps    1 m
============  ==========  =================================================  ============

Building every level from the four extracts (Samsø, Anholt, Tunø, Aarhus C: 2,500 ways) takes
about two seconds; the web layer builds them once and keeps them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
from shapely.geometry import LineString, mapping

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric, to_wgs84
from smartspot.i18n import msg

#: OSM ``highway`` value → the class the map styles
ROAD_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        ("motorway", "trunk", "primary", "secondary", "tertiary"),
        "major",
    ),
    **dict.fromkeys(
        ("motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"),
        "major",
    ),
    **dict.fromkeys(("unclassified", "residential", "living_street", "road"), "minor"),
    **dict.fromkeys(("service", "track"), "service"),
    **dict.fromkeys(("footway", "cycleway", "path", "pedestrian", "steps", "bridleway"), "path"),
}
COORD_DECIMALS = 5  # about 1 m: all a screen shows
#: GeoNames' English exonyms → the Danish names a Danish map shows
DANISH_NAMES = {"Copenhagen": "København", "Århus": "Aarhus"}


@dataclass(frozen=True, slots=True)
class Level:
    """One level of detail: the zooms it serves, the road classes it draws, how much it
    simplifies."""

    name: str
    min_zoom: int
    max_zoom: int
    classes: frozenset[str]
    tolerance_m: float


LEVELS = (
    Level("overview", 0, 10, frozenset({"major", "ferry"}), 40.0),
    Level("area", 11, 13, frozenset({"major", "ferry", "minor"}), 6.0),
    Level("street", 14, 22, frozenset({"major", "ferry", "minor", "service", "path"}), 1.0),
)


def level_named(name: str) -> Level:
    """The level called ``name``.

    Raises
    ------
    InvalidInputError
        For an unknown name (the message lists the known ones).
    """
    for level in LEVELS:
        if level.name == name:
            return level
    known = ", ".join(level.name for level in LEVELS)
    raise InvalidInputError(
        msg("no base-map level {name!r}; there are {known}", name=name, known=known), field="level"
    )


@dataclass(frozen=True, slots=True)
class Road:
    """One drawable OSM way, in EPSG:25832."""

    osm_id: int
    kind: str
    highway: str
    name: str
    ref: str
    line: LineString


def _road_class(tags: Any) -> tuple[str, str] | None:
    if tags.get("route") == "ferry":
        if tags.get("motor_vehicle") == "no" or tags.get("motorcar") == "no":
            return None
        return "ferry", "ferry"
    highway = tags.get("highway")
    if highway is None or highway not in ROAD_CLASSES or tags.get("area") == "yes":
        return None
    return ROAD_CLASSES[highway], highway


def read_roads(paths: Iterable[Path]) -> list[Road]:
    """Every drawable way (roads, paths and car ferries) of the OSM extracts at ``paths``.

    Raises
    ------
    InvalidInputError
        When a file cannot be read as OSM data.
    """
    roads: list[Road] = []
    for path in paths:
        try:
            source = osmium.FileProcessor(str(path)).with_locations()
            for obj in source:
                if not isinstance(obj, osmium.osm.Way):
                    continue
                found = _road_class(obj.tags)
                if found is None:
                    continue
                lonlat = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if len(lonlat) < 2:
                    continue
                coords = np.asarray(lonlat, dtype=np.float64)
                xy = lonlat_to_metric(coords[:, 0], coords[:, 1])
                roads.append(
                    Road(
                        osm_id=obj.id,
                        kind=found[0],
                        highway=found[1],
                        name=obj.tags.get("name") or "",
                        ref=obj.tags.get("ref") or "",
                        line=LineString(xy),
                    )
                )
        except RuntimeError as error:  # osmium's error for a file it cannot read
            raise InvalidInputError(
                msg("cannot read OSM data from {path}: {error}", path=path, error=str(error))
            ) from None
    return roads


def road_layer(roads: Sequence[Road], level: Level) -> dict[str, Any]:
    """The roads of one level as an RFC 7946 FeatureCollection (WGS84, ~1 m precision), with
    ``kind`` (major, minor, service, path, ferry), ``highway``, ``name`` and ``ref``."""
    chosen = [road for road in roads if road.kind in level.classes]
    lines = shapely.simplify([r.line for r in chosen], level.tolerance_m, preserve_topology=False)
    features = []
    for road, line in zip(chosen, lines, strict=True):
        if line.is_empty or line.length < level.tolerance_m:
            continue
        lonlat = shapely.transform(to_wgs84(line), lambda c: np.round(c, COORD_DECIMALS))
        properties = {"kind": road.kind, "highway": road.highway}
        if road.name:
            properties["name"] = road.name
        if road.ref:
            properties["ref"] = road.ref
        features.append(
            {
                "type": "Feature",
                "id": f"w{road.osm_id}",
                "geometry": mapping(lonlat),
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def town_layer(places_csv: Path, *, min_population: int = 0) -> dict[str, Any]:
    """GeoNames towns as an RFC 7946 FeatureCollection of points with ``name`` (Danish) and
    ``population``, largest first (so a map that labels the first it meets labels the big
    towns)."""
    with places_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    towns = sorted(
        (row for row in rows if int(row["population"]) >= min_population),
        key=lambda row: -int(row["population"]),
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"geonames:{row['geonameid']}",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(row["longitude"]), float(row["latitude"])],
                },
                "properties": {
                    "name": DANISH_NAMES.get(row["name"], row["name"]),
                    "population": int(row["population"]),
                    "kommunenavn": row["kommunenavn"],
                },
            }
            for row in towns
        ],
    }
