"""The live clears' problems solved again (issue 10 §7): the problem files written by
``benchmarks.national_profile --parts --dump DIR`` solved with the policy's solver and time
limit over several seeds, with module settings changed or not (``--set``), to compare the
answers' value and the wall time of each setting on the same problems.

Run: ``nice -n 19 .venv/bin/python -m benchmarks.clear_solves DIR [--slow 0.06] [--seeds 5]
[--set pyvrp_solver.SHORT_STOP=0]``; prints one line a problem and a summary.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

from smartspot.optimise.check import check_solution
from smartspot.optimise.problem import problem_from_dict
from smartspot.optimise.solvers import get_solver, preload


def _set(assignments: list[str]) -> None:
    for item in assignments:
        name, _, text = item.partition("=")
        module, _, attribute = name.rpartition(".")
        owner = importlib.import_module(f"smartspot.optimise.{module}")
        setattr(owner, attribute, type(getattr(owner, attribute))(json.loads(text)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--slow", type=float, default=0.0,
                        help="only problems whose recorded solve took this many s or more")  # fmt: skip
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--solver", default="auto")
    parser.add_argument("--limit", type=float, help="time limit (s); default the recorded one")
    parser.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=JSON")
    parser.add_argument("--slowdown", type=float,
                        help="every solve measures this slowdown (pace.Pace), as a worker whose "
                        "planning thread waits for the interpreter behind AVL batches")  # fmt: skip
    parser.add_argument("--out", type=Path, help="the rows as JSON here")
    args = parser.parse_args(argv)
    preload()
    _set(args.set)
    if args.slowdown is not None:
        from smartspot.optimise import pace

        measured = float(args.slowdown)
        pace.Pace.slowdown = lambda self: measured  # type: ignore[method-assign]
    files = sorted(args.folder.glob("solve-*.json"))
    records = [(f, json.loads(f.read_text())) for f in files]
    records = [(f, r) for f, r in records if r["solve_s"] >= args.slow]
    solver = get_solver(args.solver)
    rows: list[dict[str, Any]] = []
    for path, record in records:
        problem = problem_from_dict(record["problem"])
        limit = args.limit or record["time_limit_s"]
        for seed in range(args.seeds):
            began = time.perf_counter()
            solution = solver.solve(problem, time_limit_s=limit, seed=seed)
            wall = time.perf_counter() - began
            broken = check_solution(problem, solution)
            if broken:
                raise SystemExit(f"{path.name} seed {seed}: {broken}")
            row = {"file": path.name, "seed": seed, "value": solution.value, "wall_s": wall,
                   "tasks": len(problem.hotspots), "cars": len(problem.cars),
                   **{k: v for k, v in solution.stats.items()
                      if k in ("proven_groups", "parts", "searched_iterations", "stopped_early")}}  # fmt: skip
            rows.append(row)
        mine = rows[-args.seeds :]
        print(
            f"{path.name}: {mine[0]['tasks']} tasks, {mine[0]['cars']} cars, recorded "
            f"{record['solve_s'] * 1000:.0f} ms value {record['value']:.3f}; values "
            + " ".join(f"{r['value']:.3f}" for r in mine)
            + "; ms "
            + " ".join(f"{r['wall_s'] * 1000:.0f}" for r in mine),
            flush=True,
        )
    if rows:
        walls = sorted(r["wall_s"] * 1000 for r in rows)
        print(
            f"{len(rows)} solves: value sum {sum(r['value'] for r in rows):.3f}; wall p50 "
            f"{statistics.median(walls):.1f} / p90 {walls[int(0.9 * (len(walls) - 1))]:.1f} / "
            f"max {walls[-1]:.1f} ms"
        )
    if args.out is not None:
        args.out.write_text(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
