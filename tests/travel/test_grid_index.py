"""The cell index finds exactly the nearest node a KD-tree finds, near roads and far from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from smartspot.travel.graph import RoadGraph
from smartspot.travel.grid_index import GridIndex


def test_the_cell_index_finds_the_nearest_node_exactly(samsoe: RoadGraph) -> None:
    nodes = np.flatnonzero(samsoe.snappable)
    grid = GridIndex.build(samsoe.xy, nodes)
    rng = np.random.default_rng(5)
    lo, hi = samsoe.xy.min(axis=0) - 5_000, samsoe.xy.max(axis=0) + 5_000
    points = rng.uniform(lo, hi, size=(2_000, 2))  # on roads, in fields, out at sea
    got_node, got_m = grid.nearest(points, samsoe.xy, within_m=2_000.0)
    expected_m, _ = cKDTree(samsoe.xy[nodes]).query(points)
    assert np.allclose(got_m, expected_m)
    assert np.allclose(np.hypot(*(samsoe.xy[got_node] - points).T), got_m)
    assert (expected_m > 2_000).any() and (expected_m < 150).any()  # both kinds were asked


def test_a_bounded_search_answers_only_within_its_distance(samsoe: RoadGraph) -> None:
    nodes = np.flatnonzero(samsoe.snappable)
    grid = GridIndex.build(samsoe.xy, nodes)
    rng = np.random.default_rng(6)
    lo, hi = samsoe.xy.min(axis=0) - 30_000, samsoe.xy.max(axis=0) + 30_000
    points = rng.uniform(lo, hi, size=(2_000, 2))  # most far outside the island's cells
    got_node, got_m = grid.nearest(points, samsoe.xy, within_m=1_000.0, beyond=False)
    expected_m, k = cKDTree(samsoe.xy[nodes]).query(points)
    near = expected_m <= 1_000
    assert near.any() and (~near).any()
    assert np.allclose(got_m[near], expected_m[near])
    assert np.array_equal(got_node[near], nodes[k[near]])
    assert np.isinf(got_m[~near]).all() and (got_node[~near] == -1).all()


def test_the_cell_index_lists_every_node_within_a_radius(samsoe: RoadGraph) -> None:
    nodes = np.flatnonzero(samsoe.snappable)
    grid = GridIndex.build(samsoe.xy, nodes)
    centre = samsoe.xy[nodes[100]] + 30.0
    got = np.sort(grid.within(centre, 800.0, samsoe.xy))
    expected = nodes[np.hypot(*(samsoe.xy[nodes] - centre).T) <= 800.0]
    assert len(expected) > 10 and np.array_equal(got, np.sort(expected))


def test_a_large_graph_file_carries_its_cell_index(tmp_path: Path, samsoe: RoadGraph) -> None:
    path = tmp_path / "g.npz"
    samsoe.with_prepared().save(path)
    loaded = RoadGraph.load(path)
    assert loaded.grid is not None
    assert np.array_equal(np.sort(loaded.grid.nodes), np.flatnonzero(samsoe.snappable))
