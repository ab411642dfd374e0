"""The settings sweep: paired against ``none`` seed by seed, the frontier of points no other
beats, the goal's verdict, the files it writes, and the same results on one or two Dask
workers."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from smartspot.errors import InvalidInputError
from smartspot.i18n import translator
from smartspot.sim.report_sweep import merge_runs, read_runs, write_runs, write_sweep
from smartspot.sim.runner import make_jobs, ordered, run_dask
from smartspot.sim.scenario import Scenario
from smartspot.sim.sweep import Goal, Run, by_scenario, design, frontier, points, verdict


def _summary(share: float, outlying: float, mean: float, p90: float) -> dict[str, Any]:
    return {
        "fulfilment": {"share": share, "outlying": {"share": outlying}},
        "urgent_response_s": {"mean": mean, "p90": p90},
        "proposals": {"idle_accepted": 0},
    }


def _runs(label: str, figures: list[tuple[float, float, float, float]]) -> list[Run]:
    settings = () if label == "none" else (("idle_after_min", float(len(label))),)
    return [
        Run("MV", label, settings, seed, _summary(*f)) for seed, f in enumerate(figures, start=1)
    ]


NONE = _runs("none", [(0.0, 0.0, 600.0, 1000.0), (0.0, 0.0, 500.0, 900.0)])


def test_a_point_is_paired_with_none_seed_by_seed_in_per_cent() -> None:
    runs = [*NONE, *_runs("a", [(0.9, 0.8, 612.0, 1010.0), (0.7, 0.6, 505.0, 918.0)])]
    [point] = points(runs)
    assert point.share["mean"] == pytest.approx(0.8)
    assert point.outlying["mean"] == pytest.approx(0.7)
    assert point.mean_pct["mean"] == pytest.approx((2.0 + 1.0) / 2)  # +12/600, +5/500
    assert point.p90_pct["mean"] == pytest.approx((1.0 + 2.0) / 2)
    assert point.mean_s["mean"] == pytest.approx(8.5)
    assert point.fulfilment == pytest.approx(0.7)  # the weaker share
    assert point.share["n"] == 2 and point.share["ci"][0] < 0.8 < point.share["ci"][1]


def test_a_point_without_its_none_runs_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="no none run for seeds 3"):
        points([*NONE, Run("MV", "a", (), 3, _summary(1, 1, 1, 1))])


def _point(label: str, share: float, mean_pct: float, p90_pct: float = 0.0) -> Any:
    base = 600.0
    figures = (share, share, base * (1 + mean_pct / 100), 1000.0 * (1 + p90_pct / 100))
    [point] = points([*NONE[:1], *_runs(label, [figures])])
    return point


def test_the_frontier_keeps_only_points_no_other_beats_on_both() -> None:
    found = [
        _point("cheap", 0.40, 0.0),
        _point("dear", 0.85, 6.0),
        _point("middle", 0.70, 2.0),
        _point("beaten", 0.60, 3.0),  # middle has more for less
        _point("same_cost_less", 0.65, 2.0),  # middle has more for the same
    ]
    assert [p.label for p in frontier(found)] == ["cheap", "middle", "dear"]


def test_the_verdict_names_the_points_that_meet_the_goal_or_the_closest() -> None:
    goal = Goal()
    met = _point("met", 0.82, 2.0, 4.0)
    found = [met, _point("more_but_dear", 0.95, 3.0), _point("less", 0.5, 0.0)]
    assert verdict(found, goal).reached == (met,)
    short = [_point("short", 0.75, 1.0), _point("dear", 0.9, 2.6), _point("poor", 0.3, 0.0)]
    outcome = verdict(short, goal)
    assert outcome.reached == () and outcome.closest is not None
    assert outcome.closest.label == "short"  # the best within the response limits
    dear = [_point("dearer", 0.9, 9.0), _point("dear", 0.6, 4.0)]
    closest = verdict(dear, goal).closest
    assert closest is not None and closest.label == "dear"  # least beyond the limits


def test_twenty_of_twenty_five_outlying_hotspots_is_eighty_per_cent_for_the_goal() -> None:
    # four replications whose outlying shares (15, 18, 22 and 25 of 25) average to exactly 80 %,
    # which floating point makes 0.7999999999999999: the goal must count it as met
    shares = (0.6, 0.72, 0.88, 1.0)
    none = _runs("none", [(0.0, 0.0, 600.0, 1000.0)] * 4)
    [point] = points([*none, *_runs("a", [(0.9, s, 600.0, 1000.0) for s in shares])])
    assert point.outlying["mean"] < 0.8  # the float the sweep really computed
    assert point.meets(Goal())


def test_the_sweep_writes_its_points_frontier_and_verdict(tmp_path: Path) -> None:
    found = [_point("met", 0.82, 2.0, 4.0), _point("less", 0.5, 0.0)]
    document = write_sweep(
        by_scenario(found), tmp_path, goal=Goal(), facts={"runs": 3}, t=translator("da")
    )
    stored = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(document, default=str))
    assert stored["districts"]["MV"]["reached"] == ["met"]
    assert stored["districts"]["MV"]["frontier_mean"] == ["less", "met"]
    assert len((tmp_path / "sweep.csv").read_text(encoding="utf-8").splitlines()) == 3
    page = (tmp_path / "sweep.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "Målet er nået" in page


def test_the_sweep_gives_the_same_points_on_one_and_two_dask_workers(
    mvj_scenario: Scenario, hotspot_file: Path
) -> None:
    # The greedy solver: the sweep's own determinism, not a deadline's (the optimiser's
    # anytime search may stop at its time limit on a loaded machine). One replication is
    # enough to prove one and two workers identical (two seeds cost twice the time).
    policy = mvj_scenario.policy.with_changes(solver="greedy")
    scenario = dataclasses.replace(mvj_scenario, hotspots_path=hotspot_file, policy=policy)
    grid = [(("idle_after_min", 0.0),), (("idle_after_min", 40.0),)]
    jobs = make_jobs(scenario, policies=["none", "optimiser"], seeds=[1], days=1.0, sweep=grid)
    found = []
    for workers in (1, 2):
        results = ordered(list(run_dask(jobs, workers=workers, processes=False)), jobs)
        runs = [
            Run(r.job.scenario.name, r.job.label, r.job.overrides, r.job.seed, r.summary)
            for r in results
        ]
        found.append(([r.records for r in results], [p.to_dict() for p in points(runs)]))
    (one_records, one_points), (two_records, two_points) = found
    assert one_records == two_records
    assert one_points == two_points and len(one_points) == 2
    idle = [r for r in one_records if r.policy == "optimiser" and any(p.idle for p in r.plans)]
    assert idle  # the idle point did make idle proposals


def test_a_design_is_the_grid_then_one_at_a_time_arms_around_the_center() -> None:
    grid = [
        (("idle_after_min", 0.0), ("detour_budget_min", 30.0)),
        (("idle_after_min", 40.0), ("detour_budget_min", 30.0)),
    ]
    center = (("detour_budget_min", 30.0), ("idle_after_min", 40.0), ("acceptance_rate", 1.0))
    arms = [("acceptance_rate", [0.5, 1.0]), ("idle_after_min", [20.0])]
    found = design(grid, center, arms)
    assert found == [
        (("detour_budget_min", 30.0), ("idle_after_min", 0.0)),
        (("detour_budget_min", 30.0), ("idle_after_min", 40.0)),
        center,  # its arms' own value (acceptance 1.0) is not run twice
        (("detour_budget_min", 30.0), ("idle_after_min", 40.0), ("acceptance_rate", 0.5)),
        (("detour_budget_min", 30.0), ("idle_after_min", 20.0), ("acceptance_rate", 1.0)),
    ]
    assert design([], (), ()) == [()]
    with pytest.raises(InvalidInputError, match="cooldown_min"):
        design(grid, center, [("cooldown_min", [60.0])])


def test_the_sweep_writes_every_run_for_later_pairing(tmp_path: Path) -> None:
    runs = [*NONE, *_runs("a", [(0.9, 0.8, 612.0, 1010.0)])]
    path = write_runs(runs, tmp_path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert [(r["label"], r["seed"]) for r in rows] == [("none", "1"), ("none", "2"), ("a", "1")]
    assert float(rows[2]["urgent_mean_s"]) == 612.0 and float(rows[2]["outlying_share"]) == 0.8
    assert json.loads(rows[2]["settings"]) == {"idle_after_min": 1.0}
    write_runs(_runs("b", [(1.0, 1.0, 600.0, 1000.0)]), tmp_path, append=True)  # as runs end
    assert [r.label for r in read_runs(path)] == ["none", "none", "a", "b"]


def test_runs_read_back_pair_as_they_did_and_a_merge_keeps_each_run_once(tmp_path: Path) -> None:
    first = [*NONE, *_runs("a", [(0.9, 0.8, 612.0, 1010.0), (0.7, 0.6, 505.0, 918.0)])]
    again = read_runs(write_runs(first, tmp_path))
    assert [p.to_dict() for p in points(again)] == [p.to_dict() for p in points(first)]
    later = [*NONE, *_runs("b", [(1.0, 1.0, 600.0, 1000.0)])]  # another sweep, same none
    merged = merge_runs(again, later)
    assert len(merged) == len(first) + 1
    assert [p.label for p in points(merged)] == ["a", "b"]
