"""Every published TOPTW instance × m = 1–4 cars × every solver at 1 s and 2 s.

    .venv/bin/python -m benchmarks.toptw_grid run            # the grid (~45 min), resumable
    .venv/bin/python -m benchmarks.toptw_grid reference      # reference runs (see below)
    .venv/bin/python -m benchmarks.toptw_grid report         # the tables for RESULTS.md
    # a rerun of some methods into its own file, shares against the best of both files:
    .venv/bin/python -m benchmarks.toptw_grid run --methods auto@1,auto@2 --out F.jsonl
    .venv/bin/python -m benchmarks.toptw_grid report --out F.jsonl \
        --best-from benchmarks/results/toptw_grid.jsonl
    # the same grid on another seed (its rows say so; a target holds on every seed):
    .venv/bin/python -m benchmarks.toptw_grid run --methods auto@2 --seed 1 --out F1.jsonl

Instances: ``../shared/benchmarks/toptw/raw/`` (Solomon 100, Solomon 200, Cordeau pr01–pr10),
read by ``benchmarks/toptw.py`` into the problem-file format. Each row (one solve) is appended
to ``benchmarks/results/toptw_grid.jsonl`` as soon as it is done, so an interrupted run goes on
where it stopped. Every plan is replayed by ``check_solution``. The share of a run is its value
over the literature's best-known score where ``benchmarks/toptw_bks.csv`` has one, else over
the best value any run found on that instance (the grid and the reference runs); a run that
collects every hotspot's value is optimal whatever the table says.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.toptw import best_known, instances, read_toptw, total_score
from smartspot.optimise.check import check_solution
from smartspot.optimise.instance import Instance
from smartspot.optimise.solvers import get_solver

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "results" / "toptw_grid.jsonl"
CARS = (1, 2, 3, 4)
METHODS = [
    ("greedy", 1.0),
    ("vroom", 1.0),
    ("vroom", 2.0),
    ("ortools", 1.0),
    ("ortools", 2.0),
    ("pyvrp", 1.0),
    ("pyvrp", 2.0),
    ("auto", 1.0),
    ("auto", 2.0),
]


def _done(out: Path) -> set[tuple[str, int, str, int]]:
    if not out.exists():
        return set()
    return {
        (r["instance"], r["m"], r["method"], r.get("seed", 0)) for r in map(json.loads, out.open())
    }


def _solve(
    set_name: str, name: str, path: Path, m: int, solver: str, limit: float, seed: int = 0
) -> dict:
    problem = read_toptw(path, m)
    Instance.of(problem)  # the integer matrix belongs to building the problem
    began = time.perf_counter()
    solution = get_solver(solver).solve(problem, time_limit_s=limit, seed=seed)
    wall = time.perf_counter() - began
    return {
        "set": set_name,
        "instance": name,
        "m": m,
        "method": f"{solver}@{limit:g}",
        "seed": seed,
        "value": solution.value,
        "wall": wall,
        "valid": not check_solution(problem, solution),
        "total": total_score(problem),
        "load": os.getloadavg()[0],
    }


def run(
    methods: list[tuple[str, float]],
    only: set[tuple[str, int]] | None = None,
    out_path: Path = OUT,
    seed: int = 0,
) -> None:
    out_path.parent.mkdir(exist_ok=True)
    done = _done(out_path)
    get_solver("auto").solve(read_toptw(instances()[0][2], 1), time_limit_s=0.05)  # warm up
    with out_path.open("a") as out:
        for set_name, name, path in instances():
            for m in CARS:
                if only is not None and (name, m) not in only:
                    continue
                for solver, limit in methods:
                    if (name, m, f"{solver}@{limit:g}", seed) in done:
                        continue
                    row = _solve(set_name, name, path, m, solver, limit, seed)
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                print(f"{name} m={m} done", file=sys.stderr, flush=True)


def reference(limit: float) -> None:
    """``auto`` at ``limit`` s on every instance without a best-known score whose best grid
    value does not already collect every hotspot (then nothing can be better)."""
    bks = best_known()
    rows = [json.loads(line) for line in OUT.open()]
    best: dict[tuple[str, int], float] = defaultdict(float)
    total: dict[tuple[str, int], float] = {}
    for r in rows:
        key = (r["instance"], r["m"])
        if r["valid"]:
            best[key] = max(best[key], r["value"])
        total[key] = r["total"]
    todo = {k for k in total if k not in bks and best[k] < total[k] - 1e-9}
    print(f"{len(todo)} reference runs of {limit:g} s", file=sys.stderr, flush=True)
    run([("auto", limit)], only=todo)


def report(out_path: Path = OUT, best_from: list[Path] | None = None) -> list[str]:
    bks = best_known()
    rows = [json.loads(line) for line in out_path.open()]
    others = [json.loads(line) for path in best_from or [] for line in path.open()]
    best: dict[tuple[str, int], float] = defaultdict(float)
    for r in rows + others:
        if r["valid"]:
            best[r["instance"], r["m"]] = max(best[r["instance"], r["m"]], r["value"])
    present = {r["method"] for r in rows}
    methods = [f"{s}@{t:g}" for s, t in METHODS if f"{s}@{t:g}" in present]
    methods += sorted(present - set(methods) - {"auto@10", "auto@60"})
    total_of = {(r["instance"], r["m"]): r["total"] for r in rows}
    share: dict[tuple[str, int, str], float] = {}
    for r in rows:
        key = (r["instance"], r["m"])
        full = r["value"] >= r["total"] - 1e-9
        target = bks[key][0] if key in bks else best[key]
        target = min(target, r["total"]) if full else target
        value = r["value"] if r["valid"] else 0.0
        share[r["instance"], r["m"], r["method"]] = value / target if target > 0 else 1.0
    by_group: dict[str, list[tuple[str, int]]] = defaultdict(list)
    keys = sorted({(r["set"], r["instance"], r["m"]) for r in rows})
    for set_name, name, m in keys:
        by_group[f"{set_name}, m = {m}"].append((name, m))
        by_group["all"].append((name, m))
    lines = [
        "| instances | n | with best-known | "
        + " | ".join(f"{m} mean / worst" for m in methods)
        + " |",
        "|---|---|---|" + "---|" * len(methods),
    ]
    for group, members in by_group.items():
        cells = []
        for method in methods:
            values = [share[n, m, method] for n, m in members if (n, m, method) in share]
            cells.append(
                f"{100 * statistics.mean(values):.2f} / {100 * min(values):.1f}" if values else "–"
            )
        known = sum(1 for k in members if k in bks)
        lines.append(f"| {group} | {len(members)} | {known} | " + " | ".join(cells) + " |")
    walls = defaultdict(list)
    for r in rows:
        walls[r["method"]].append(r["wall"])
    lines += [
        "",
        "| method | wall median | wall max | invalid plans |",
        "|---|---|---|---|",
    ]
    for method in sorted(walls):
        invalid = sum(1 for r in rows if r["method"] == method and not r["valid"])
        lines.append(
            f"| {method} | {statistics.median(walls[method]):.3f} s | "
            f"{max(walls[method]):.3f} s | {invalid} |"
        )
    for method in ("auto@1", "auto@2"):
        worst = sorted(
            ((share[n, m, method], n, m) for _, n, m in keys if (n, m, method) in share)
        )[:10]
        if worst:
            lines += [
                "",
                f"Lowest shares of `{method}`: "
                + ", ".join(f"{n} m={m} {100 * s:.1f} %" for s, n, m in worst),
            ]
    refs = [r for r in rows if r["method"] not in methods]
    ref_names = sorted({r["method"] for r in refs})
    if refs:
        lines.append(
            f"Reference runs: {len(refs)} ({', '.join(ref_names)}) on the "
            f"{sum(1 for k in best if k not in bks)} instances without a best-known score; "
            f"their best improved on the grid's best on "
            f"{sum(1 for r in refs if r['value'] > _grid_best(rows, methods, r) + 1e-9)}."
        )
    if others:
        lines.append(
            f"Shares without a best-known score are against the best of these rows and "
            f"{len(others)} rows of {', '.join(str(p.name) for p in best_from or [])}."
        )
    full = sum(1 for k in best if k in total_of and best[k] >= total_of[k] - 1e-9)
    lines.append(f"Instances where some run collected every hotspot's value (optimal): {full}.")
    seeds = sorted({r.get("seed", 0) for r in rows})
    lines.append(f"Seed of the solvers: {', '.join(map(str, seeds))} (one a rows file).")
    loads = [r["load"] for r in rows]
    lines.append(
        f"Load average (1 min) during the runs: median {statistics.median(loads):.1f}, "
        f"max {max(loads):.1f} (2 cores)."
    )
    return lines


def _grid_best(rows: list[dict], methods: list[str], ref: dict) -> float:
    return max(
        (
            r["value"]
            for r in rows
            if r["instance"] == ref["instance"]
            and r["m"] == ref["m"]
            and r["method"] in methods
            and r["valid"]
        ),
        default=0.0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["run", "reference", "report"])
    parser.add_argument("--limit", type=float, default=60.0, help="reference run seconds")
    parser.add_argument("--methods", help="solver@limit,... (default: the whole grid)")
    parser.add_argument("--out", type=Path, default=OUT, help="rows file")
    parser.add_argument("--best-from", type=Path, nargs="*", default=[], help="more rows files")
    parser.add_argument("--seed", type=int, default=0, help="the solvers' seed (run)")
    args = parser.parse_args(argv)
    if args.what == "run":
        methods = METHODS
        if args.methods:
            methods = [(m.split("@")[0], float(m.split("@")[1])) for m in args.methods.split(",")]
        run(methods, out_path=args.out, seed=args.seed)
    elif args.what == "reference":
        reference(args.limit)
    else:
        print("\n".join(report(args.out, args.best_from)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
