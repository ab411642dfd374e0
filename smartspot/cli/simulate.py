"""``smartspot simulate`` and ``smartspot compare``: what would Smart Spot do to a district?"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from smartspot.cli.output import cli_translator, emit, help_text, say
from smartspot.errors import InvalidInputError
from smartspot.i18n import joined, msg
from smartspot.sim.policies import POLICIES
from smartspot.sim.report import write_records, write_report, write_summary
from smartspot.sim.runner import (
    SWEEPABLE,
    Job,
    JobResult,
    district_for,
    make_jobs,
    ordered,
    run_dask,
    run_serial,
    travel_once,
)
from smartspot.sim.scenario import load_scenario
from smartspot.sim.summary import compare


def register(subparsers: Any) -> None:
    sim = subparsers.add_parser(
        "simulate", help=help_text("simulate a district for some days under one policy")
    )
    sim.add_argument(
        "scenario",
        type=Path,
        help=help_text("scenario TOML, e.g. scenarios/oestjylland/scenario.toml"),
    )
    sim.add_argument("--days", type=float, default=7.0, help=help_text("days of calls (default 7)"))
    sim.add_argument("--policy", choices=POLICIES, default="none")
    sim.add_argument(
        "--seed", type=int, default=1, help=help_text("seeds the calls and the operator")
    )
    sim.add_argument(
        "--out", type=Path, required=True, help=help_text("folder for summary, records, report")
    )
    sim.add_argument("--json", action="store_true", help=help_text("print the summary as JSON"))
    sim.set_defaults(func=run_simulate)

    cmp = subparsers.add_parser(
        "compare", help=help_text("compare policies over paired replications (optionally on Dask)")
    )
    cmp.add_argument("scenario", type=Path)
    cmp.add_argument(
        "--policies", default="none,greedy,optimiser", help=help_text("comma-separated")
    )
    cmp.add_argument("--replications", type=int, default=20)
    cmp.add_argument("--days", type=float, default=7.0)
    cmp.add_argument("--seed", type=int, default=1, help=help_text("replication r uses seed + r"))
    cmp.add_argument("--out", type=Path, required=True)
    cmp.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help=help_text(
            "sweep a Smart Spot setting ({SWEEPABLE}); repeat for a grid",
            SWEEPABLE=", ".join(SWEEPABLE),
        ),
    )
    where = cmp.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", help=help_text("address of a Dask scheduler, e.g. tcp://host:8786")
    )
    where.add_argument(
        "--serial", action="store_true", help=help_text("run in this process, no Dask")
    )
    cmp.add_argument(
        "--workers", type=int, default=2, help=help_text("local Dask workers (default 2)")
    )
    cmp.add_argument("--json", action="store_true")
    cmp.set_defaults(func=run_compare)


def parse_sweep(items: list[str]) -> list[tuple[tuple[str, float | None], ...]]:
    """``["detour_budget_min=10,30", "acceptance_rate=0.5,1"]`` → the grid of overrides."""
    grid: list[tuple[tuple[str, float | None], ...]] = [()]
    for item in items:
        key, _, values = item.partition("=")
        key = key.strip()
        if key not in SWEEPABLE or not values:
            raise InvalidInputError(
                msg(
                    "--sweep {item!r}: use KEY=V1,V2 with KEY one of {SWEEPABLE}",
                    item=item,
                    SWEEPABLE=", ".join(SWEEPABLE),
                ),
                field="sweep",
            )
        try:
            numbers = [float(v) for v in values.split(",")]
        except ValueError:
            raise InvalidInputError(
                msg("--sweep {item!r}: values must be numbers", item=item), field="sweep"
            ) from None
        grid = [(*point, (key, n)) for point in grid for n in numbers]
    return grid


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InvalidInputError(msg("--out {out} exists and is not a folder", out=out), field="out")
    out.mkdir(parents=True, exist_ok=True)


def _finish(
    results: list[JobResult], out: Path, title: str, extra: dict[str, Any]
) -> dict[str, Any]:
    by_label: dict[str, list[JobResult]] = defaultdict(list)
    for result in results:
        by_label[result.job.label].append(result)
    comparison = compare(
        {label: [r.records for r in rs] for label, rs in by_label.items()},
        {label: [r.summary for r in rs] for label, rs in by_label.items()},
    )
    summary = {**extra, **comparison}
    if len(results) == 1:
        summary = {**extra, "run": results[0].summary, **comparison}
    write_summary(summary, out)
    write_records(results, out)
    job = results[0].job
    # the report shows every policy against the scenario's hotspots, `none` too
    district = district_for(
        job.effective_scenario(),
        with_hotspots=True,
        travel=travel_once(job.scenario, job.travel_factory),
    )
    write_report(district, results, comparison, out, title=title, t=cli_translator())
    return summary


def run_simulate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    _prepare(args.out)
    job = Job(scenario, args.policy, args.seed, args.days)
    with tqdm(
        total=int(args.days * 24), unit=say(msg("h")), desc=say(msg("simulating")), disable=None
    ) as bar:
        result = _run_one_with_progress(job, bar)
    summary = _finish(
        [result],
        args.out,
        say(
            msg(
                "{scenario}: {days} days, policy {policy}, seed {seed}",
                scenario=scenario.name,
                days=float(args.days),
                policy=args.policy,
                seed=args.seed,
            )
        ),
        {"scenario": scenario.name, "days": args.days, "policy": args.policy, "seed": args.seed},
    )
    run = summary["run"]
    text = msg(
        "{scenario}, {days} days, policy {policy}: {urgent} urgent calls, mean response "
        "{mean:.0f} s; {visits} hotspot visits; wrote {path}",
        scenario=scenario.name,
        days=float(args.days),
        policy=args.policy,
        urgent=run["calls"]["urgent"],
        mean=run["urgent_response_s"]["mean"] or 0,
        visits=run["visits"]["total"],
        path=args.out / "report.html",
    )
    emit(run, as_json=args.json, text=text)
    return 0


def _run_one_with_progress(job: Job, bar: tqdm) -> JobResult:  # type: ignore[type-arg]
    from smartspot.sim.runner import callouts_for, fulfilment_targets
    from smartspot.sim.simulation import simulate
    from smartspot.sim.summary import summarise

    scenario = job.effective_scenario()
    travel = travel_once(job.scenario, job.travel_factory)
    district = district_for(scenario, with_hotspots=job.policy != "none", travel=travel)
    calls = callouts_for(job, district, travel)
    done = [0]

    def tick(seconds: float) -> None:
        hours = int(seconds // 3600)
        bar.update(hours - done[0])
        done[0] = hours

    records = simulate(
        district,
        travel,
        policy=job.policy,
        days=job.days,
        seed=job.seed,
        calls=calls,
        progress=tick,
    )
    targets = fulfilment_targets(scenario, travel)
    return JobResult(job, records, summarise(records, district, targets=targets))


def run_compare(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    unknown = [p for p in policies if p not in POLICIES]
    if unknown or not policies:
        raise InvalidInputError(
            msg(
                "--policies {policies!r}: choose from {POLICIES}",
                policies=args.policies,
                POLICIES=", ".join(POLICIES),
            ),
            field="policies",
        )
    if not 1 <= args.replications <= 10_000:
        raise InvalidInputError(msg("--replications must be 1–10000"), field="replications")
    _prepare(args.out)
    seeds = [args.seed + r for r in range(args.replications)]
    jobs = make_jobs(
        scenario, policies=policies, seeds=seeds, days=args.days, sweep=parse_sweep(args.sweep)
    )
    if args.serial:
        stream = run_serial(jobs)
    else:
        stream = run_dask(jobs, scheduler=args.scheduler, workers=args.workers)
    results = list(
        tqdm(
            stream,
            total=len(jobs),
            unit=say(msg("run")),
            desc=say(msg("replications")),
            disable=None,
        )
    )
    results = ordered(results, jobs)
    summary = _finish(
        results,
        args.out,
        say(
            msg(
                "{scenario}: {policies} over {replications} × {days} days",
                scenario=scenario.name,
                policies=", ".join(policies),
                replications=args.replications,
                days=float(args.days),
            )
        ),
        {
            "scenario": scenario.name,
            "days": args.days,
            "replications": args.replications,
            "seeds": seeds,
            "sweep": args.sweep,
        },
    )
    lines = [
        msg(
            "{scenario}: {runs} runs; wrote {path}",
            scenario=scenario.name,
            runs=len(jobs),
            path=args.out / "report.html",
        )
    ]
    for label, figures in summary["policies"].items():
        mean = figures.get("urgent_response_s.mean", {}).get("mean")
        visits = figures.get("visits.total", {}).get("mean")
        lines.append(
            msg(
                "  {policy}: urgent response mean {mean:.0f} s, visits {visits:.1f}",
                policy=label,
                mean=mean or 0,
                visits=visits or 0,
            )
        )
    emit(summary, as_json=args.json, text=joined(lines, "\n"))
    return 0
