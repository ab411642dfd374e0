from __future__ import annotations

import pytest

from smartspot.errors import InvalidInputError
from smartspot.sim.runner import Job, make_jobs, ordered, run_dask, run_serial
from smartspot.sim.scenario import Scenario


def test_dask_run_is_identical_to_serial_run(mvj_scenario: Scenario) -> None:
    jobs = make_jobs(
        mvj_scenario,
        policies=["none", "greedy"],
        seeds=[1, 2],
        days=1.0,
    )
    serial = list(run_serial(jobs))
    parallel = ordered(list(run_dask(jobs, workers=2, processes=False)), jobs)
    assert [r.records for r in parallel] == [r.records for r in serial]
    assert [r.summary for r in parallel] == [r.summary for r in serial]
    assert serial[0].records.calls != serial[1].records.calls  # the seeds do differ


def test_none_runs_once_per_seed_in_a_sweep(mvj_scenario: Scenario) -> None:
    sweep = [(("detour_budget_min", 10.0),), (("detour_budget_min", 45.0),)]
    jobs = make_jobs(mvj_scenario, policies=["none", "greedy"], seeds=[1, 2], days=1.0, sweep=sweep)
    labels = [job.label for job in jobs]
    assert labels.count("none") == 2
    assert labels.count("greedy[detour_budget_min=10.0]") == 2
    assert jobs[1].effective_scenario().policy.detour_budget_min == 10.0


def test_only_smart_spot_settings_can_be_swept(mvj_scenario: Scenario) -> None:
    with pytest.raises(InvalidInputError, match="cannot sweep"):
        Job(mvj_scenario, "greedy", 1, 1.0, (("urgent_per_year", 1.0),))
