from __future__ import annotations

import numpy as np

from smartspot.sim.table import PointTable
from tests.sim.straight import StraightLine


class _Counting(StraightLine):
    def __init__(self) -> None:
        super().__init__()
        self.origins = 0

    def matrix(self, origins, destinations):  # type: ignore[no-untyped-def]
        self.origins += len(origins)
        return super().matrix(origins, destinations)


def test_table_answers_what_the_travel_layer_answers() -> None:
    rng = np.random.default_rng(0)
    points = rng.uniform((450_000, 6_200_000), (500_000, 6_250_000), size=(200, 2))
    travel = _Counting()
    table = PointTable(travel, points)
    a, b = points[[5, 7, 150]], points[[1, 199]]
    assert np.array_equal(table.matrix(a, b), StraightLine().matrix(a, b))
    stranger = np.array([[470_000.5, 6_210_000.5]])
    assert np.array_equal(table.matrix(stranger, b), StraightLine().matrix(stranger, b))
    assert table.missed == 1


def test_each_origin_row_is_fetched_once() -> None:
    rng = np.random.default_rng(1)
    points = rng.uniform((450_000, 6_200_000), (500_000, 6_250_000), size=(300, 2))
    travel = _Counting()
    table = PointTable(travel, points)
    for _ in range(3):
        for i in range(0, 300, 7):
            table.matrix(points[i : i + 1], points[:10])
    assert travel.origins == table.fetched <= 300
