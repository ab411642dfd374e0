from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from smartspot.travel.contract import INF, ContractedGraph, Tree
from smartspot.travel.graph import RoadGraph


@pytest.mark.parametrize("ferries", [True, False])
@pytest.mark.parametrize("limit", [np.inf, 400.0])
def test_contracted_trees_equal_plain_dijkstra_on_samsoe(
    samsoe: RoadGraph, ferries: bool, limit: float
) -> None:
    cost = samsoe.edge_seconds(ferries=ferries, ferry_wait_s=900)
    contracted = ContractedGraph(samsoe.indptr, samsoe.heads, cost)
    assert contracted.n_core < samsoe.n_nodes / 3  # most OSM nodes only shape a road
    csr = samsoe.csr(ferries=ferries, ferry_wait_s=900)
    sources = np.random.default_rng(3).choice(samsoe.n_nodes, 25, replace=False)
    for reverse, graph in ((False, csr), (True, csr.transpose().tocsr())):
        expected = dijkstra(graph, indices=sources, limit=limit)
        got = contracted.trees(sources, reverse=reverse, limit=limit)
        assert np.array_equal(np.isinf(expected), np.isinf(got))
        finite = np.isfinite(expected)
        assert np.allclose(got[finite], expected[finite], rtol=1e-6, atol=1e-2)  # float32 trees


def test_contracted_trees_respect_one_way_streets(aarhus: RoadGraph) -> None:
    cost = aarhus.edge_seconds(ferries=True, ferry_wait_s=0)
    contracted = ContractedGraph(aarhus.indptr, aarhus.heads, cost)
    sources = np.arange(aarhus.n_nodes)
    expected = dijkstra(aarhus.csr(ferries=True, ferry_wait_s=0), indices=sources)
    got = contracted.trees(sources, reverse=False, limit=np.inf)
    finite = np.isfinite(expected)
    assert np.array_equal(finite, np.isfinite(got))
    assert np.allclose(got[finite], expected[finite])
    assert not np.allclose(got, got.T, equal_nan=True)  # one-way streets: not symmetric


def _ring(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A two-way ring of ``n`` shape points and no junction, 1 s per edge."""
    t = np.concatenate([np.arange(n), (np.arange(n) + 1) % n])
    h = np.concatenate([(np.arange(n) + 1) % n, np.arange(n)])
    order = np.lexsort((h, t))
    t, h = t[order], h[order]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(t, minlength=n))])
    return indptr, h.astype(np.int32), np.ones(len(h))


def test_a_ring_with_no_junction_is_kept_whole() -> None:
    contracted = ContractedGraph(*_ring(8))
    got = contracted.trees(np.array([0, 3]), reverse=False, limit=np.inf)
    assert got[0].tolist() == [0, 1, 2, 3, 4, 3, 2, 1]
    assert got[1].tolist() == [3, 2, 1, 0, 1, 2, 3, 4]


def test_a_tree_from_several_sources_takes_the_nearest(samsoe: RoadGraph) -> None:
    cost = samsoe.edge_seconds(ferries=False, ferry_wait_s=0)
    contracted = ContractedGraph(samsoe.indptr, samsoe.heads, cost, max_sources=3)
    sources = [int(s) for s in np.random.default_rng(8).choice(samsoe.n_nodes, 3)]
    both = contracted.tree(sources, reverse=True, limit=np.inf)
    columns = np.arange(samsoe.n_nodes)
    got = contracted.read(both, columns, reverse=True, limit=np.inf)
    singles = contracted.trees(np.array(sources), reverse=True, limit=np.inf)
    expected = singles.min(axis=0)
    assert np.array_equal(np.isinf(got), np.isinf(expected))
    finite = np.isfinite(expected)
    assert np.allclose(got[finite], expected[finite], atol=1e-2)


def test_cut_off_trees_are_kept_sparse_and_read_as_their_dense_form(samsoe: RoadGraph) -> None:
    cost = samsoe.edge_seconds(ferries=False, ferry_wait_s=0)
    contracted = ContractedGraph(samsoe.indptr, samsoe.heads, cost)
    sources = np.random.default_rng(5).choice(samsoe.n_nodes, 12, replace=False)
    columns = np.arange(samsoe.n_nodes)
    csr = samsoe.csr(ferries=False, ferry_wait_s=0)
    for reverse, graph in ((False, csr), (True, csr.transpose().tocsr())):
        trees = [contracted.tree(int(s), reverse=reverse, limit=120.0) for s in sources]
        assert all(t.core is None for t in trees)  # 2 minutes reach little of the island
        dense = [contracted.dense(t) for t in trees]
        assert all(t.core is not None for t in dense)
        got = contracted.read_many(trees, columns, reverse=reverse, limit=120.0)
        assert np.array_equal(
            got, contracted.read_many(dense, columns, reverse=reverse, limit=120.0)
        )
        for row, tree in zip(got, trees, strict=True):  # many at once = one at a time
            assert np.array_equal(row, contracted.read(tree, columns, reverse=reverse, limit=120.0))
        expected = dijkstra(graph, indices=sources, limit=120.0)
        assert np.array_equal(np.isinf(expected), np.isinf(got))
        finite = np.isfinite(expected)
        assert np.allclose(got[finite], expected[finite], rtol=1e-6, atol=1e-2)
    wide = contracted.tree(int(sources[0]), reverse=False, limit=np.inf)
    assert wide.core is not None  # a tree reaching the whole island stays dense


def test_many_trees_of_both_forms_read_at_once_as_one_at_a_time(samsoe: RoadGraph) -> None:
    """Dense rows read side by side, sparse ones alone, every tree's own chain matched at
    once: each element as the tree read alone gives it, to the last bit (columns given
    twice, on the sources' own chains, and every node)."""
    cost = samsoe.edge_seconds(ferries=False, ferry_wait_s=0)
    contracted = ContractedGraph(samsoe.indptr, samsoe.heads, cost)
    rng = np.random.default_rng(8)
    sources = rng.choice(samsoe.n_nodes, 16, replace=False)
    columns = np.concatenate([sources, sources[:3], rng.choice(samsoe.n_nodes, 200)])
    for reverse in (False, True):
        short = [contracted.tree(int(s), reverse=reverse, limit=120.0) for s in sources[:8]]
        trees = [
            *short[:4],
            *(contracted.dense(t) for t in short[4:]),
            *(contracted.tree(int(s), reverse=reverse, limit=900.0) for s in sources[8:]),
        ]
        assert 0 < sum(t.core is None for t in trees) < len(trees)
        assert any(len(t.own_nodes) > 1 for t in trees)
        for limit in (120.0, 900.0):
            got = contracted.read_many(trees, columns, reverse=reverse, limit=limit)
            alone = [contracted.read(t, columns, reverse=reverse, limit=limit) for t in trees]
            np.testing.assert_array_equal(got, np.vstack(alone))
            by_hand = [_read_one(contracted, t, columns, reverse, limit) for t in trees]
            np.testing.assert_array_equal(got, np.vstack(by_hand))
            assert np.isfinite(got).sum() > len(sources)  # more than the sources themselves


def _read_one(
    contracted: ContractedGraph, tree: Tree, columns: np.ndarray, reverse: bool, limit: float
) -> np.ndarray:
    """One tree read column by column's junctions, then its own chain by a sorted search."""
    side = contracted._bwd if reverse else contracted._fwd
    node, cost = side.read_node[columns], side.read_cost[columns].astype(np.float64)
    row = np.minimum(tree.at(node[:, 0]) + cost[:, 0], tree.at(node[:, 1]) + cost[:, 1])
    at = np.minimum(np.searchsorted(tree.own_nodes, columns), len(tree.own_nodes) - 1)
    hit = tree.own_nodes[at] == columns
    row[hit] = np.minimum(row[hit], tree.own_gaps[at[hit]])
    row[row > limit] = INF
    return row
