from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartspot.cli.main import main
from smartspot.travel.graph import RoadGraph
from tests.travel.conftest import OSM_DIR


def test_roads_build_writes_a_loadable_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tunoe.npz"
    assert (
        main(["roads", "build", str(OSM_DIR / "tunoe.osm.pbf"), "--out", str(out), "--json"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["nodes"] > 400
    assert result["ferry_edges"] > 0
    assert RoadGraph.load(out).n_nodes == result["nodes"]


def test_roads_build_without_ferries_and_with_a_wait(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.npz"
    args = ["roads", "build", str(OSM_DIR / "tunoe.osm.pbf"), "--out", str(out)]
    assert main([*args, "--no-ferries", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ferry_edges"] == 0
    assert main([*args, "--ferry-wait-min", "5", "--json"]) == 0
    assert RoadGraph.load(out).ferry_wait_s == 300.0


def test_roads_build_of_a_missing_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roads", "build", str(tmp_path / "x.osm.pbf"), "--out", "x"]) == 3
    assert capsys.readouterr().err.count("\n") == 1
