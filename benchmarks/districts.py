"""The districts' largest size only, several variants of a solver side by side in one run.

    .venv/bin/python -m benchmarks.districts --methods auto@1 --seeds 0,1,2 --repeat 2
    # variants: module constants set per variant, run in turn on each instance (same load)
    .venv/bin/python -m benchmarks.districts \
        --variant before:smartspot.optimise.solver.PACK_SHARE=0 --variant after:

Instances: ``benchmarks.instances.generate(cars, hotspots, seed)`` (40 x 3000 by default, the
issue's district target). Each variant solves each instance in turn (the order rotated per
repetition), so their comparison shares the machine's load. Every plan is replayed by
``check_solution``. Shares are against the best value known for the instance: the best of
``benchmarks/results/districts_best.json`` (long reference runs, every earlier run of this
benchmark) and of this run; ``--reference 60`` adds a PyVRP run of that many seconds per
instance first. The best values found are written back to that file. ``--busy 2`` runs two
CPU-bound processes beside the solver (started and ended by this script), as
``benchmarks.deadline_load`` does.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.deadline_load import _spin
from benchmarks.instances import generate
from benchmarks.toptw_hard import _apply, _restore, parse_variant
from smartspot.optimise.check import check_solution
from smartspot.optimise.instance import Instance
from smartspot.optimise.solvers import get_solver, preload

ROOT = Path(__file__).resolve().parent
BEST = ROOT / "results" / "districts_best.json"


def _best_known() -> dict[str, float]:
    return json.loads(BEST.read_text()) if BEST.exists() else {}


def _solve(problem, solver: str, limit: float, seed: int) -> dict:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    solution = get_solver(solver).solve(problem, time_limit_s=limit, seed=seed)
    wall = time.perf_counter() - began
    return {
        "method": f"{solver}@{limit:g}",
        "value": solution.value,
        "wall": wall,
        "valid": not check_solution(problem, solution),
        "load": os.getloadavg()[0],
        "slowdown": solution.stats.get("slowdown"),
        "packed_groups": solution.stats.get("packed_groups"),
        "pack_s": solution.stats.get("pack_s"),
        "worst_call_overrun_s": solution.stats.get("worst_call_overrun_s"),
        "overrun_in_loop_s": solution.stats.get("overrun_in_loop_s"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="40x3000")
    parser.add_argument("--methods", default="auto@1")
    parser.add_argument("--seeds", default="0,1,2", help="the instances' seeds")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant and instance")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--reference", type=float, default=0.0, help="a PyVRP run of N s first")
    parser.add_argument("--out", type=Path, help="append each row (JSON) to this file")
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes beside")
    args = parser.parse_args(argv)
    busy = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for process in busy:
        process.start()
    try:
        return _run(args)
    finally:
        for process in busy:
            process.terminate()
            process.join()


def _run(args: argparse.Namespace) -> int:
    cars, hotspots = (int(x) for x in args.size.split("x"))
    methods = [(s.split("@")[0], float(s.split("@")[1])) for s in args.methods.split(",")]
    variants = [parse_variant(v) for v in args.variant] or [("base", [])]
    best = _best_known()
    preload()  # as a service does at its start: CP-SAT is used only once imported
    rows = []
    out = args.out.open("a") if args.out else None
    for seed in [int(s) for s in args.seeds.split(",")]:
        key = f"{cars}x{hotspots} s{seed}"
        problem = generate(cars, hotspots, seed)
        Instance.of(problem)  # the integer matrix: built once, with the problem
        get_solver("auto").solve(problem, time_limit_s=0.01)  # warm the libraries
        if args.reference:
            ref = _solve(problem, "pyvrp", args.reference, 0)
            ref.update(instance=key, variant="reference", repeat=0)
            rows.append(ref)
            if out:
                out.write(json.dumps(ref) + "\n")
            if ref["valid"]:
                best[key] = max(best.get(key, 0.0), ref["value"])
        for rep in range(args.repeat):
            order = variants[rep % len(variants) :] + variants[: rep % len(variants)]
            for solver, limit in methods:
                for vname, settings in order:
                    old = _apply(settings)
                    row = _solve(problem, solver, limit, rep)
                    _restore(old)
                    row.update(instance=key, variant=vname, repeat=rep)
                    rows.append(row)
                    if out:
                        out.write(json.dumps(row) + "\n")
                        out.flush()
                    if row["valid"]:
                        best[key] = max(best.get(key, 0.0), row["value"])
        print(f"{key} done", file=sys.stderr, flush=True)
    BEST.parent.mkdir(exist_ok=True)
    BEST.write_text(json.dumps(dict(sorted(best.items())), indent=1) + "\n")
    for line in report(rows, best):
        print(line)
    return 0


def report(rows: list[dict], best: dict[str, float]) -> list[str]:
    """A line per instance (mean and worst share per variant and method), then the summary."""
    keys = sorted({(r["method"], r["variant"]) for r in rows if r["variant"] != "reference"})
    share: dict[tuple[str, str], list[float]] = defaultdict(list)
    lines = [
        "| instance | best known | " + " | ".join(f"{m} {v}" for m, v in keys) + " |",
        "|---|---|" + "---|" * len(keys),
    ]
    for instance in dict.fromkeys(r["instance"] for r in rows):
        cells = []
        for key in keys:
            got = [
                (r["value"] if r["valid"] else 0.0) / best[instance]
                for r in rows
                if (r["instance"], r["method"], r["variant"]) == (instance, *key)
            ]
            share[key].extend(got)
            cells.append(f"{100 * statistics.mean(got):.2f} / {100 * min(got):.2f}")
        lines.append(f"| {instance} | {best[instance]:.1f} | " + " | ".join(cells) + " |")
    lines.append(
        "| **mean / worst** | | "
        + " | ".join(
            f"{100 * statistics.mean(share[k]):.2f} / {100 * min(share[k]):.2f}" for k in keys
        )
        + " |"
    )
    timed = [r for r in rows if r["variant"] != "reference"]
    invalid = sum(1 for r in rows if not r["valid"])
    loads = [r["load"] for r in timed]
    walls = [r["wall"] for r in timed]
    lines.append(
        f"\nCells: mean / worst share of the best known value in %. Invalid plans: {invalid}. "
        f"Wall median {statistics.median(walls):.3f} s, max {max(walls):.3f} s. Load (1 min) "
        f"median {statistics.median(loads):.1f}, max {max(loads):.1f}."
    )
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
