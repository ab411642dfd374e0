from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.travel.graph import RoadGraph
from smartspot.travel.osm import build_graph
from tests.travel.conftest import OSM_DIR


def test_samsoe_graph_has_its_drivable_roads(samsoe: RoadGraph) -> None:
    # data/README.md counts 10,266 drivable nodes without tracks; with its tracks (driven
    # slowly) Samsø has about 14,000, private driveways left out
    assert 13_500 < samsoe.n_nodes < 14_500
    assert samsoe.snappable.sum() > 13_500


def test_samsoe_ferries_take_their_published_duration(samsoe: RoadGraph) -> None:
    # Hov–Sælvig 1:00 and Ballen–Kalundborg 1:15, both ways; Aarhus–Sælvig has no cars
    assert samsoe.seconds[samsoe.ferry].sum() == pytest.approx(2 * 3600 + 2 * 4500, rel=1e-4)
    assert samsoe.wait.sum() == 4  # one departure edge per crossing and direction


def test_no_ferries_build_has_no_ferry_edges(samsoe_no_ferries: RoadGraph) -> None:
    assert not samsoe_no_ferries.ferry.any()


def test_graph_round_trips_through_npz(samsoe: RoadGraph, tmp_path: Path) -> None:
    samsoe.save(tmp_path / "s.npz")
    loaded = RoadGraph.load(tmp_path / "s.npz")
    assert loaded.n_nodes == samsoe.n_nodes
    assert np.array_equal(loaded.heads, samsoe.heads)
    assert np.allclose(loaded.seconds, samsoe.seconds, rtol=1e-6)
    assert loaded.source == "samsoe.osm.pbf"


def test_missing_graph_file_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="smartspot roads build"):
        RoadGraph.load(tmp_path / "nothing.npz")


def test_missing_osm_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        build_graph(tmp_path / "none.osm.pbf")


def test_osm_file_without_roads_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.osm"
    empty.write_text("<?xml version='1.0'?><osm version='0.6'></osm>")
    with pytest.raises(InvalidInputError, match="no drivable road"):
        build_graph(empty)


def test_every_extract_builds() -> None:
    for name in ("anholt", "tunoe"):
        graph = build_graph(OSM_DIR / f"{name}.osm.pbf")
        assert graph.ferry.any()


def test_tracks_reach_places_no_other_road_does(samsoe: RoadGraph) -> None:
    from smartspot.travel.road import RoadTravelTimes
    from tests.travel.conftest import TRANEBJERG, xy

    # the end of the farm track at Samsø's southern tip, 1.6 km from any other road
    tip = xy(10.6199814, 55.7648485)
    times = RoadTravelTimes(samsoe)
    _, distance = times.snap(tip)
    assert distance[0] < 5.0  # on the graph now, not 1.6 km off it
    t = times.matrix(xy(*TRANEBJERG), tip)[0, 0]
    assert np.isfinite(t)
    assert t > 1_600 / (15 / 3.6)  # the last 1.6 km are driven on the track, slowly


def test_the_chain_contraction_is_stored_with_the_graph(samsoe: RoadGraph, tmp_path: Path) -> None:
    assert samsoe.chains is not None
    samsoe.save(tmp_path / "s.npz")
    loaded = RoadGraph.load(tmp_path / "s.npz")
    assert loaded.chains is not None
    assert np.array_equal(loaded.chains.order, samsoe.chains.order)
    assert np.array_equal(loaded.chains.core, samsoe.chains.core)
