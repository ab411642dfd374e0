"""The tree cache: an LRU bounded by the memory its trees take, kept hotspot trees that
survive it, and kept trees that answer exactly what fresh ones do at every hour."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartspot.travel.cache import RowCache
from smartspot.travel.composite import CompositeTravelTimes
from smartspot.travel.config import district_config, travel_times
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.graph import RoadGraph
from smartspot.travel.land import LandGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.road import REGROW_STEP_S, RoadTravelTimes
from tests.travel.conftest import NORDBY_SAMSOE, TRANEBJERG, town, xy

CPH = ZoneInfo("Europe/Copenhagen")
LIMIT_S = 3 * 3600.0  # long enough for the Hou–Sælvig crossing and its wait


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=CPH)  # a Tuesday


def _misses(*caches: RowCache) -> int:
    return sum(c.misses for c in caches)


def test_the_lru_holds_no_more_trees_than_its_memory_allows(samsoe: RoadGraph) -> None:
    one = RoadTravelTimes(samsoe)._trees(np.array([0]), np.inf, reverse=False)[0].nbytes
    times = RoadTravelTimes(samsoe, TravelOptions(cache_mb=2.5 * one / 1e6))
    rng = np.random.default_rng(3)
    points = samsoe.xy[rng.choice(np.flatnonzero(samsoe.snappable), 6, replace=False)]
    for k in range(len(points)):
        times.matrix(points[k : k + 1], points)
    cache = times._forward
    assert len(cache) == 2  # 2.5 trees' worth of memory holds two
    assert cache.nbytes <= 2.5 * one
    misses = cache.misses
    times.matrix(points[-1:], points)  # the newest is still there ...
    assert cache.misses == misses
    times.matrix(points[:1], points)  # ... the oldest was let go
    assert cache.misses == misses + 1


def test_kept_trees_outlast_the_lru_until_another_set_is_kept(samsoe: RoadGraph) -> None:
    one = RoadTravelTimes(samsoe)._trees(np.array([0]), np.inf, reverse=False)[0].nbytes
    times = RoadTravelTimes(samsoe, TravelOptions(cache_mb=1.5 * one / 1e6))
    rng = np.random.default_rng(4)
    points = samsoe.xy[rng.choice(np.flatnonzero(samsoe.snappable), 8, replace=False)]
    hotspots, cars = points[:4], points[4:]
    times.warm_among(hotspots, limit_s=1800.0)
    cache = times._forward
    grown = cache.misses
    for k in range(len(cars)):  # one car after another pushes the LRU's trees out
        times.matrix(cars[k : k + 1], hotspots, limit_s=1800.0)
    assert cache.misses == grown + len(cars)
    times.matrix(hotspots, hotspots, limit_s=1800.0)
    assert cache.misses == grown + len(cars)  # every hotspot tree was still there
    times.warm_among(hotspots[2:], limit_s=1800.0)  # two hotspots closed
    assert len(cache._kept) == 2
    times.matrix(cars[:1], hotspots)  # the LRU moves on
    times.matrix(hotspots[:2], hotspots, limit_s=1800.0)
    assert cache.misses > grown + len(cars) + 1  # the closed ones' trees aged out


def test_a_kept_tree_asked_beyond_its_cut_off_is_grown_again_and_stays_kept(
    samsoe: RoadGraph,
) -> None:
    times = RoadTravelTimes(samsoe, TravelOptions(cache_mb=0))  # no LRU at all
    points = np.vstack([xy(*TRANEBJERG), xy(*NORDBY_SAMSOE), xy(10.55, 55.87)])
    times.warm_among(points, limit_s=300.0)
    short = times.matrix(points, points, limit_s=300.0)
    assert np.isnan(short).any()
    grown = times._forward.misses
    longer = times.matrix(points, points)
    assert times._forward.misses == grown + len(points)
    np.testing.assert_array_equal(longer, RoadTravelTimes(samsoe).matrix(points, points))
    times.matrix(points, points)
    assert times._forward.misses == grown + len(points)  # the longer trees were kept
    np.testing.assert_array_equal(times.matrix(points, points, limit_s=300.0), short)


def test_a_tree_grown_again_is_grown_to_the_next_step_and_answers_as_a_fresh_one(
    samsoe: RoadGraph,
) -> None:
    """A car a little further from home than the last asks the kept trees a little longer
    each clear: grown again, a tree reaches the next multiple of ``REGROW_STEP_S``, so the
    next car's question reads it; its answers at every cut-off are a fresh tree's."""
    assert REGROW_STEP_S == 300.0
    times = RoadTravelTimes(samsoe, TravelOptions(cache_mb=0))  # no LRU: kept trees only
    points = np.vstack([xy(*TRANEBJERG), xy(*NORDBY_SAMSOE), xy(10.55, 55.87)])
    times.warm_among(points, limit_s=300.0)
    grown = times._forward.misses
    for limit_s in (400.0, 500.0, 550.0, 600.0):  # one step: grown once, to 600 s
        times.matrix(points, points, limit_s=limit_s)
    assert times._forward.misses == grown + len(points)
    assert {t.limit for t in times._forward._kept.values()} == {600.0}
    times.matrix(points, points, limit_s=601.0)  # the next step: grown again, to 900 s
    assert times._forward.misses == grown + 2 * len(points)
    assert {t.limit for t in times._forward._kept.values()} == {900.0}
    for limit_s in (300.0, 400.0, 601.0, 900.0):  # bit for bit a tree grown to the question
        fresh = RoadTravelTimes(samsoe, TravelOptions(cache_mb=0))
        np.testing.assert_array_equal(
            times.matrix(points, points, limit_s=limit_s),
            fresh.matrix(points, points, limit_s=limit_s),
        )


def test_a_tree_is_never_grown_again_beyond_the_models_own_cut_off() -> None:
    limits: list[float] = []

    class _Tree:
        def __init__(self, limit: float) -> None:
            self.limit, self.nbytes = limit, 8

    def compute(nodes: np.ndarray, limit: float) -> list[_Tree]:
        limits.append(limit)
        return [_Tree(limit) for _ in nodes]

    cache = RowCache(compute, lambda *_: np.zeros((1, 1)), regrow_step_s=600.0, max_limit=1000.0)
    cache.keep(np.array([1]), 300.0)  # absent: grown to the question's own cut-off
    cache.gather(np.array([1]), np.array([0]), 650.0)  # short: to the step, but at most 1000
    cache.gather(np.array([1]), np.array([0]), 1000.0)
    assert limits == [300.0, 1000.0]


def test_a_question_reads_the_side_with_fewer_trees_to_grow_counting_no_further(
    samsoe: RoadGraph,
) -> None:
    """Many points to two pinned stations read the stations' reverse trees (no tree grown
    from the points, however many lack one); kept points to points without trees read the
    kept ones. ``missing(stop=k)`` counts up to ``k``, as the choice needs."""
    times = RoadTravelTimes(samsoe)
    rng = np.random.default_rng(5)
    points = samsoe.xy[rng.choice(np.flatnonzero(samsoe.snappable), 30, replace=False)]
    stations, hotspots, cars = points[:2], points[2:22], points[22:]
    times.warm_to(stations)
    nodes, _ = times.snap(hotspots)
    assert times._forward.missing(nodes, np.inf) == len(np.unique(nodes))
    assert times._forward.missing(nodes, np.inf, stop=3) == 3
    forward, reverse = times._forward.misses, times._reverse.misses
    home = times.matrix(hotspots, stations)
    assert (times._forward.misses, times._reverse.misses) == (forward, reverse)
    pinned = RoadTravelTimes(samsoe)
    pinned.warm_to(stations)
    np.testing.assert_array_equal(home, pinned.matrix(hotspots, stations))
    times.warm_among(hotspots, limit_s=1800.0)
    forward, reverse = times._forward.misses, times._reverse.misses
    out = times.matrix(hotspots[:3], cars, limit_s=1800.0)  # 3 kept trees, 8 cars without
    assert (times._forward.misses, times._reverse.misses) == (forward, reverse)
    np.testing.assert_allclose(out, pinned.matrix(hotspots[:3], cars, limit_s=1800.0), rtol=1e-6)


def _oej_points() -> np.ndarray:
    # the mainland, and Samsø over the timetabled Hou–Sælvig ferry (closed at night)
    names = ("Odder", "Skanderborg", "Århus", "Horsens")
    return np.vstack([*(town(n) for n in names), xy(*TRANEBJERG), xy(*NORDBY_SAMSOE)])


@pytest.mark.parametrize("timed", [True, False])
def test_kept_trees_answer_as_fresh_ones_at_every_hour(oej_land: LandGraph, timed: bool) -> None:
    kept = LandTravelTimes(oej_land)
    points = _oej_points()
    kept.warm_among(points, limit_s=LIMIT_S, timed=timed)
    assert kept._land_only is not None
    both = (kept._forward, kept._reverse, kept._land_only._forward, kept._land_only._reverse)
    grown = _misses(*both)
    served = kept._land_only._forward if timed else kept._forward
    kept_grown = served.misses
    answers = {}
    for depart_at in (at(11, 30), at(23, 30), at(2, 0), None):
        fresh = LandTravelTimes(oej_land, TravelOptions(cache_mb=0))
        expected = fresh.matrix(points, points, depart_at=depart_at, limit_s=LIMIT_S)
        got = kept.matrix(points, points, depart_at=depart_at, limit_s=LIMIT_S)
        np.testing.assert_array_equal(got, expected)
        answers[depart_at] = got
    assert np.isfinite(answers[at(11, 30)][0, 4])  # Odder → Samsø at midday ...
    assert np.isnan(answers[at(2, 0)][0, 4])  # ... not at night ...
    assert np.isfinite(answers[None][0, 4])  # ... and at the flat wait without a time
    # the kept trees served the questions they were kept for (the hour-free roads of the
    # timed questions, or the graph with its flat ferry waits), and only the other kind grew
    assert served.misses == kept_grown
    assert _misses(*both) > grown


AARHUS_C = ((10.2178, 56.1422), (10.2150, 56.1410))  # inside the Aarhus C area graph


def _all_caches(model: CompositeTravelTimes) -> list[RowCache]:
    roads = [model.fallback, *model.roads, *(a.road for a in model.areas)]
    inner = [
        m for r in roads for m in (r, r._land_only if isinstance(r, LandTravelTimes) else r._off)
    ]
    return [c for m in inner if m is not None for c in (m._forward, m._reverse)]


def test_a_district_model_keeps_its_hotspot_trees_for_the_live_engines_legs() -> None:
    model = travel_times(district_config("Østjyllands Politi"))
    assert isinstance(model, CompositeTravelTimes)
    points = np.vstack([_oej_points(), *(xy(*p) for p in AARHUS_C)])
    assert model._in_area(model.areas[0], points).sum() == 2  # and a leg joined at its edge
    model.warm_among(points, limit_s=LIMIT_S)
    grown = _misses(*_all_caches(model))
    for depart_at in (at(11, 30), at(2, 0)):
        fresh = travel_times(
            district_config("Østjyllands Politi", options=TravelOptions(cache_mb=0))
        )
        expected = fresh.matrix(points, points, depart_at=depart_at, limit_s=LIMIT_S)
        got = model.matrix(points, points, depart_at=depart_at, limit_s=LIMIT_S)
        # the same trees, but a leg joined at the area graph's gateways may be read off the
        # other side's trees when the kept ones make that side cheaper: float32 tree times
        # summed along other legs (the side a cold model takes depends on its cache, too)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert _misses(*_all_caches(model)) == grown  # every leg between them was read, none grown


def test_a_cached_tree_holds_only_the_memory_it_counts(mvj_fallback: LandTravelTimes) -> None:
    import gc
    import tracemalloc

    contracted = mvj_fallback._contracted
    sources = np.linspace(0, contracted.n - 1, 12).astype(np.int64)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        dense = [contracted.tree(int(s), reverse=False, limit=2400.0) for s in sources]
        sparse = [contracted.tree(int(s), reverse=False, limit=300.0) for s in sources]
        kept = dense + sparse + [contracted.dense(t) for t in sparse]
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert any(t.core is not None for t in dense) and any(t.core is None for t in sparse)
    counted = sum(t.nbytes for t in kept)
    assert held < 1.05 * counted + 30_000  # the arrays it reports, not views of bigger ones


def _land_only_caches(model: LandTravelTimes) -> tuple[RowCache, RowCache]:
    assert model._land_only is not None
    return model._land_only._forward, model._land_only._reverse


@pytest.mark.parametrize("depart_at", [at(11, 30), at(23, 30), at(2, 0)])
def test_a_warmed_model_times_a_new_point_without_growing_a_shared_tree(
    oej_land: LandGraph, depart_at: datetime
) -> None:
    stations = np.vstack([town("Odder"), town("Århus"), xy(*TRANEBJERG)])
    car = town("Skanderborg") + 350.0  # a new point: a car's place at a clear
    asked = np.vstack([car, town("Hørning") + 120.0])
    answers = []
    for warm in (False, True):
        model = LandTravelTimes(oej_land)
        model.warm_to(stations)  # as the live engine warms a district
        model.warm_from(stations)
        if warm:
            model.warm_shared()
        caches = _land_only_caches(model)
        grown = _misses(*caches)
        home = model.matrix(car, stations, depart_at=depart_at)  # its direct trip home
        near = model.matrix(asked, stations, depart_at=depart_at, limit_s=1200.0)
        answers.append((home, near))
        if warm:  # the ferry terminals' trees (both ways, uncut) are read, not grown
            assert _misses(*caches) == grown
        else:
            assert _misses(*caches) > grown  # without: the first question grew them
    for cold, warmed in zip(*answers, strict=True):
        np.testing.assert_array_equal(warmed, cold)
    assert np.isfinite(answers[1][0][0, :2]).all()


def test_the_shared_warm_up_pins_the_ferry_terminals_and_builds_the_coast(
    oej_land: LandGraph,
) -> None:
    model = LandTravelTimes(oej_land)
    model.warm_shared()
    forward, reverse = _land_only_caches(model)
    for cache in (forward, reverse):
        assert set(cache._pinned) == set(model._terminals.tolist())
    assert "_coast" in vars(model)  # the cached property is built
    grown = _misses(forward, reverse)
    model.warm_among(np.vstack([town("Odder"), town("Århus")]), limit_s=1800.0)
    assert set(model._terminals.tolist()) <= set(forward._pinned)  # still pinned, uncut
    assert _misses(forward, reverse) == grown + 2  # only the two points' trees grew
