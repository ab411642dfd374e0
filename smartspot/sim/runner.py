"""Replications and parameter sweeps, serially or on Dask distributed.

A job is (scenario, policy, seed, days, Smart Spot overrides). Its result depends on nothing
else — the callouts come from the seed alone and every random draw from generators made from
it — so a run on a Dask cluster returns exactly what a serial run returns for the same jobs
(tested). The district and the travel layer are built once per worker process and reused.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from smartspot.errors import InvalidInputError
from smartspot.fulfilment import Target
from smartspot.i18n import msg
from smartspot.live.policy import SWEEPABLE as POLICY_SWEEPABLE
from smartspot.sim.callouts import CalloutSpec, generate_callouts
from smartspot.sim.district import District, build_district
from smartspot.sim.records import RunRecords
from smartspot.sim.scenario import Scenario
from smartspot.sim.simulation import simulate, streams
from smartspot.sim.summary import summarise
from smartspot.travel.port import TravelTimes

TravelFactory = Callable[[Scenario], TravelTimes]
SWEEPABLE = ("acceptance_rate", *POLICY_SWEEPABLE)


def default_travel(scenario: Scenario) -> TravelTimes:
    """The travel layer the scenario's ``[travel]`` table asks for (the product's own)."""
    from smartspot.sim.travel_setup import travel_for

    return travel_for(scenario)


@dataclass(frozen=True)
class Job:
    """One replication to run."""

    scenario: Scenario
    policy: str
    seed: int
    days: float
    overrides: tuple[tuple[str, float | None], ...] = ()
    travel_factory: TravelFactory = field(default=default_travel)

    def __post_init__(self) -> None:
        for key, _ in self.overrides:
            if key not in SWEEPABLE:
                raise InvalidInputError(
                    msg(
                        "cannot sweep {key!r}; sweepable are {SWEEPABLE}",
                        key=key,
                        SWEEPABLE=", ".join(SWEEPABLE),
                    ),
                    field="sweep",
                )

    @property
    def label(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.overrides)
        return f"{self.policy}" + (f"[{extra}]" if extra else "")

    def effective_scenario(self) -> Scenario:
        if not self.overrides:
            return self.scenario
        changes = dict(self.overrides)
        scenario = self.scenario
        if "acceptance_rate" in changes:
            rate = changes.pop("acceptance_rate")
            smartspot = dataclasses.replace(scenario.smartspot, acceptance_rate=float(rate or 0))
            scenario = dataclasses.replace(scenario, smartspot=smartspot)
        if changes:
            policy = scenario.policy.with_changes(**changes)
            scenario = dataclasses.replace(scenario, policy=policy)
        return scenario


@dataclass(frozen=True)
class JobResult:
    job: Job
    records: RunRecords
    summary: dict[str, Any]


# Per-process caches: a worker builds each district, travel layer and callout stream once.
_districts: dict[str, District] = {}
_travels: dict[tuple[str, str], TravelTimes] = {}


def _key(scenario: Scenario) -> str:
    return repr(scenario)


def district_for(
    scenario: Scenario, *, with_hotspots: bool = True, travel: TravelTimes | None = None
) -> District:
    """The district of a scenario, built once per process; with ``travel``, its hotspots'
    station times too (what "outlying" is computed from)."""
    from smartspot.geo.regions import cached_regions
    from smartspot.resources import DATA_DIR

    key = f"{_key(scenario)}|{with_hotspots}"
    if key not in _districts:
        _districts[key] = build_district(
            scenario, cached_regions(DATA_DIR), DATA_DIR, with_hotspots=with_hotspots
        )
    if travel is None:
        return _districts[key]
    timed = f"{key}|{id(travel)}"  # travel layers live as long as the process (travel_once)
    if timed not in _districts:
        _districts[timed] = _districts[key].with_station_times(travel)
    return _districts[timed]


def fulfilment_targets(scenario: Scenario, travel: TravelTimes) -> tuple[Target, ...]:
    """The scenario's hotspots as fulfilment counts them, also for a run without Smart Spot
    (``none`` registers no hotspot, but its fulfilment is measured against the same ones)."""
    return district_for(scenario, with_hotspots=True, travel=travel).fulfilment_targets()


def travel_once(scenario: Scenario, factory: TravelFactory) -> TravelTimes:
    key = (_key(scenario), f"{factory.__module__}.{factory.__qualname__}")
    if key not in _travels:
        _travels[key] = factory(scenario)
    return _travels[key]


_call_cache: dict[tuple[str, int, float, str], list[CalloutSpec]] = {}


def callouts_for(job: Job, district: District, travel: TravelTimes) -> list[CalloutSpec]:
    """The job's callouts; the same for every policy and sweep point with this seed."""
    key = (_key(job.scenario), job.seed, job.days, job.travel_factory.__qualname__)
    if key not in _call_cache:
        if len(_call_cache) > 64:
            _call_cache.clear()
        call_rng, _ = streams(job.seed)
        _call_cache[key] = generate_callouts(district, travel, job.days, call_rng)
    return _call_cache[key]


def run_job(job: Job) -> JobResult:
    """Run one replication (this is what a Dask worker executes)."""
    scenario = job.effective_scenario()
    travel = travel_once(job.scenario, job.travel_factory)
    district = district_for(scenario, with_hotspots=job.policy != "none", travel=travel)
    calls = callouts_for(job, district, travel)
    records = simulate(
        district, travel, policy=job.policy, days=job.days, seed=job.seed, calls=calls
    )
    targets = fulfilment_targets(scenario, travel)
    return JobResult(job, records, summarise(records, district, targets=targets))


def make_jobs(
    scenario: Scenario,
    *,
    policies: Sequence[str],
    seeds: Sequence[int],
    days: float,
    sweep: Sequence[tuple[tuple[str, float | None], ...]] = ((),),
    travel_factory: TravelFactory = default_travel,
) -> list[Job]:
    """Every (sweep point, policy, seed) combination; ``none`` is run once per seed."""
    jobs = []
    for seed in seeds:
        for policy in policies:
            points = [()] if policy == "none" else list(sweep)
            for overrides in points:
                jobs.append(Job(scenario, policy, seed, days, tuple(overrides), travel_factory))
    return jobs


def run_serial(jobs: Sequence[Job]) -> Iterator[JobResult]:
    """Run the jobs one after the other in this process."""
    for job in jobs:
        yield run_job(job)


def run_dask(
    jobs: Sequence[Job],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    processes: bool = True,
) -> Iterator[JobResult]:
    """Run the jobs on Dask distributed, yielding results as they finish.

    Parameters
    ----------
    jobs
        What to run.
    scheduler
        Address of a running scheduler (``tcp://host:8786``); a local cluster when ``None``.
    workers
        Workers of the local cluster (one thread each: OR-Tools and numpy are not shared).
    processes
        Local workers as processes (the real thing) or threads (quick tests).
    """
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            # a free port for the scheduler's HTTP server (and its dashboard, when bokeh is
            # there): with None it takes 8787, and a second cluster on the machine (another
            # sweep, a test) then fails to start
            dashboard_address=":0",
            silence_logs=logging.ERROR,  # shutdown chatter would bury the planner's output
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(run_job, list(jobs), pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def ordered(results: Sequence[JobResult], jobs: Sequence[Job]) -> list[JobResult]:
    """Results in the order of ``jobs`` (Dask hands them back as they finish)."""
    index = {id(job): i for i, job in enumerate(jobs)}
    by_position: dict[int, JobResult] = {}
    for result in results:
        position = index.get(id(result.job))
        if position is None:  # came back through pickling: match by content
            position = jobs.index(result.job)
        by_position[position] = result
    return [by_position[i] for i in range(len(jobs))]
