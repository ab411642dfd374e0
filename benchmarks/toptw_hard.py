"""The hardest TOPTW problems only, several variants of a solver side by side in one run.

    .venv/bin/python -m benchmarks.toptw_hard --methods auto@2 --seeds 0,1
    # variants: module constants set per variant, run in turn on each problem (same load)
    .venv/bin/python -m benchmarks.toptw_hard --methods auto@2 \
        --variant before:smartspot.optimise.pyvrp_solver.POOL_ROUNDS=1 --variant after:

The problems are the 22 whose ``auto@2`` share of the best-known score was below 97 % in the
third session's grid (benchmarks/RESULTS.md) unless ``--only pr10:3,rc202:1`` names others.
``--emulate-second-core`` runs the second search (``smartspot.optimise.portfolio``) in the
benchmark's own process before the first and gives its time back (the clock is set back by
it): the plans a solve would find with a free second core, measured on a loaded machine (the
wall times are then those of the first search alone).

Each variant solves each problem and seed in turn (the order rotated per problem), so their
comparison shares the machine's load. Every plan is replayed by ``check_solution``; shares are
against the best-known score, else the best value of the grid's rows files and of this run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.toptw import RAW, best_known, read_toptw
from benchmarks.toptw_grid import ROOT
from smartspot.optimise.check import check_solution
from smartspot.optimise.instance import Instance
from smartspot.optimise.solvers import get_solver

# The worst-case target: each row's share of best-known at least this
BELOW = 0.97
HARD = (
    "pr10:3 pr06:4 pr10:4 rc202:1 pr06:3 pr10:1 pr03:2 pr04:4 r101:4 pr05:4 pr04:3 "
    "pr09:4 r111:3 rc207:1 pr06:2 r101:3 pr05:3 pr08:4 pr05:2 r108:3 rc206:2 pr09:1"
)


def _path(name: str) -> Path:
    return next(RAW.glob(f"*/{name}.txt"))


def _grid_best() -> dict[tuple[str, int], float]:
    best: dict[tuple[str, int], float] = defaultdict(float)
    for path in (ROOT / "results").glob("toptw_grid*.jsonl"):
        for line in path.open():
            r = json.loads(line)
            if r["valid"]:
                best[r["instance"], r["m"]] = max(best[r["instance"], r["m"]], r["value"])
    return best


def _apply(settings: list[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """Set each ``module.NAME`` to its value (Python literal); the old values, to restore."""
    old = {}
    for target, value in settings:
        module_name, attr = target.rsplit(".", 1)
        module = importlib.import_module(module_name)
        old[module_name, attr] = getattr(module, attr)
        setattr(module, attr, eval(value, {}))  # the benchmark's own command line
    return old


def _restore(old: dict[tuple[str, str], object]) -> None:
    for (module_name, attr), value in old.items():
        setattr(importlib.import_module(module_name), attr, value)


class _Done:
    """A second search that has already answered (``--emulate-second-core``)."""

    def __init__(self, result: object) -> None:
        self.result = result

    def answer(self, until: float) -> object:
        return self.result

    def close(self) -> None:
        pass


def emulate_second_core() -> None:
    """Run each second search to its end at once, then set the clock back by its time."""
    from smartspot.optimise import pyvrp_solver

    real = time.perf_counter
    shift = [0.0]

    def clock() -> float:
        return real() - shift[0]

    def fork(work):  # type: ignore[no-untyped-def]
        began = real()
        try:
            result = work()
        finally:
            shift[0] += real() - began
        return _Done(result)

    time.perf_counter = clock  # type: ignore[assignment]
    pyvrp_solver.fork = fork  # type: ignore[assignment]


def parse_variant(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``name:mod.A=1;mod.B=2`` → (name, [(mod.A, "1"), (mod.B, "2")])."""
    name, _, rest = text.partition(":")
    settings = [tuple(s.split("=", 1)) for s in rest.split(";") if s]
    return name, [(a, b) for a, b in settings]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="auto@2")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--only", default=HARD.replace(" ", ","))
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--out", type=Path, help="append each row (JSON) to this file")
    parser.add_argument("--emulate-second-core", action="store_true")
    args = parser.parse_args(argv)
    if args.emulate_second_core:
        emulate_second_core()
    problems = [(n, int(m)) for n, m in (p.split(":") for p in args.only.split(",") if p)]
    methods = [(s.split("@")[0], float(s.split("@")[1])) for s in args.methods.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    variants = [parse_variant(v) for v in args.variant] or [("base", [])]
    bks = best_known()
    best = _grid_best()
    get_solver("auto").solve(read_toptw(_path("c101"), 1), time_limit_s=0.05)  # warm up
    rows = []
    out = args.out.open("a") if args.out else None
    for i, (name, m) in enumerate(problems):
        problem = read_toptw(_path(name), m)
        Instance.of(problem)
        order = variants[i % len(variants) :] + variants[: i % len(variants)]
        for seed in seeds:
            for solver, limit in methods:
                for vname, settings in order:
                    old = _apply(settings)
                    began = time.perf_counter()
                    solution = get_solver(solver).solve(problem, time_limit_s=limit, seed=seed)
                    wall = time.perf_counter() - began
                    _restore(old)
                    row = {
                        "instance": name,
                        "m": m,
                        "method": f"{solver}@{limit:g}",
                        "variant": vname,
                        "seed": seed,
                        "value": solution.value,
                        "wall": wall,
                        "valid": not check_solution(problem, solution),
                        "load": os.getloadavg()[0],
                        "slowdown": solution.stats.get("slowdown"),
                    }
                    rows.append(row)
                    if out:
                        out.write(json.dumps(row) + "\n")
                        out.flush()
                    if row["valid"]:
                        best[name, m] = max(best[name, m], solution.value)
        print(f"{name} m={m} done", file=sys.stderr, flush=True)
    for line in report(rows, bks, best):
        print(line)
    return 0


def _target(
    row: dict, bks: dict[tuple[str, int], tuple[float, str]], best: dict[tuple[str, int], float]
) -> float:
    key = (row["instance"], row["m"])
    return bks[key][0] if key in bks else best[key]


def report(
    rows: list[dict],
    bks: dict[tuple[str, int], tuple[float, str]],
    best: dict[tuple[str, int], float],
) -> list[str]:
    """A line per problem (mean / lowest share over the seeds per variant and method), then
    the summary: mean / worst over every row, and the rows below ``BELOW`` (a target holds
    on every seed, so the lowest seed is what counts)."""
    keys = sorted({(r["method"], r["variant"]) for r in rows})
    share: dict[tuple[str, str], list[float]] = defaultdict(list)
    lines = ["| problem (mean / lowest seed) | " + " | ".join(f"{m} {v}" for m, v in keys) + " |"]
    lines.append("|---|" + "---|" * len(keys))
    for name, m in dict.fromkeys((r["instance"], r["m"]) for r in rows):
        target = _target({"instance": name, "m": m}, bks, best)
        cells = []
        for key in keys:
            got = [
                (r["value"] if r["valid"] else 0.0) / target
                for r in rows
                if (r["instance"], r["m"], r["method"], r["variant"]) == (name, m, *key)
            ]
            share[key].extend(got)
            cells.append(f"{100 * statistics.mean(got):.1f} / {100 * min(got):.1f}")
        lines.append(f"| {name} m={m} | " + " | ".join(cells) + " |")
    lines.append(
        "| **mean / worst** | "
        + " | ".join(
            f"{100 * statistics.mean(share[k]):.2f} / {100 * min(share[k]):.1f}" for k in keys
        )
        + " |"
    )
    for key in keys:
        low = sorted(
            (r["seed"], r["instance"], r["m"])
            for r in rows
            if (r["method"], r["variant"]) == key
            and (r["value"] if r["valid"] else 0.0) < BELOW * _target(r, bks, best)
        )
        lines.append(
            f"\n{key[0]} {key[1]}: {len(low)} of {len(share[key])} below {100 * BELOW:g} %"
            + (": " + ", ".join(f"{n} m={m} seed {s}" for s, n, m in low) if low else "")
        )
    invalid = sum(1 for r in rows if not r["valid"])
    loads = [r["load"] for r in rows]
    walls = [r["wall"] for r in rows]
    lines.append(
        f"\nInvalid plans: {invalid}. Wall median {statistics.median(walls):.3f} s, max "
        f"{max(walls):.3f} s. Load (1 min) median {statistics.median(loads):.1f}, max "
        f"{max(loads):.1f}."
    )
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
