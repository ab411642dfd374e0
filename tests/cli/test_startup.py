"""``smartspot solve`` on a small file imports no solver backend it does not use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from smartspot.optimise.problem import write_problem
from tests.optimise.conftest import random_problem

HEAVY = ("pyvrp", "ortools", "vroom", "matplotlib", "pandas", "scipy", "geopandas", "shapely")

PROBE = """
import json, sys
from smartspot.cli.main import main
code = main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.stdin.read())))
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _probe(args: list[str]) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(HEAVY),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_solving_a_one_car_file_imports_no_backend(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    write_problem(random_problem(3, cars=1, hotspots=20), path)
    # a generous limit: the proof takes milliseconds, but its time share must survive a
    # loaded machine (past it, the search would fall back to PyVRP and import it)
    result = _probe(["solve", str(path), "--time-limit", "5", "--json"])
    assert result == {"code": 0, "heavy": []}


def test_a_backend_is_imported_when_it_is_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    write_problem(random_problem(3, cars=1, hotspots=20), path)
    result = _probe(["solve", str(path), "--time-limit", "0.1", "--solver", "pyvrp"])
    assert result["code"] == 0 and "pyvrp" in result["heavy"]


def test_a_service_can_import_the_default_solvers_backends_up_front() -> None:
    from smartspot.optimise.solvers import preload

    preload()  # VROOM is only the vroom solver's now, so it is not among them
    assert {"pyvrp", "ortools"} <= {m.split(".")[0] for m in sys.modules}
