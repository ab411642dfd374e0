"""No trip of an adapter is faster, as the crow flies, than its top speed
(:mod:`smartspot.travel.speed_bound`): the problem builder's straight-line prefilter relies on
it."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.graph import RoadGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.speed_bound import top_speed_mps
from smartspot.travel.straight import StraightLineTravelTimes

EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def _never_faster(travel: object, points: np.ndarray, depart_at: datetime | None) -> int:
    speed = top_speed_mps(travel)
    assert speed is not None and 0 < speed < 200 / 3.6  # a car's speed, not a bug
    seconds = travel.matrix(points, points, depart_at=depart_at)  # type: ignore[attr-defined]
    gap = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    known = ~np.isnan(seconds)
    assert np.all(seconds[known] >= gap[known] / speed * (1 - 1e-6))
    # and the bound is not loose for nothing: some trip comes within 40 % of it
    assert np.any(seconds[known & (gap > 5_000)] <= 1.4 * gap[known & (gap > 5_000)] / speed)
    return int(known.sum())


def _sample(graph: RoadGraph, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    nodes = rng.choice(np.flatnonzero(graph.snappable), size=count, replace=False)
    return graph.xy[nodes] + rng.normal(0, 30, size=(count, 2))


@pytest.mark.parametrize("depart_at", [None, EVENING])
def test_no_fallback_trip_beats_the_top_speed(
    mvj_fallback: LandTravelTimes, depart_at: datetime | None
) -> None:
    assert _never_faster(mvj_fallback, _sample(mvj_fallback.graph, 120, 5), depart_at) > 1000


def test_no_road_trip_beats_the_top_speed(samsoe: RoadGraph) -> None:
    road = RoadTravelTimes(samsoe, TravelOptions())
    assert _never_faster(road, _sample(samsoe, 80, 6), None) > 1000


def test_straight_line_speed_is_its_own_and_unknown_adapters_have_none() -> None:
    straight = StraightLineTravelTimes(circuity=1.0, speed_kmh=72)
    assert top_speed_mps(straight) == pytest.approx(20.0)
    assert top_speed_mps(object()) is None
