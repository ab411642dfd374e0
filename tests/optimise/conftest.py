"""Small problems for the optimiser's tests: a canonical one and seeded random ones."""

from __future__ import annotations

import numpy as np
import pytest

from smartspot.optimise.problem import Car, Problem, Task


def random_problem(
    seed: int, cars: int = 3, hotspots: int = 20, *, side_km: float = 30.0
) -> Problem:
    """Towns and scatter in a square; straight line × 1.3 at 60 km/h; some windows, some
    unreachable legs (a ferry-less island) so every rule gets exercised."""
    rng = np.random.default_rng(seed)
    towns = rng.uniform(0, side_km, size=(3, 2))
    spots = towns[rng.integers(0, 3, hotspots)] + rng.normal(0, 2.0, (hotspots, 2))
    scatter = rng.random(hotspots) < 0.3
    spots[scatter] = rng.uniform(0, side_km, (int(scatter.sum()), 2))
    starts = rng.uniform(0, side_km, (cars, 2))
    homes = towns[rng.integers(0, 3, cars)]
    points = np.vstack([starts, homes, spots])
    distance = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    travel = np.rint(distance * 1.3 * 60).astype(float)  # km at 60 km/h → seconds
    island = rng.random(len(points)) < 0.05
    island[: 2 * cars] = False
    island[-1] = hotspots >= 5  # always one unreachable hotspot in a problem of some size
    travel[np.ix_(island, ~island)] = np.nan
    travel[np.ix_(~island, island)] = np.nan
    tasks = []
    for h in range(hotspots):
        kind = rng.random()
        if kind < 0.5:
            windows: tuple[tuple[int, int], ...] = ()
        elif kind < 0.8:
            lo = int(rng.integers(0, 3000))
            windows = ((lo, lo + int(rng.integers(300, 3600))),)
        else:
            windows = ((0, 600), (2400, 4000))
        tasks.append(
            Task(
                id=f"h{h}",
                node=2 * cars + h,
                value=float(rng.integers(1, 11)),
                service_s=int(rng.integers(10, 16)) * 60,
                windows=windows,
            )
        )
    car_list = tuple(
        Car(
            id=f"car{k}",
            start=k,
            end=cars + k,
            available_s=int(rng.integers(0, 600)),
            budget_s=int(rng.integers(20, 46)) * 60,
        )
        for k in range(cars)
    )
    return Problem(cars=car_list, hotspots=tuple(tasks), travel_s=travel)


@pytest.fixture
def small_problem() -> Problem:
    """One car, three hotspots on a line: start 0 → a(1) → b(2) → end 3, c(4) far away."""
    t = np.array(
        [
            [0, 300, 600, 900, 3000],
            [300, 0, 300, 600, 3000],
            [600, 300, 0, 300, 3000],
            [900, 600, 300, 0, 3000],
            [3000, 3000, 3000, 3000, 0],
        ],
        dtype=float,
    )
    return Problem(
        cars=(Car("p1", start=0, end=3, available_s=0, budget_s=1800),),
        hotspots=(
            Task("a", node=1, value=2.0, service_s=600),
            Task("b", node=2, value=3.0, service_s=600, windows=((1200, 3000),)),
            Task("c", node=4, value=50.0, service_s=600),
        ),
        travel_s=t,
    )
