from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from smartspot.geo.crs import lonlat_to_metric, metric_to_lonlat, to_metric, to_wgs84

lons = st.floats(min_value=8.0, max_value=15.2)
lats = st.floats(min_value=54.5, max_value=57.8)


@given(lons, lats)
def test_lonlat_round_trip_is_within_a_millimetre(lon: float, lat: float) -> None:
    xy = lonlat_to_metric(np.array([lon]), np.array([lat]))
    back = metric_to_lonlat(xy[:, 0], xy[:, 1])
    # 1e-8 degrees is about a millimetre.
    assert abs(back[0, 0] - lon) < 1e-8
    assert abs(back[0, 1] - lat) < 1e-8


@given(lons, lats, st.floats(min_value=10, max_value=2000))
def test_polygon_round_trip_keeps_shape_and_area(lon: float, lat: float, side_m: float) -> None:
    centre = to_metric(Point(lon, lat))
    square = Polygon(
        [
            (centre.x, centre.y),
            (centre.x + side_m, centre.y),
            (centre.x + side_m, centre.y + side_m),
            (centre.x, centre.y + side_m),
        ]
    )
    back = to_metric(to_wgs84(square))
    assert back.is_valid
    assert abs(back.area - square.area) / square.area < 1e-6


def test_holstebro_station_lands_where_utm32_puts_it() -> None:
    # EPSG:25832 coordinates of Holstebro station, checked with pyproj's projinfo.
    xy = lonlat_to_metric(np.array([8.624585]), np.array([56.370607]))
    assert 476_000 < xy[0, 0] < 478_000
    assert 6_247_000 < xy[0, 1] < 6_249_000


def test_metric_distance_between_holstebro_and_herning_is_about_34_km() -> None:
    holstebro = to_metric(Point(8.624585, 56.370607))
    herning = to_metric(Point(8.97662, 56.13615))
    assert 33_500 < holstebro.distance(herning) < 34_500
