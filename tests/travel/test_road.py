from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from smartspot.errors import InvalidInputError
from smartspot.travel.graph import RoadGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import TravelTimes, reachable
from smartspot.travel.road import RoadTravelTimes
from tests.travel.conftest import HOU_HARBOUR, KATTEGAT, NORDBY_SAMSOE, TRANEBJERG, xy

# Dalgas Avenue, Aarhus C: the north-west-bound carriageway (OSM way 875681444, oneway=yes).
DALGAS_A = (10.204978, 56.1404849)
DALGAS_B = (10.2041301, 56.1411539)


@pytest.fixture(scope="module")
def samsoe_times(samsoe: RoadGraph) -> RoadTravelTimes:
    return RoadTravelTimes(samsoe)


def test_road_adapter_is_a_travel_times(samsoe_times: RoadTravelTimes) -> None:
    assert isinstance(samsoe_times, TravelTimes)


def test_one_way_street_is_driven_only_one_way(aarhus: RoadGraph) -> None:
    times = RoadTravelTimes(aarhus)
    a, b = xy(*DALGAS_A), xy(*DALGAS_B)
    along = times.matrix(a, b)[0, 0]
    against = times.matrix(b, a)[0, 0]
    assert along < 10  # 91 m at 50 km/h
    assert against > 2 * along  # round the block via the other carriageway


def test_samsoe_reached_from_hou_over_the_ferry_with_its_time(samsoe: RoadGraph) -> None:
    wait = 20 * 60.0
    times = RoadTravelTimes(samsoe, TravelOptions(ferry_wait_s=wait))
    t = times.matrix(xy(*HOU_HARBOUR), xy(*TRANEBJERG))[0, 0]
    # one hour on the ferry plus the wait plus a few minutes of island roads
    assert 3600 + wait < t < 3600 + wait + 15 * 60


def test_samsoe_unreachable_from_hou_with_ferries_off(samsoe: RoadGraph) -> None:
    times = RoadTravelTimes(samsoe, TravelOptions(ferries=False))
    t = times.matrix(xy(*HOU_HARBOUR), xy(*TRANEBJERG))
    assert not reachable(t).any()
    assert np.isnan(t).all()
    # …while the island itself still works
    assert reachable(times.matrix(xy(*NORDBY_SAMSOE), xy(*TRANEBJERG))).all()


def test_point_in_the_sea_is_refused_with_a_clear_message(samsoe_times: RoadTravelTimes) -> None:
    with pytest.raises(InvalidInputError, match=r"km from the nearest drivable road.*refused"):
        samsoe_times.matrix(xy(*KATTEGAT), xy(*TRANEBJERG))


def test_lonlat_degrees_are_refused(samsoe_times: RoadTravelTimes) -> None:
    with pytest.raises(InvalidInputError, match="degrees"):
        samsoe_times.matrix(np.array([[10.6, 55.8]]), xy(*TRANEBJERG))


def test_matrix_shape_and_zero_diagonal(samsoe_times: RoadTravelTimes) -> None:
    points = np.vstack([xy(*TRANEBJERG), xy(*NORDBY_SAMSOE), xy(10.55, 55.87)])
    t = samsoe_times.matrix(points, points)
    assert t.shape == (3, 3)
    assert np.allclose(np.diag(t), 0.0)
    assert (t[~np.eye(3, dtype=bool)] > 60).all()


def test_cut_off_makes_far_places_unreachable(samsoe: RoadGraph) -> None:
    times = RoadTravelTimes(samsoe, TravelOptions(limit_s=300))
    t = times.matrix(xy(*NORDBY_SAMSOE), xy(*TRANEBJERG))
    assert np.isnan(t).all()


def test_route_follows_roads_and_is_longer_than_the_crow_flies(
    samsoe_times: RoadTravelTimes,
) -> None:
    a, b = xy(*NORDBY_SAMSOE)[0], xy(*TRANEBJERG)[0]
    leg = samsoe_times.leg(a, b)
    assert leg.line is not None
    assert leg.line.coords[0] == pytest.approx(tuple(a))
    assert leg.line.coords[-1] == pytest.approx(tuple(b))
    crow = float(np.hypot(*(a - b)))
    assert 1.05 * crow < leg.metres < 2.0 * crow
    assert leg.seconds == pytest.approx(samsoe_times.matrix(a, b)[0, 0])


def test_route_is_none_when_unreachable(samsoe: RoadGraph) -> None:
    times = RoadTravelTimes(samsoe, TravelOptions(ferries=False))
    assert times.route(xy(*HOU_HARBOUR)[0], xy(*TRANEBJERG)[0]) is None


def test_trees_are_cached_per_snapped_node(samsoe: RoadGraph) -> None:
    times = RoadTravelTimes(samsoe, TravelOptions(cache_rows=4))
    stations = xy(*TRANEBJERG)
    hotspots = np.vstack([xy(*NORDBY_SAMSOE), xy(10.55, 55.87), xy(10.62, 55.80)])
    times.warm_to(stations)
    first = times.matrix(hotspots, stations)
    misses = times._reverse.misses
    again = times.matrix(hotspots, stations)
    assert times._reverse.misses == misses  # answered from the pinned station tree
    assert np.array_equal(first, again)
    times.invalidate()  # hotspots changed: unpinned rows go, station trees stay
    times.matrix(hotspots, stations)
    assert times._reverse.misses == misses


def test_a_cars_trip_home_reads_the_stations_pinned_tree(samsoe: RoadGraph) -> None:
    times = RoadTravelTimes(samsoe)
    stations = np.vstack([xy(*TRANEBJERG), xy(*NORDBY_SAMSOE)])
    times.warm_to(stations)
    cars = np.vstack([xy(10.55, 55.87), xy(10.62, 55.80)])  # as many cars as stations
    home = times.matrix(cars, stations)
    assert times._forward.misses == 0  # no tree grown from the cars: the stations' were read
    fresh = RoadTravelTimes(samsoe)
    np.testing.assert_allclose(home, fresh.matrix(cars, stations), rtol=1e-6)


@pytest.fixture(scope="module")
def samsoe_nodes(samsoe: RoadGraph) -> np.ndarray:
    return np.flatnonzero(samsoe.snappable)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=3, max_size=3))
def test_triangle_inequality_on_the_graph(
    samsoe_times: RoadTravelTimes, samsoe_nodes: np.ndarray, picks: list[int]
) -> None:
    a, b, c = (int(samsoe_nodes[p % len(samsoe_nodes)]) for p in picks)
    t = samsoe_times.node_matrix(np.array([a, b, a]), np.array([b, c, c]))
    ab, bc, ac = t[0, 0], t[1, 1], t[2, 2]
    if np.isfinite(ab) and np.isfinite(bc):
        assert ac <= ab + bc + 1e-2  # float32 rows


def test_polygon_hotspot_is_reached_at_its_nearest_road_node(
    samsoe_times: RoadTravelTimes,
) -> None:
    centre = xy(*TRANEBJERG)[0]
    # a square field 400 m east of the town centre
    field = shapely.box(centre[0] + 400, centre[1] - 100, centre[0] + 600, centre[1] + 100)
    entry = samsoe_times.entry_point(field)
    nodes = samsoe_times.graph.xy[samsoe_times.graph.snappable]
    nearest = shapely.distance(field, shapely.points(nodes)).min()
    assert shapely.distance(field, shapely.Point(entry)) == pytest.approx(nearest)
    point = shapely.Point(centre)
    assert np.array_equal(samsoe_times.entry_point(point), centre)


def test_polygon_far_from_roads_is_refused(samsoe_times: RoadTravelTimes) -> None:
    sea = xy(*KATTEGAT)[0]
    with pytest.raises(InvalidInputError, match="road"):
        samsoe_times.entry_point(shapely.box(sea[0], sea[1], sea[0] + 100, sea[1] + 100))


def test_threads_sharing_one_adapter_get_the_same_times(samsoe: RoadGraph) -> None:
    from concurrent.futures import ThreadPoolExecutor

    times = RoadTravelTimes(samsoe, TravelOptions(cache_rows=2))
    rng = np.random.default_rng(5)
    points = samsoe.xy[rng.choice(np.flatnonzero(samsoe.snappable), 24, replace=False)]
    expected = RoadTravelTimes(samsoe).matrix(points, points)

    def one_row(i: int) -> np.ndarray:
        row: np.ndarray = times.matrix(points[i : i + 1], points)[0]
        return row

    with ThreadPoolExecutor(max_workers=4) as pool:
        rows = list(pool.map(one_row, range(len(points))))
    assert np.allclose(np.vstack(rows), expected, equal_nan=True)
