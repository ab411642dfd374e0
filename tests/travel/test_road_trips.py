from __future__ import annotations

import numpy as np
import pytest

from smartspot.travel.graph import RoadGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import TravelTrips
from smartspot.travel.road import RoadTravelTimes
from tests.travel.conftest import HOU_HARBOUR, TRANEBJERG, xy


def test_trips_metres_are_those_of_the_driven_route(samsoe: RoadGraph) -> None:
    times = RoadTravelTimes(samsoe, TravelOptions(ferries=False))
    assert isinstance(times, TravelTrips)
    rng = np.random.default_rng(4)
    points = samsoe.xy[rng.choice(np.flatnonzero(samsoe.snappable), 6, replace=False)]
    points = points + 30.0  # off the road a little: access legs count too
    trips = times.trips(points, points[:3])
    assert np.allclose(trips.seconds, times.matrix(points, points[:3]), equal_nan=True)
    for i in range(6):
        for j in range(3):
            leg = times.leg(points[i], points[j])
            assert trips.metres[i, j] == pytest.approx(leg.metres, rel=1e-6, abs=0.5)
    cut_off = RoadTravelTimes(samsoe, TravelOptions(ferries=False)).trips(
        xy(*HOU_HARBOUR), xy(*TRANEBJERG)
    )
    assert np.isnan(cut_off.seconds).all() and np.isnan(cut_off.metres).all()


def test_trips_through_turn_restrictions_follow_the_legal_path(aarhus: RoadGraph) -> None:
    times = RoadTravelTimes(aarhus)
    nodes = np.flatnonzero(aarhus.snappable)
    rng = np.random.default_rng(2)
    a, b = aarhus.xy[rng.choice(nodes, 12)], aarhus.xy[rng.choice(nodes, 12)]
    forward = times.trips(a[:2], b)  # few origins: forward trees
    backward = times.trips(a, b[:2])  # few destinations: reverse trees to the junction groups
    for i, j in ((0, 5), (1, 7)):
        leg = times.leg(a[i], b[j])
        assert forward.metres[i, j] == pytest.approx(leg.metres, abs=0.5)
    for i, j in ((4, 0), (9, 1)):
        leg = times.leg(a[i], b[j])
        assert backward.metres[i, j] == pytest.approx(leg.metres, abs=0.5)
