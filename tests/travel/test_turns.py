from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from smartspot.travel.graph import RoadGraph, from_edges
from smartspot.travel.osm import BuildOptions, build_graph, read_restrictions
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.turns import Turn, parse_restriction, split_nodes
from tests.travel.conftest import OSM_DIR

AARHUS = OSM_DIR / "aarhus_c_marselis.osm.pbf"


def cross(turns: list[Turn]) -> RoadGraph:
    """A plus-shaped junction 4 with arms 0 (west), 1 (north), 2 (east), 3 (south), 100 m
    each, two-way, plus a ring road 0–1–2–3–0 of 300 m per side around it."""
    xy = np.array([[0.0, 100], [100, 200], [200, 100], [100, 0], [100, 100]])
    pairs = [(0, 4), (1, 4), (2, 4), (3, 4), (0, 1), (1, 2), (2, 3), (3, 0)]
    metres = [100.0] * 4 + [300.0] * 4
    t = np.array([a for a, b in pairs] + [b for a, b in pairs])
    h = np.array([b for a, b in pairs] + [a for a, b in pairs])
    m = np.array(metres * 2)
    split = split_nodes(5, t, h, turns)
    e = split.source_edge
    n = split.n_nodes
    return from_edges(
        xy[split.original],
        split.tails,
        split.heads,
        m[e] / 10.0,
        m[e],
        np.zeros(len(e), dtype=bool),
        np.zeros(len(e), dtype=bool),
        np.arange(n) < 5,
        original=split.original,
    )


def seconds(graph: RoadGraph, a: int, b: int) -> float:
    return float(RoadTravelTimes(graph).node_matrix(np.array([a]), np.array([b]))[0, 0])


def test_no_turn_forbids_just_that_turn() -> None:
    free = cross([])
    banned = cross([Turn(u=0, via=4, w=1, only=False)])  # west arm: no left into north
    assert seconds(free, 0, 1) == pytest.approx(20.0)  # through the junction
    assert seconds(banned, 0, 1) == pytest.approx(30.0)  # the ring road instead
    assert seconds(banned, 0, 2) == pytest.approx(20.0)  # straight on is still allowed
    assert seconds(banned, 3, 1) == pytest.approx(20.0)  # other arrivals are not restricted


def test_only_turn_allows_nothing_else() -> None:
    only = cross([Turn(u=0, via=4, w=2, only=True)])  # west arm: only straight on
    assert seconds(only, 0, 2) == pytest.approx(20.0)
    assert seconds(only, 0, 1) == pytest.approx(30.0)
    assert seconds(only, 0, 3) == pytest.approx(30.0)


def test_a_trip_to_the_via_junction_counts_the_restricted_arrival() -> None:
    banned = cross([Turn(u=0, via=4, w=1, only=False)])
    times = RoadTravelTimes(banned)
    assert seconds(banned, 0, 4) == pytest.approx(10.0)
    # the reverse tree towards the junction starts from the junction and its copy
    back = times.node_matrix(np.array([0, 1, 2]), np.array([4]))
    assert back[:, 0] == pytest.approx([10.0, 10.0, 10.0])
    # and a car starting at the junction may turn anywhere
    assert seconds(banned, 4, 1) == pytest.approx(10.0)


def test_relation_tags_for_other_vehicles_or_excepting_cars_are_ignored() -> None:
    members = [("w", 1, "from"), ("n", 2, "via"), ("w", 3, "to")]
    assert parse_restriction(9, {"type": "restriction", "restriction": "no_left_turn"}, members)
    ignored = [
        {"type": "restriction", "restriction:hgv": "no_left_turn"},
        {"type": "restriction", "restriction": "no_left_turn", "except": "bicycle;motorcar"},
        {"type": "restriction:conditional"},
        {"type": "multipolygon", "restriction": "no_left_turn"},
    ]
    for tags in ignored:
        assert parse_restriction(9, tags, members) is None


@pytest.fixture(scope="module")
def aarhus_free() -> RoadGraph:
    return build_graph(AARHUS, BuildOptions(turn_restrictions=False))


def test_aarhus_reads_its_via_node_restrictions(aarhus: RoadGraph) -> None:
    raws = read_restrictions(AARHUS)
    assert len(raws) == 8
    assert sum(1 for r in raws if r.via_ways) == 1  # left out, see smartspot/travel/turns.py
    assert len(aarhus.turns) >= 6
    assert 7918763 in {r.relation for r in raws}


def test_no_path_in_aarhus_makes_a_forbidden_turn(aarhus: RoadGraph) -> None:
    """Every shortest path from every road node: each path's consecutive node triples are the
    (grand-parent, parent, node) triples of the tree, so checking those checks every path."""
    assert aarhus.original is not None and aarhus.turns is not None
    orig = aarhus.original
    csr = aarhus.csr(ferries=True, ferry_wait_s=0)
    sources = np.flatnonzero(aarhus.snappable)
    _, pred = dijkstra(csr, indices=sources, return_predecessors=True)
    checked = 0
    for row in pred:
        x = np.flatnonzero(row >= 0)
        p = row[x]
        x, p = x[row[p] >= 0], p[row[p] >= 0]
        a, b, c = orig[row[p]], orig[p], orig[x]
        for u, via, w, only in aarhus.turns.tolist():
            arriving = (a == u) & (b == via)
            bad = arriving & ((c != w) if only else (c == w))
            assert not bad.any(), f"a path turns {u}->{via}->{c[bad][0]} against {only=}"
            checked += int(arriving.sum())
    assert checked > 50  # restricted arrivals are on many paths, and all turn legally


def test_only_left_turn_7918763_sends_straight_on_traffic_round(
    aarhus: RoadGraph, aarhus_free: RoadGraph
) -> None:
    # from way 343935610 via node 117392 only left onto way 23338808
    only = [t for t in aarhus.turns.tolist() if t[3] == 1]
    assert only
    changed = 0
    restricted, free = RoadTravelTimes(aarhus), RoadTravelTimes(aarhus_free)
    for u, via, w, _ in only:
        lo, hi = aarhus_free.indptr[via], aarhus_free.indptr[via + 1]
        others = [x for x in aarhus_free.heads[lo:hi].tolist() if x not in (u, w)]
        if not others:
            continue
        t_free = free.node_matrix(np.array([u]), np.array(others))[0]
        t_restricted = restricted.node_matrix(np.array([u]), np.array(others))[0]
        assert (t_restricted >= t_free - 1e-6).all()
        changed += int((t_restricted > t_free + 1).sum())
        leg_free = free.node_matrix(np.array([u]), np.array([w]))[0, 0]
        assert restricted.node_matrix(np.array([u]), np.array([w]))[0, 0] == pytest.approx(leg_free)
    assert changed > 0
