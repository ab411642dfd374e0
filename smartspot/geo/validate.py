"""Checks that a geometry is one Smart Spot can hold: valid, in Denmark, not absurdly large.

All checks take WGS84 geometries (what users send) and raise :class:`InvalidInputError` with a
message that says what was wrong and what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric, to_metric
from smartspot.i18n import N_, Message, msg

#: GEOS's reasons for an invalid polygon, in words; each is followed by where it happens.
_INVALID_REASONS = {
    "Self-intersection": N_("the polygon's edges cross each other"),
    "Ring Self-intersection": N_("the polygon's outline touches itself"),
    "Too few points in geometry component": N_("the polygon has too few corners"),
    "Hole lies outside shell": N_("a hole of the polygon lies outside it"),
    "Nested holes": N_("the polygon has holes inside holes"),
    "Interior is disconnected": N_("the polygon falls apart into pieces"),
    "Nested shells": N_("the polygon has an outline inside its outline"),
    "Duplicate Rings": N_("the polygon has the same ring twice"),
    "Ring is not closed": N_("the polygon's outline is not closed"),
    "Invalid Coordinate": N_("the polygon has a corner that is not a number"),
}
_WHERE = re.compile(r"^(?P<reason>[^\[]+)\[(?P<x>[-+0-9.eE]+) (?P<y>[-+0-9.eE]+)")

# Denmark's extent, with a small margin for the generalised coastline (Skagen to Gedser,
# Blåvandshuk to Christiansø).
DENMARK_LON = (7.9, 15.3)
DENMARK_LAT = (54.45, 57.85)
DEFAULT_MAX_AREA_KM2 = 25.0


@dataclass(frozen=True, slots=True)
class GeometryRules:
    """What a hotspot geometry may be. ``max_area_km2`` guards against a polygon drawn around
    a whole town by mistake."""

    max_area_km2: float = DEFAULT_MAX_AREA_KM2

    def __post_init__(self) -> None:
        if not self.max_area_km2 > 0:
            raise InvalidInputError(msg("max_area_km2 must be positive."))


def _in_denmark(lon: float, lat: float) -> bool:
    return DENMARK_LON[0] <= lon <= DENMARK_LON[1] and DENMARK_LAT[0] <= lat <= DENMARK_LAT[1]


def check_lonlat(lon: float, lat: float) -> None:
    """Refuse a coordinate outside Denmark, and say so when lat/lon look swapped."""
    if not (isinstance(lon, int | float) and isinstance(lat, int | float)):
        raise InvalidInputError(msg("coordinates must be numbers (longitude, latitude)"))
    if lon != lon or lat != lat or abs(lon) == float("inf") or abs(lat) == float("inf"):
        raise InvalidInputError(msg("coordinates must be finite numbers, not NaN or infinity"))
    if _in_denmark(lon, lat):
        return
    if _in_denmark(lat, lon):
        raise InvalidInputError(
            msg(
                "coordinate ({lon}, {lat}) looks like latitude/longitude order; GeoJSON and "
                "Smart Spot take longitude first: ({lat}, {lon})",
                lon=lon,
                lat=lat,
            )
        )
    raise InvalidInputError(
        msg(
            "coordinate ({lon}, {lat}) is outside Denmark; allowed is longitude "
            "{west}–{east} and latitude {south}–{north} (WGS84)",
            lon=lon,
            lat=lat,
            west=DENMARK_LON[0],
            east=DENMARK_LON[1],
            south=DENMARK_LAT[0],
            north=DENMARK_LAT[1],
        )
    )


def invalid_polygon_message(polygon: BaseGeometry) -> Message:
    """Why ``polygon`` (WGS84) is not valid, in words, with the place rounded to ~10 m.

    GEOS says e.g. ``Self-intersection[8.69370460510254 56.9575888454485]``; a person reads
    "the polygon's edges cross each other near longitude 8.6937, latitude 56.9576".
    """
    text = explain_validity(polygon)
    found = _WHERE.match(text)
    if found is None:
        return msg(
            "the polygon is not valid ({reason}); draw a simple ring that does not cross itself",
            reason=text,
        )
    reason = found["reason"].strip()
    what = Message(_INVALID_REASONS[reason]) if reason in _INVALID_REASONS else reason
    return msg(
        "{what} near longitude {lon:.4f}, latitude {lat:.4f}; draw a simple ring that does not "
        "cross itself",
        what=what,
        lon=float(found["x"]),
        lat=float(found["y"]),
    )


def check_hotspot_geometry(
    geometry: BaseGeometry, rules: GeometryRules = GeometryRules()
) -> BaseGeometry:
    """Validate a WGS84 hotspot geometry and return it in EPSG:25832.

    Raises
    ------
    InvalidInputError
        For anything but a non-empty valid Point or Polygon inside Denmark no larger than
        ``rules.max_area_km2``.
    """
    if not isinstance(geometry, Point | Polygon):
        raise InvalidInputError(
            msg(
                "a hotspot is a Point or a Polygon, not a {geom_type}", geom_type=geometry.geom_type
            ),
            field="geometry",
        )
    if geometry.is_empty:
        raise InvalidInputError(msg("the geometry is empty"), field="geometry")
    if geometry.has_z:
        geometry = shapely.force_2d(geometry)
    coords = shapely.get_coordinates(geometry)
    for lon, lat in coords:
        check_lonlat(float(lon), float(lat))
    if isinstance(geometry, Polygon):
        if not geometry.is_valid:
            raise InvalidInputError(invalid_polygon_message(geometry), field="geometry")
        if len(geometry.interiors) > 0:
            raise InvalidInputError(
                msg("a hotspot polygon may not have holes; register separate hotspots instead"),
                field="geometry",
            )
    metric = to_metric(geometry)
    area_km2 = metric.area / 1e6
    if area_km2 > rules.max_area_km2:
        raise InvalidInputError(
            msg(
                "the polygon covers {area_km2:.1f} km²; a hotspot may cover at most {max_area_km2:g} km²",
                area_km2=area_km2,
                max_area_km2=rules.max_area_km2,
            ),
            field="geometry",
        )
    if isinstance(metric, Polygon) and metric.area < 1.0:
        raise InvalidInputError(msg("the polygon has no area (under 1 m²)"), field="geometry")
    # Counter-clockwise exterior: the right-hand rule RFC 7946 asks of GeoJSON output.
    return orient(metric, sign=1.0) if isinstance(metric, Polygon) else metric


def metric_point(lon: float, lat: float) -> Point:
    """A checked WGS84 coordinate as an EPSG:25832 point.

    Raises
    ------
    InvalidInputError
        Outside Denmark, or when latitude and longitude look swapped.
    """
    check_lonlat(lon, lat)
    x, y = lonlat_to_metric(np.array([lon]), np.array([lat]))[0]
    return Point(float(x), float(y))
