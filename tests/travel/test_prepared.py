"""The contraction stored with a large graph answers exactly as one computed by the adapter,
for every ferry option (on, off, another wait, timetabled crossings closed)."""

from __future__ import annotations

import numpy as np
import pytest

from smartspot.travel.graph import RoadGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.road import RoadTravelTimes, _usable


@pytest.fixture(scope="module")
def stored(samsoe: RoadGraph, tmp_path_factory: pytest.TempPathFactory) -> RoadGraph:
    path = tmp_path_factory.mktemp("prepared") / "samsoe.npz"
    samsoe.with_prepared().save(path)
    graph = RoadGraph.load(path)
    assert graph.prepared is not None  # kept through the file
    return graph


def _points(graph: RoadGraph, n: int, seed: int) -> np.ndarray:
    """Random road nodes and the ferry terminals (both sides of every crossing)."""
    nodes = np.flatnonzero(graph.snappable)
    ends = np.concatenate([graph.tails[graph.ferry], graph.heads[graph.ferry]])
    terminals = np.unique(ends[graph.snappable[ends]])
    chosen = np.random.default_rng(seed).choice(nodes, n, replace=False)
    return graph.xy[np.concatenate([chosen, terminals])]


@pytest.mark.parametrize(
    "options",
    [TravelOptions(), TravelOptions(ferries=False), TravelOptions(ferry_wait_s=120.0)],
    ids=["ferries", "no-ferries", "short-wait"],
)
def test_a_stored_contraction_answers_as_a_computed_one(
    samsoe: RoadGraph, stored: RoadGraph, options: TravelOptions
) -> None:
    assert samsoe.ferry.any()  # Samsø's graph has its ferries to the mainland
    fresh = RoadTravelTimes(samsoe, options)
    ready = RoadTravelTimes(stored, options)
    assert _usable(stored, ready._cost) is stored.prepared  # the stored one is used
    a, b = _points(samsoe, 60, 1), _points(samsoe, 80, 2)
    on = RoadTravelTimes(samsoe, TravelOptions(ferry_wait_s=0.0)).matrix(a, b)
    assert (np.nan_to_num(fresh.matrix(a, b), nan=-1) != np.nan_to_num(on, nan=-1)).any()
    for o, d in ((a, b), (b, a)):
        expected, got = fresh.matrix(o, d), ready.matrix(o, d)
        assert np.array_equal(np.isnan(expected), np.isnan(got))
        assert np.allclose(got, expected, rtol=1e-5, atol=0.05, equal_nan=True)


def test_closed_crossings_use_the_stored_contraction_too(stored: RoadGraph) -> None:
    closed = stored.ferry.copy()  # every crossing closed, as for the timetabled ones
    with_closed = RoadTravelTimes(stored, TravelOptions(), closed=closed)
    assert _usable(stored, with_closed._cost) is stored.prepared
    off = RoadTravelTimes(stored, TravelOptions(ferries=False))
    a = _points(stored, 40, 3)
    assert np.allclose(with_closed.matrix(a, a), off.matrix(a, a), equal_nan=True)


def test_a_cost_outside_the_ferries_is_computed_afresh(
    samsoe: RoadGraph, stored: RoadGraph
) -> None:
    closed = np.zeros(stored.n_edges, dtype=bool)
    closed[np.flatnonzero(~stored.ferry)[::40]] = True  # closed roads: no ferry option
    ready = RoadTravelTimes(stored, TravelOptions(), closed=closed)
    assert _usable(stored, ready._cost) is None
    fresh = RoadTravelTimes(samsoe, TravelOptions(), closed=closed)
    a = _points(stored, 40, 4)
    expected, got = fresh.matrix(a, a), ready.matrix(a, a)
    assert np.array_equal(np.isnan(expected), np.isnan(got))
    assert np.allclose(got, expected, rtol=1e-5, atol=0.05, equal_nan=True)
