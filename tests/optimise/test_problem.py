from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.optimise.problem import (
    Problem,
    problem_from_dict,
    problem_to_dict,
    read_problem,
    solution_from_dict,
    solution_to_dict,
    write_problem,
)
from smartspot.optimise.solvers import get_solver
from tests.optimise.conftest import random_problem


def _valid() -> dict:
    return {
        "cars": [{"id": "c", "start": 0, "end": 1, "available_s": 0, "budget_s": 600}],
        "hotspots": [{"id": "h", "node": 2, "value": 1.5, "service_s": 60, "windows": [[0, 99]]}],
        "travel_s": [[0, 10, 20], [10, 0, None], [20, None, 0]],
    }


def test_problem_file_round_trips_with_null_as_unreachable(tmp_path: Path) -> None:
    problem = random_problem(3, cars=2, hotspots=15)
    write_problem(problem, tmp_path / "p.json")
    again = read_problem(tmp_path / "p.json")
    assert problem_to_dict(again) == problem_to_dict(problem)
    raw = json.loads((tmp_path / "p.json").read_text())
    assert any(t is None for row in raw["travel_s"] for t in row)
    assert np.isnan(again.travel_s).any()


def test_null_travel_reads_as_nan_so_no_deadline_test_can_pass() -> None:
    problem = problem_from_dict(_valid())
    assert math.isnan(problem.travel_s[1, 2])
    assert problem.deadline(problem.cars[0]) == 0 + 10 + 600


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("travel_s"), "lacks travel_s"),
        (lambda d: d["cars"][0].pop("budget_s"), "lacks budget_s"),
        (lambda d: d["cars"][0].update(speed=3), "unknown keys speed"),
        (lambda d: d["cars"][0].update(start=7), "outside the 3×3"),
        (lambda d: d["cars"][0].update(budget_s=1.5), "whole number"),
        (lambda d: d["cars"][0].update(available_s=-1), "allowed is"),
        (lambda d: d["hotspots"][0].update(value=float("nan")), "finite"),
        (lambda d: d["hotspots"][0].update(value=-2), "negative"),
        (lambda d: d["hotspots"][0].update(windows=[[50, 10]]), "sorted"),
        (lambda d: d["hotspots"][0].update(windows=[[0, 10], [5, 20]]), "disjoint"),
        (lambda d: d["hotspots"].append(dict(d["hotspots"][0])), "appears twice"),
        (lambda d: d["travel_s"].pop(), "must be 2×2|must be 3×3|a row"),
        (lambda d: d["travel_s"][0].__setitem__(1, 1.5), "whole seconds"),
        (lambda d: d["travel_s"][0].__setitem__(1, None), "cannot reach its end"),
        (lambda d: d.update(cars=[]), "non-empty"),
    ],
)
def test_bad_problem_files_are_refused_with_a_clear_message(change, message) -> None:
    data = _valid()
    change(data)
    with pytest.raises(InvalidInputError, match=message):
        problem_from_dict(data)


def test_reading_a_file_that_is_not_json_says_so(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{nope")
    with pytest.raises(InvalidInputError, match="not JSON"):
        read_problem(tmp_path / "p.json")
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_problem(tmp_path / "missing.json")


def test_solution_dict_has_exactly_the_documented_shape(small_problem: Problem) -> None:
    solution = get_solver("greedy").solve(small_problem, time_limit_s=1)
    data = solution_to_dict(solution)
    assert set(data) == {"value", "plans"}
    assert set(data["plans"][0]) == {"car", "stops", "return_s"}
    assert set(data["plans"][0]["stops"][0]) == {"hotspot", "start_s", "leave_s"}
    assert solution_from_dict(json.loads(json.dumps(data))).plans == solution.plans
