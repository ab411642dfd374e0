"""Set partitioning over a pool of routes: the most value of disjoint routes, a car a route."""

from __future__ import annotations

import itertools
import time

import numpy as np

from smartspot.optimise.pool import RoutePool, best_packing


def _pool(routes: dict[tuple[int, ...], float], klass: int = 0) -> RoutePool:
    pool = RoutePool()
    for route, value in routes.items():
        pool.add(klass, route, value)
    return pool


def _later() -> float:
    return time.perf_counter() + 10.0


def test_two_smaller_routes_beat_the_single_best_one_they_overlap() -> None:
    pool = _pool({(1, 2, 3): 10.0, (1, 4): 6.0, (2, 5): 6.0, (6,): 1.0})
    chosen = best_packing(pool, {0: 2}, 0.0, _later())
    assert chosen is not None
    assert sorted(route for _, route in chosen) == [(1, 4), (2, 5)]


def test_no_more_routes_than_cars_of_each_class() -> None:
    pool = RoutePool()
    pool.add(0, (1,), 5.0)
    pool.add(0, (2,), 4.0)
    pool.add(1, (3,), 1.0)
    chosen = best_packing(pool, {0: 1, 1: 1}, 0.0, _later())
    assert chosen is not None and sorted(chosen) == [(0, (1,)), (1, (3,))]


def test_nothing_is_answered_unless_it_beats_the_floor() -> None:
    pool = _pool({(1, 2): 3.0, (3,): 1.0})
    assert best_packing(pool, {0: 2}, 4.0, _later()) is None
    chosen = best_packing(pool, {0: 2}, 3.5, _later())
    assert chosen is not None and sum(pool.routes[key] for key in chosen) == 4.0


def test_a_route_is_kept_once_and_an_empty_one_never() -> None:
    pool = RoutePool()
    pool.add(0, [1, 2], 2.0)
    pool.add(0, (1, 2), 2.0)
    pool.add(0, [], 0.0)
    assert len(pool) == 1


def test_the_packing_is_the_optimum_of_random_pools() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        routes = {
            tuple(
                sorted(rng.choice(12, size=int(rng.integers(1, 5)), replace=False).tolist())
            ): float(rng.integers(1, 20))
            for _ in range(25)
        }
        pool = _pool(routes)
        chosen = best_packing(pool, {0: 3}, 0.0, _later())
        best = max(
            sum(routes[r] for r in combo)
            for size in range(1, 4)
            for combo in itertools.combinations(routes, size)
            if len({h for r in combo for h in r}) == sum(len(r) for r in combo)
        )
        assert chosen is not None
        assert len({h for _, r in chosen for h in r}) == sum(len(r) for _, r in chosen)
        assert sum(routes[r] for _, r in chosen) == best


def test_no_packing_is_searched_after_its_deadline() -> None:
    pool = _pool({(1,): 1.0, (2,): 1.0})
    assert best_packing(pool, {0: 2}, 0.0, time.perf_counter() - 1.0) is None


def test_many_cars_are_packed_by_cp_sat_to_the_optimum() -> None:
    import ortools.sat.python.cp_model  # noqa: F401  (the packing uses it once imported)

    rng = np.random.default_rng(11)
    for _ in range(10):
        pool = RoutePool()
        routes: dict[tuple[int, tuple[int, ...]], float] = {}
        for car in range(6):  # six cars, each its own class, three routes each
            for _ in range(3):
                route = tuple(sorted(rng.choice(10, size=2, replace=False).tolist()))
                routes[car, route] = float(rng.integers(1, 20))
        for (car, route), value in routes.items():
            pool.add(car, route, value)
        chosen = best_packing(pool, {car: 1 for car in range(6)}, 0.0, _later())
        best = 0.0
        by_car = [[key for key in routes if key[0] == car] + [None] for car in range(6)]
        for combo in itertools.product(*by_car):
            picked = [key for key in combo if key is not None]
            hotspots = [h for _, route in picked for h in route]
            if len(set(hotspots)) == len(hotspots):
                best = max(best, sum(routes[key] for key in picked))
        assert chosen is not None
        assert len({car for car, _ in chosen}) == len(chosen)
        assert len({h for _, r in chosen for h in r}) == sum(len(r) for _, r in chosen)
        assert sum(pool.routes[key] for key in chosen) == best
