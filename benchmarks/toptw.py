"""Published TOPTW instances (KU Leuven text format) as Smart Spot problems, and their
best-known scores.

The conversion follows ``../shared/benchmarks/toptw/README.md`` (and reproduces its 24 problem
files exactly, see ``tests/optimise/test_toptw.py``): one depot node is start and end of every
car; the car is free at the depot's opening × 100 and its budget is (closing − opening) × 100;
a window's closing time is the latest start of service; travel is the Euclidean distance
truncated to one decimal (Solomon) or two (Cordeau), × 100, in whole units; service × 100;
scores are the values.

Best-known scores (``benchmarks/toptw_bks.csv``): the shared index (Righini & Salani 2009,
Labadie et al. 2012, Hu & Lim 2014), Righini & Salani's proven m = 1 optima for Solomon 100
(their DSSR output files) and the Hu & Lim table for Cordeau pr01–pr10 with m = 1–4.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from smartspot.optimise.problem import Car, Problem, Task

ROOT = Path(__file__).resolve().parent
# ``../shared`` beside the repository (a worktree sits one level deeper)
SHARED = next(
    (
        up / "shared" / "benchmarks" / "toptw"
        for up in ROOT.parents
        if (up / "shared" / "benchmarks" / "toptw").is_dir()
    ),
    ROOT.parent.parent / "shared" / "benchmarks" / "toptw",
)
RAW = SHARED / "raw"
SETS = ("solomon100", "solomon200", "cordeau")
SCALE = 100


def read_toptw(path: Path, cars: int) -> Problem:
    """The raw instance at ``path`` with ``cars`` cars, as a problem.

    The set is told by the folder: Cordeau distances keep two decimals, Solomon one.
    """
    lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    decimals = 2 if Path(path).parent.name == "cordeau" else 1
    nodes = [ln for ln in lines[2:] if len(ln) >= 9]
    xy = np.array([[float(ln[1]), float(ln[2])] for ln in nodes])
    depot_open, depot_close = float(nodes[0][-2]), float(nodes[0][-1])
    distance = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    unit = 10**decimals
    # truncation as in the papers; the epsilon keeps 12.3 from becoming 12.29999…
    travel = np.floor(distance * unit + 1e-9) * (SCALE // unit)
    tasks = []
    for i, ln in enumerate(nodes[1:], start=1):
        service, score = float(ln[3]), float(ln[4])
        opens, closes = float(ln[-2]), float(ln[-1])
        tasks.append(
            Task(
                id=f"c{ln[0]}",
                node=i,
                value=score,
                service_s=round(service * SCALE),
                windows=((round(opens * SCALE), round(closes * SCALE)),),
            )
        )
    fleet = tuple(
        Car(
            id=f"car{k + 1}",
            start=0,
            end=0,
            available_s=round(depot_open * SCALE),
            budget_s=round((depot_close - depot_open) * SCALE),
        )
        for k in range(cars)
    )
    return Problem(cars=fleet, hotspots=tuple(tasks), travel_s=travel)


def instances(sets: tuple[str, ...] = SETS) -> list[tuple[str, str, Path]]:
    """(set, instance name, raw path) of every raw instance, sorted."""
    found = []
    for name in sets:
        for path in sorted((RAW / name).glob("*.txt")):
            found.append((name, path.stem, path))
    return found


def best_known() -> dict[tuple[str, int], tuple[float, str]]:
    """(instance, m) → (best-known score, source) from ``benchmarks/toptw_bks.csv``."""
    table: dict[tuple[str, int], tuple[float, str]] = {}
    with (ROOT / "toptw_bks.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(row for row in handle if not row.startswith("#")):
            table[row["instance"], int(row["m"])] = (float(row["bks"]), row["source"])
    return table


def total_score(problem: Problem) -> float:
    """Every hotspot's value: a plan that collects it all is optimal."""
    return math.fsum(t.value for t in problem.hotspots)
