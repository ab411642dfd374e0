from __future__ import annotations

import pytest
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from smartspot.errors import InvalidInputError
from smartspot.geo.validate import GeometryRules, check_hotspot_geometry, check_lonlat

# Awkward geometries, in the spirit of Shapely's tests/common.py.
EMPTY_POINT = Point()
BOWTIE = Polygon([(9.0, 56.0), (9.01, 56.01), (9.01, 56.0), (9.0, 56.01)])
IN_GERMANY = Point(10.0, 53.5)
IN_SWEDEN_LATLON_SWAPPED = Point(56.1, 13.0)
HOLSTEBRO_SQUARE = Polygon([(8.62, 56.36), (8.63, 56.36), (8.63, 56.37), (8.62, 56.37)])


def test_a_point_in_denmark_comes_back_in_metres() -> None:
    metric = check_hotspot_geometry(Point(8.624585, 56.370607))
    assert isinstance(metric, Point)
    assert 400_000 < metric.x < 900_000


def test_polygon_comes_back_counter_clockwise_for_rfc7946() -> None:
    clockwise = Polygon(list(HOLSTEBRO_SQUARE.exterior.coords)[::-1])
    metric = check_hotspot_geometry(clockwise)
    assert isinstance(metric, Polygon)
    assert metric.exterior.is_ccw


def test_swapped_lat_lon_is_detected_and_explained() -> None:
    with pytest.raises(InvalidInputError, match="latitude/longitude order.*longitude first"):
        check_lonlat(56.37, 8.62)


def test_coordinates_outside_denmark_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="outside Denmark"):
        check_hotspot_geometry(IN_GERMANY)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_coordinates_are_refused(value: float) -> None:
    with pytest.raises(InvalidInputError, match="finite"):
        check_lonlat(value, 56.0)


def test_self_intersecting_polygon_is_refused_with_the_reason() -> None:
    with pytest.raises(
        InvalidInputError, match="edges cross each other near longitude 9.0050, latitude 56.0050"
    ):
        check_hotspot_geometry(BOWTIE)


def test_empty_geometry_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        check_hotspot_geometry(EMPTY_POINT)


@pytest.mark.parametrize(
    "geometry", [LineString([(9, 56), (9.1, 56)]), MultiPoint([(9, 56), (9.1, 56)])]
)
def test_only_points_and_polygons_are_hotspots(geometry: object) -> None:
    with pytest.raises(InvalidInputError, match="Point or a Polygon"):
        check_hotspot_geometry(geometry)  # type: ignore[arg-type]


def test_polygon_over_the_area_limit_is_refused() -> None:
    # About 6.2 km × 11 km: far over the default 25 km².
    town = Polygon([(8.6, 56.3), (8.7, 56.3), (8.7, 56.4), (8.6, 56.4)])
    with pytest.raises(InvalidInputError, match=r"covers 6\d\.\d km²; .* at most 25 km²"):
        check_hotspot_geometry(town)


def test_area_limit_is_configurable() -> None:
    # HOLSTEBRO_SQUARE is about 0.69 km².
    check_hotspot_geometry(HOLSTEBRO_SQUARE, GeometryRules(max_area_km2=1.0))
    with pytest.raises(InvalidInputError, match="at most 0.5 km²"):
        check_hotspot_geometry(HOLSTEBRO_SQUARE, GeometryRules(max_area_km2=0.5))


def test_polygon_with_a_hole_is_refused() -> None:
    hole = [(8.622, 56.362), (8.625, 56.362), (8.625, 56.365)]
    with pytest.raises(InvalidInputError, match="holes"):
        check_hotspot_geometry(Polygon(HOLSTEBRO_SQUARE.exterior.coords, [hole]))


def test_geometry_rules_refuse_a_non_positive_limit() -> None:
    with pytest.raises(InvalidInputError, match="positive"):
        GeometryRules(max_area_km2=0)
