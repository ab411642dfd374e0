"""``smartspot sweep``: which Smart Spot settings give every hotspot its visits at no real cost
to urgent response times? A grid of settings per district, paired with ``none`` on the same
calls, on Dask (a local cluster, a scheduler's address, or ``--serial``)."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from tqdm import tqdm

from smartspot.cli.output import cli_translator, emit, help_text, say
from smartspot.errors import InvalidInputError
from smartspot.i18n import joined, msg
from smartspot.sim.runner import SWEEPABLE, make_jobs, ordered, run_dask, run_serial
from smartspot.sim.scenario import load_scenario
from smartspot.sim.sweep import Goal, Run, Setting, by_scenario, design, points

#: The grid of issue 13 (detour budget, idle threshold, operator acceptance, cool-down).
DEFAULT_GRID = (
    "detour_budget_min=10,20,30,45",
    "idle_after_min=0,20,40,60",
    "acceptance_rate=0.3,0.7,1.0",
    "cooldown_min=120,360",
)


def register(subparsers: Any) -> None:
    sweep = subparsers.add_parser(
        "sweep",
        help=help_text(
            "sweep Smart Spot settings per district: fulfilment against urgent response "
            "(paired with no Smart Spot, on Dask)"
        ),
    )
    sweep.add_argument("scenarios", type=Path, nargs="*", help=help_text("scenario TOML files"))
    sweep.add_argument(
        "--merge",
        action="append",
        default=[],
        type=Path,
        metavar="FOLDER",
        help=help_text(
            "add the runs of an earlier sweep (its runs.csv) to this one's points; with no "
            "scenarios only the merged runs are reported"
        ),
    )
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help=help_text(
            "a setting and its values ({SWEEPABLE}); repeat for a grid (default: {grid})",
            SWEEPABLE=", ".join(SWEEPABLE),
            grid=" ".join(DEFAULT_GRID),
        ),
    )
    sweep.add_argument(
        "--center",
        action="append",
        default=[],
        metavar="KEY=V",
        help=help_text(
            "a point to run, one setting per option; with --arm the middle of one-at-a-time arms"
        ),
    )
    sweep.add_argument(
        "--arm",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help=help_text(
            "vary one setting of the center (--center), the others at the center's values; "
            "repeat for more arms (run besides any --grid)"
        ),
    )
    sweep.add_argument(
        "--policy", default="optimiser", choices=("greedy", "optimiser"), help=help_text(
            "the Smart Spot policy swept (idle proposals come from idle_after_min)"
        ),
    )  # fmt: skip
    sweep.add_argument("--replications", type=int, default=5)
    sweep.add_argument("--days", type=float, default=7.0)
    sweep.add_argument("--seed", type=int, default=1, help=help_text("replication r uses seed + r"))
    sweep.add_argument("--out", type=Path, required=True)
    where = sweep.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", help=help_text("address of a Dask scheduler, e.g. tcp://host:8786")
    )
    where.add_argument(
        "--serial", action="store_true", help=help_text("run in this process, no Dask")
    )
    sweep.add_argument(
        "--workers", type=int, default=2, help=help_text("local Dask workers (default 2)")
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help=help_text(
            "keep the runs already in --out's runs.csv (a stopped sweep) and run only the rest"
        ),
    )
    sweep.add_argument("--json", action="store_true")
    sweep.set_defaults(func=run_sweep)


def _single(item: str, parse: Any) -> tuple[Setting, ...]:
    """``KEY=V`` → its one setting (a center names one value per setting)."""
    found = parse([item])
    if len(found) != 1:
        raise InvalidInputError(
            msg("--center {item!r}: one value per setting (KEY=V)", item=item), field="center"
        )
    return tuple(found[0])


def _arm(item: str, parse: Any) -> tuple[str, list[float]]:
    """``KEY=V1,V2`` → the setting and its values."""
    found = parse([item])
    return found[0][0][0], [float(point[0][1]) for point in found]


def _run(result: Any) -> Run:
    job = result.job
    return Run(job.scenario.name, job.label, job.overrides, job.seed, result.summary)


def run_sweep(args: argparse.Namespace) -> int:
    from smartspot.cli.simulate import parse_sweep
    from smartspot.sim.report_sweep import merge_runs, read_runs, write_runs, write_sweep

    if not 1 <= args.replications <= 1_000:
        raise InvalidInputError(msg("--replications must be 1–1000"), field="replications")
    if args.out.exists() and not args.out.is_dir():
        raise InvalidInputError(
            msg("--out {out} exists and is not a folder", out=args.out), field="out"
        )
    if not args.scenarios and not args.merge:
        raise InvalidInputError(msg("name scenario files, or earlier sweeps with --merge"))
    merged = []
    for folder in args.merge:
        if not (folder / "runs.csv").is_file():
            raise InvalidInputError(
                msg("--merge {folder}: no runs.csv there", folder=folder), field="merge"
            )
        merged.append(read_runs(folder / "runs.csv"))
    grid_items = args.grid or ([] if args.center or not args.scenarios else list(DEFAULT_GRID))
    center = [setting for item in args.center for setting in _single(item, parse_sweep)]
    arms = [_arm(item, parse_sweep) for item in args.arm]
    grid = design(parse_sweep(grid_items) if grid_items else [], center, arms)
    seeds = [args.seed + r for r in range(args.replications)]
    jobs = []
    for path in args.scenarios:
        scenario = load_scenario(path)
        jobs += make_jobs(
            scenario, policies=["none", args.policy], seeds=seeds, days=args.days, sweep=grid
        )
    jobs.sort(key=lambda j: j.seed)  # replication by replication: a stopped sweep pairs
    args.out.mkdir(parents=True, exist_ok=True)
    done: list[Run] = []
    if args.resume and (args.out / "runs.csv").is_file():
        done = read_runs(args.out / "runs.csv")
        have = {(r.scenario, r.label, r.seed) for r in done}
        jobs = [j for j in jobs if (j.scenario.name, j.label, j.seed) not in have]
    write_runs(done, args.out)  # then each run as it ends
    stream = (
        run_serial(jobs)
        if args.serial or not jobs
        else run_dask(jobs, scheduler=args.scheduler, workers=args.workers)
    )
    finished = []
    for result in tqdm(
        stream, total=len(jobs), unit=say(msg("run")), desc=say(msg("sweep")), disable=None
    ):
        finished.append(result)
        write_runs([_run(result)], args.out, append=True)
    runs = merge_runs([_run(r) for r in ordered(finished, jobs)], done, *merged)
    write_runs(runs, args.out)
    goal = Goal()
    facts = {
        "scenarios": [str(p) for p in args.scenarios],
        "policy": args.policy,
        "grid": grid_items,
        "center": args.center,
        "arms": args.arm,
        "points": len({(r.scenario, r.label) for r in runs if r.label != "none"}),
        "replications": max(Counter((r.scenario, r.label) for r in runs).values(), default=0),
        "days": args.days,
        "seeds": sorted({r.seed for r in runs}),
        "runs": len(runs),
        "merged": [str(f) for f in args.merge],
    }
    document = write_sweep(by_scenario(points(runs)), args.out, goal=goal, facts=facts,
                           t=cli_translator())  # fmt: skip
    lines = [msg("{runs} runs; wrote {path}", runs=len(runs), path=args.out / "sweep.html")]
    for scenario, found in document["districts"].items():
        if found["reached"]:
            lines.append(
                msg(
                    "  {scenario}: goal reached by {settings}",
                    scenario=scenario,
                    settings=", ".join(found["reached"]),
                )
            )
        else:
            lines.append(
                msg(
                    "  {scenario}: goal not reached; closest {setting}",
                    scenario=scenario,
                    setting=found["closest"],
                )
            )
    emit(document, as_json=args.json, text=joined(lines, "\n"))
    return 0
