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


def test_travel_prints_seconds_metres_and_model(capsys: pytest.CaptureFixture[str]) -> None:
    # Holstebro → Herning, the fallback model of Midt- og Vestjyllands Politi
    assert (
        main(["travel", "8.61607", "56.36009", "8.97662", "56.13615", "--json", "--no-cache"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"seconds", "metres", "reachable", "model"}
    assert result["reachable"] is True
    assert result["model"] == "fallback"
    assert 25 * 60 < result["seconds"] < 45 * 60
    assert 30_000 < result["metres"] < 60_000


def test_travel_on_samsoe_uses_its_road_graph(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["travel", "10.59723", "55.8326", "10.5647", "55.9622", "--json", "--no-cache"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["model"] == "road"


def test_travel_to_samsoe_without_ferries_is_unreachable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["travel", "10.153", "55.97313", "10.59723", "55.8326", "--json", "--no-ferries"]
    args.append("--no-cache")
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"seconds": None, "metres": None, "reachable": False, "model": "fallback"}


def test_travel_into_the_sea_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["travel", "10.153", "55.97313", "10.85", "55.95", "--json", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "havet" in err
