from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartspot.cli.main import main
from smartspot.optimise.check import check_solution
from smartspot.optimise.problem import read_problem, solution_from_dict, write_problem
from tests.optimise.conftest import random_problem


def test_solve_prints_the_documented_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.json"
    write_problem(random_problem(4, cars=2, hotspots=20), path)
    assert main(["solve", str(path), "--time-limit", "0.2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"value", "plans"}
    assert check_solution(read_problem(path), solution_from_dict(data)) == []


def test_solve_names_what_is_wrong_with_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"cars": [], "hotspots": [], "travel_s": []}')
    assert main(["solve", str(path), "--time-limit", "1"]) == 2
    assert "cars skal være en ikke-tom liste" in capsys.readouterr().err
