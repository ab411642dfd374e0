"""Simulation speed: simulated days per second for a 7-day Midt- og Vestjylland run per policy,
and the speed-up of a batch of replications from 1 to 2 Dask workers.

Run from the repository root::

    .venv/bin/python benchmarks/simulation.py [--days 7] [--repeats 3] [--replications 4]

Targets (issue 6): a 7-day run with the optimiser policy in <= 60 s on one core; >= 1.8x with
2 workers. The machine has 2 cores shared with other engineers, so medians are quoted and the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from smartspot.resources import SCENARIOS_DIR
from smartspot.sim.runner import (
    callouts_for,
    district_for,
    make_jobs,
    run_dask,
    run_job,
    travel_once,
)
from smartspot.sim.scenario import load_scenario

SCENARIO = SCENARIOS_DIR / "midt_vestjylland" / "scenario.toml"


def per_policy(days: float, repeats: int, policies: list[str]) -> None:
    scenario = load_scenario(SCENARIO)
    print(f"## 7-day runs, {scenario.name}, {days:g} days, median of {repeats}")
    print(
        "| policy | wall s (median) | CPU s (median) | simulated days/s (wall) | days/s (CPU) "
        "| urgent calls | visits | events |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for policy in policies:
        jobs = make_jobs(scenario, policies=[policy], seeds=[1], days=days)
        job = jobs[0]
        # build the district, travel layer and callouts once, outside the timing
        district = district_for(job.effective_scenario(), with_hotspots=policy != "none")
        callouts_for(job, district, travel_once(job.scenario, job.travel_factory))
        walls, cpus = [], []
        result = None
        for _ in range(repeats):
            began, began_cpu = time.perf_counter(), time.process_time()
            result = run_job(job)
            walls.append(time.perf_counter() - began)
            cpus.append(time.process_time() - began_cpu)
        assert result is not None
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        summary = result.summary
        print(
            f"| {policy} | {wall:.2f} | {cpu:.2f} | {days / wall:.2f} | {days / cpu:.2f} | "
            f"{summary['calls']['urgent']} | {summary['visits']['total']} | "
            f"{result.records.events} |"
        )


def speedup(days: float, replications: int, policy: str) -> None:
    scenario = load_scenario(SCENARIO)
    jobs = make_jobs(scenario, policies=[policy], seeds=list(range(1, replications + 1)), days=days)
    print(f"\n## Dask speed-up: {replications} replications × {days:g} days, policy {policy}")
    print("| workers | wall s | speed-up |")
    print("|---|---|---|")
    base = None
    for workers in (1, 2):
        began = time.perf_counter()
        list(run_dask(jobs, workers=workers))
        wall = time.perf_counter() - began
        base = base or wall
        print(f"| {workers} | {wall:.1f} | {base / wall:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--policies", default="none,greedy,optimiser")
    parser.add_argument("--speedup-policy", default="optimiser")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    per_policy(args.days, args.repeats, args.policies.split(","))
    speedup(args.days, args.replications, args.speedup_policy)
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
