"""``smartspot where LON LAT``: which kommune, politikreds and nearest station."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from shapely.geometry import Point

from smartspot.cli.output import emit, help_text
from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import cached_regions
from smartspot.geo.stations import load_stations, nearest_station
from smartspot.geo.validate import check_lonlat
from smartspot.i18n import msg
from smartspot.resources import DATA_DIR


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "where", help=help_text("the kommune and politikreds of a WGS84 point")
    )
    parser.add_argument("lon", type=float, help=help_text("longitude (WGS84), e.g. 8.6246"))
    parser.add_argument("lat", type=float, help=help_text("latitude (WGS84), e.g. 56.3706"))
    parser.add_argument("--json", action="store_true", help=help_text("print JSON"))
    parser.set_defaults(func=run_where)


def run_where(args: argparse.Namespace) -> int:
    check_lonlat(args.lon, args.lat)
    regions = cached_regions(DATA_DIR)
    point = Point(lonlat_to_metric(np.array([args.lon]), np.array([args.lat]))[0])
    placement = regions.locate(point)
    station, distance_m = nearest_station(
        load_stations(DATA_DIR / "police_stations.csv", regions), point
    )
    result = {
        **placement.as_dict(),
        "snapped_m": round(placement.snapped_m, 1),
        "nearest_station": {
            "id": station.id,
            "name": station.name,
            "distance_m": round(distance_m),
        },
    }
    text = msg(
        "{kommune} kommune ({kode}), {politikreds}; nearest station: {station} ({km:.1f} km)",
        kommune=placement.kommune.navn,
        kode=placement.kommune.kode,
        politikreds=placement.kommune.politikreds,
        station=station.name,
        km=distance_m / 1000,
    )
    if placement.snapped_m > 0:
        text = msg(
            "{place} (the point lies {snapped:.0f} m off the coast)",
            place=text,
            snapped=placement.snapped_m,
        )
    emit(result, as_json=args.json, text=text)
    return 0
