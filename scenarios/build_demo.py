"""Build the demo districts' hotspots and stations from readable tables.

Run from the repository root::

    .venv/bin/python scenarios/build_demo.py

For each district folder in ``DISTRICTS`` it reads ``demo_hotspots.toml`` (one ``[[hotspot]]``
table per hotspot, written by hand from the places the source documents name), turns each into
an RFC 7946 GeoJSON feature in the "Hotspot GeoJSON properties" contract, checks it with the
same geo and domain code the product uses (it refuses to write anything if a single hotspot
lands outside its intended kommune or breaks a rule), and writes ``hotspots.geojson``. It also
writes ``stations.csv``: the district's rows of ``data/police_stations.csv`` that have a
coordinate.

A hotspot's place is given in one of these forms (lon/lat are WGS84):

- ``point = [lon, lat]``
- ``town = "Kibæk"`` with optional ``offset_m = [east, north]``: a GeoNames town point from
  ``data/dk_places_geonames.csv`` (looked up by name within the hotspot's kommune), moved by the
  offset to a plausible street, school or square;
- either of the above plus ``radius_m = [rx, ry]``: a small octagon around that point;
- ``polygon = [[lon, lat], ...]``: an explicit ring (closed or not; oriented CCW on output).
"""

from __future__ import annotations

import csv
import json
import math
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from smartspot.domain import Category, HandlingInstruction, Source
from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric, to_metric
from smartspot.geo.regions import Regions, cached_regions
from smartspot.geo.validate import check_hotspot_geometry
from smartspot.i18n import msg
from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.windows import ActiveWindow

#: folder → (politikreds name, source_ref prefix)
DISTRICTS = {
    "midt_vestjylland": ("Midt- og Vestjyllands Politi", "DEMO-MV"),
    "oestjylland": ("Østjyllands Politi", "DEMO-OJ"),
}
VALID_FROM = "2026-01-01"
#: A vertex may lie this far outside DAGI's generalised coastline (harbours, beaches).
COAST_TOLERANCE_M = 300.0
EARTH_M_PER_DEG = 111_320.0
ATTRIBUTION = (
    "Invented demo data (not real police cases). Positions partly derived from GeoNames "
    "(www.geonames.org), CC BY 4.0; kommune check against DAGI 1:500.000 (Geodatastyrelsen, 2014)."
)


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    kommunekode: str
    lon: float
    lat: float
    geonameid: str


def load_towns(path: Path = DATA_DIR / "dk_places_geonames.csv") -> list[Town]:
    """The GeoNames towns (≥ 500 inhabitants) bundled in ``data/``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Town(
                name=row["name"],
                kommunekode=row["kommunekode"],
                lon=float(row["longitude"]),
                lat=float(row["latitude"]),
                geonameid=row["geonameid"],
            )
            for row in csv.DictReader(handle)
        ]


def find_town(towns: Sequence[Town], name: str, kommunekode: str) -> Town:
    found = [t for t in towns if t.name == name and t.kommunekode == kommunekode]
    if len(found) != 1:
        raise InvalidInputError(
            msg(
                "GeoNames town {name!r} in kommune {kommunekode}: {n_found} matches, need 1",
                name=name,
                kommunekode=kommunekode,
                n_found=len(found),
            ),
            field="town",
        )
    return found[0]


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """Move a WGS84 point by metres (a local flat approximation, fine over a few km)."""
    dlat = north_m / EARTH_M_PER_DEG
    dlon = east_m / (EARTH_M_PER_DEG * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def octagon(lon: float, lat: float, rx_m: float, ry_m: float) -> Polygon:
    """A small octagon of half-widths ``rx_m`` × ``ry_m`` around a point, counter-clockwise."""
    ring = [
        offset(lon, lat, rx_m * math.cos(a), ry_m * math.sin(a))
        for a in (2 * math.pi * k / 8 + math.pi / 8 for k in range(8))
    ]
    return Polygon(ring)


def rounded(geometry: BaseGeometry) -> BaseGeometry:
    """Coordinates to 6 decimals (about 0.1 m), like the data in ``data/``."""
    if isinstance(geometry, Point):
        return Point(round(geometry.x, 6), round(geometry.y, 6))
    assert isinstance(geometry, Polygon)
    ring = [(round(x, 6), round(y, 6)) for x, y in geometry.exterior.coords]
    return orient(Polygon(ring), sign=1.0)


def build_geometry(spec: Mapping[str, Any], towns: Sequence[Town]) -> BaseGeometry:
    """The WGS84 geometry a table row describes (see the module docstring)."""
    if "polygon" in spec:
        return rounded(Polygon([tuple(p) for p in spec["polygon"]]))
    if "town" in spec:
        town = find_town(towns, spec["town"], spec["kommune"])
        east, north = spec.get("offset_m", (0.0, 0.0))
        lon, lat = offset(town.lon, town.lat, east, north)
    elif "point" in spec:
        lon, lat = spec["point"]
    else:
        raise InvalidInputError(
            msg("{key}: give point, town or polygon", key=spec["key"]), field="geometry"
        )
    if "radius_m" in spec:
        rx, ry = spec["radius_m"]
        return rounded(octagon(lon, lat, rx, ry))
    return rounded(Point(lon, lat))


def feature(spec: Mapping[str, Any], towns: Sequence[Town], prefix: str) -> dict[str, Any]:
    """One table row as a GeoJSON feature in the hotspot properties contract."""
    key = f"{prefix}-{int(spec['key']):03d}"
    props: dict[str, Any] = {
        "id": key,
        "title": spec["title"],
        "category": Category(spec["category"]).value,
        "description": " ".join(spec["description"].split()),
        "instruction": " ".join(spec["instruction"].split()),
        "steps": list(spec["steps"]),
        "minutes_on_site": int(spec.get("minutes", 15)),
        "priority": int(spec["priority"]),
        "windows": list(spec.get("windows", [])),
        "valid_from": VALID_FROM,
        "valid_to": spec.get("valid_to"),
        "visits_per_week": spec["visits_per_week"],
        "source": Source(spec["source"]).value,
        "source_ref": f"{key} · {spec['ref']}",
        "demo": True,
    }
    geometry = build_geometry(spec, towns)
    return {"type": "Feature", "id": key, "geometry": mapping(geometry), "properties": props}


def check_feature(
    item: Mapping[str, Any], kommune: str, politikreds: str, regions: Regions
) -> float:
    """Refuse a feature that breaks a domain rule or leaves its kommune; return the largest
    distance (m) of a vertex outside the generalised coastline."""
    props = item["properties"]
    wgs84 = shape(item["geometry"])
    metric = check_hotspot_geometry(wgs84)
    HandlingInstruction(props["instruction"], tuple(props["steps"]), props["minutes_on_site"])
    for text in props["windows"]:
        ActiveWindow.parse(text)
    if not 1 <= props["priority"] <= 5 or not 1 <= props["visits_per_week"] <= 7:
        raise InvalidInputError(msg("{id}: priority 1–5, visits 1–7 per week", id=props["id"]))
    placement = regions.locate(metric)
    if placement.kommune.kode != kommune or placement.kommune.politikreds != politikreds:
        raise InvalidInputError(
            msg(
                "{id} ({title}) lands in {navn} ({kode}), not {kommune}",
                id=props["id"],
                title=props["title"],
                navn=placement.kommune.navn,
                kode=placement.kommune.kode,
                kommune=kommune,
            )
        )
    worst = 0.0
    coords = np.asarray(metric.exterior.coords if isinstance(metric, Polygon) else metric.coords)
    for x, y in coords:
        vertex = regions.locate(Point(x, y))
        if vertex.kommune.kode != kommune or vertex.snapped_m > COAST_TOLERANCE_M:
            raise InvalidInputError(
                msg(
                    "{id}: vertex ({x:.0f}, {y:.0f}) lies in {navn} {snapped_m:.0f} m off the coast",
                    id=props["id"],
                    x=x,
                    y=y,
                    navn=vertex.kommune.navn,
                    snapped_m=vertex.snapped_m,
                )
            )
        worst = max(worst, vertex.snapped_m)
    return worst


def district_stations(politikreds: str) -> tuple[list[str], list[dict[str, str]]]:
    """The district's rows of ``police_stations.csv`` that carry a coordinate."""
    with (DATA_DIR / "police_stations.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader if r["politikreds_navn"] == politikreds and r["lat"] and r["lon"]]
        return list(reader.fieldnames or []), rows


def collection_text(politikreds: str, features: Sequence[Mapping[str, Any]]) -> str:
    """A FeatureCollection with one feature per line: valid JSON, and diffs show which hotspot
    changed."""
    head = {
        "type": "FeatureCollection",
        "name": f"Smart Spot demo hotspots, {politikreds}",
        "demo": True,
        "attribution": ATTRIBUTION,
    }
    lines = [json.dumps(item, ensure_ascii=False) for item in features]
    return (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "features": [\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )


def build(folder: str, *, write: bool = True) -> list[dict[str, Any]]:
    """Build (and by default write) one district's hotspots and stations."""
    politikreds, prefix = DISTRICTS[folder]
    regions = cached_regions(DATA_DIR)
    towns = load_towns()
    with (SCENARIOS_DIR / folder / "demo_hotspots.toml").open("rb") as handle:
        table = tomllib.load(handle)["hotspot"]
    features = [feature(spec, towns, prefix) for spec in table]
    station_cols, station_rows = district_stations(politikreds)
    station_xy = lonlat_to_metric(
        np.array([float(r["lon"]) for r in station_rows]),
        np.array([float(r["lat"]) for r in station_rows]),
    )
    for spec, item in zip(table, features, strict=True):
        snapped = check_feature(item, spec["kommune"], politikreds, regions)
        centre = to_metric(shape(item["geometry"])).centroid
        km = float(np.min(np.hypot(station_xy[:, 0] - centre.x, station_xy[:, 1] - centre.y)))
        print(
            f"{item['id']}  {spec['kommune']}  {km / 1000:5.1f} km from a station"
            f"{f'  (coast {snapped:.0f} m)' if snapped else ''}  {item['properties']['title']}"
        )
    if write:
        out = SCENARIOS_DIR / folder / "hotspots.geojson"
        out.write_text(collection_text(politikreds, features), "utf-8")
        with (SCENARIOS_DIR / folder / "stations.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=station_cols, lineterminator="\n")
            writer.writeheader()
            writer.writerows(station_rows)
    return features


def main(argv: Sequence[str]) -> int:
    folders = list(argv) or list(DISTRICTS)
    for folder in folders:
        features = build(folder)
        print(f"{folder}: {len(features)} hotspots written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
