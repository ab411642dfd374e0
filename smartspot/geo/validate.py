"""Checks that a geometry is one Smart Spot can hold: valid, in Denmark, not absurdly large.

All checks take WGS84 geometries (what users send) and raise :class:`InvalidInputError` with a
message that says what was wrong and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import to_metric

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
            raise InvalidInputError("max_area_km2 must be positive.")


def _in_denmark(lon: float, lat: float) -> bool:
    return DENMARK_LON[0] <= lon <= DENMARK_LON[1] and DENMARK_LAT[0] <= lat <= DENMARK_LAT[1]


def check_lonlat(lon: float, lat: float) -> None:
    """Refuse a coordinate outside Denmark, and say so when lat/lon look swapped."""
    if not (isinstance(lon, int | float) and isinstance(lat, int | float)):
        raise InvalidInputError("coordinates must be numbers (longitude, latitude)")
    if lon != lon or lat != lat or abs(lon) == float("inf") or abs(lat) == float("inf"):
        raise InvalidInputError("coordinates must be finite numbers, not NaN or infinity")
    if _in_denmark(lon, lat):
        return
    if _in_denmark(lat, lon):
        raise InvalidInputError(
            f"coordinate ({lon}, {lat}) looks like latitude/longitude order; "
            f"GeoJSON and Smart Spot take longitude first: ({lat}, {lon})"
        )
    raise InvalidInputError(
        f"coordinate ({lon}, {lat}) is outside Denmark; allowed is longitude "
        f"{DENMARK_LON[0]}–{DENMARK_LON[1]} and latitude {DENMARK_LAT[0]}–{DENMARK_LAT[1]} (WGS84)"
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
            f"a hotspot is a Point or a Polygon, not a {geometry.geom_type}", field="geometry"
        )
    if geometry.is_empty:
        raise InvalidInputError("the geometry is empty", field="geometry")
    if geometry.has_z:
        geometry = shapely.force_2d(geometry)
    coords = shapely.get_coordinates(geometry)
    for lon, lat in coords:
        check_lonlat(float(lon), float(lat))
    if isinstance(geometry, Polygon):
        if not geometry.is_valid:
            raise InvalidInputError(
                f"the polygon is not valid ({explain_validity(geometry)}); draw a simple ring "
                "that does not cross itself",
                field="geometry",
            )
        if len(geometry.interiors) > 0:
            raise InvalidInputError(
                "a hotspot polygon may not have holes; register separate hotspots instead",
                field="geometry",
            )
    metric = to_metric(geometry)
    area_km2 = metric.area / 1e6
    if area_km2 > rules.max_area_km2:
        raise InvalidInputError(
            f"the polygon covers {area_km2:.1f} km²; a hotspot may cover at most "
            f"{rules.max_area_km2:g} km²",
            field="geometry",
        )
    if isinstance(metric, Polygon) and metric.area < 1.0:
        raise InvalidInputError("the polygon has no area (under 1 m²)", field="geometry")
    # Counter-clockwise exterior: the right-hand rule RFC 7946 asks of GeoJSON output.
    return orient(metric, sign=1.0) if isinstance(metric, Polygon) else metric
