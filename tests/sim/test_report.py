from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import pytest

from smartspot.i18n import translator
from smartspot.sim.district import District
from smartspot.sim.report import write_records, write_report, write_summary
from smartspot.sim.runner import (
    JobResult,
    default_travel,
    district_for,
    make_jobs,
    run_serial,
    travel_once,
)
from smartspot.sim.scenario import Scenario
from smartspot.sim.summary import MIN_REPLICATIONS, compare


def _compare(results: list[JobResult]) -> dict:  # type: ignore[type-arg]
    labels = sorted({r.job.label for r in results})
    by_label = {label: [r for r in results if r.job.label == label] for label in labels}
    return compare(
        {k: [r.records for r in v] for k, v in by_label.items()},
        {k: [r.summary for r in v] for k, v in by_label.items()},
    )


@pytest.fixture(scope="module")
def two_runs(mvj_scenario: Scenario) -> tuple[District, list[JobResult]]:
    jobs = make_jobs(mvj_scenario, policies=["none", "greedy"], seeds=[1, 2], days=1.0)
    travel = travel_once(mvj_scenario, default_travel)
    return district_for(mvj_scenario, travel=travel), list(run_serial(jobs))


def test_report_records_and_summary_are_written(
    two_runs: tuple[District, list[JobResult]], tmp_path: Path
) -> None:
    district, results = two_runs
    comparison = _compare(results)
    write_summary(comparison, tmp_path)
    write_records(results, tmp_path)
    page = write_report(district, results, comparison, tmp_path, title="test")
    text = page.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3
    assert "Holstebro (0661)" in text
    assert "grådig regel (greedy) − ingen Smart Spot (none)" in text  # the pair, in words
    assert "Tryghedsopfølgninger hos borgere" in text
    assert "Andel udført personligt før fristen" in text
    assert "Effekt på responstid mod ingen Smart Spot (s)" in text
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["policies"]["none"]["urgent_response_s.mean"]["n"] == 2
    assert summary["replications"] == {"greedy": 2, "none": 2}
    assert "visits.outlying" in summary["differences"]["greedy-none"]
    # fulfilment: `none` is measured against the same hotspots (and makes no visits)
    none = summary["policies"]["none"]
    assert none["fulfilment.share"]["mean"] == 0.0
    assert none["fulfilment.never_visited"]["mean"] == len(district.hotspots)
    assert "fulfilment.outlying.share" in summary["differences"]["greedy-none"]
    assert "Opgaver, der får deres ønskede ugentlige besøg, pr. kommune" in text
    assert "Opgaver i yderområder, der får dem" in text
    with (tmp_path / "calls.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(len(r.records.calls) for r in results)
    assert {"run", "policy", "seed", "callout", "urgent", "kommunekode"} <= set(rows[0])
    with (tmp_path / "followups.csv").open(encoding="utf-8") as handle:
        followups = list(csv.DictReader(handle))
    assert len(followups) == sum(len(r.records.followups) for r in results) > 0
    assert {"followup", "status", "due_s", "door_attempts", "phoned"} <= set(followups[0])
    assert "followups.in_person_before_due.share" in summary["policies"]["greedy"]


def test_report_is_danish_with_replications_seeds_and_a_warning_on_its_first_page(
    two_runs: tuple[District, list[JobResult]], tmp_path: Path
) -> None:
    district, results = two_runs
    text = write_report(district, results, _compare(results), tmp_path, title="t").read_text(
        encoding="utf-8"
    )
    first_page = text[: text.index("<h2>")]
    assert '<html lang="da">' in text
    assert "2 gentagelser pr. strategi" in first_page
    assert "startværdier (seeds): 1, 2" in first_page
    assert 'class="warning"' in first_page and "Kun 2 gentagelser" in first_page
    assert "Nøgletal" in text and "Key figures" not in text
    # a Danish decimal comma in the table, bounds separated by a semicolon
    assert re.search(r"\d,\d <small>\[\d[\d.]*,\d; \d[\d.]*,\d\]</small>", text)


def test_report_has_no_warning_from_five_replications(
    two_runs: tuple[District, list[JobResult]], tmp_path: Path
) -> None:
    district, results = two_runs
    # the same runs again under new seeds: enough replications for the page, cheap to build
    more = [
        dataclasses.replace(r, job=dataclasses.replace(r.job, seed=r.job.seed + 10 * k))
        for k in range(3)
        for r in results
    ]
    assert len(more) // 2 >= MIN_REPLICATIONS
    text = write_report(district, more, _compare(more), tmp_path, title="t").read_text(
        encoding="utf-8"
    )
    assert 'class="warning"' not in text
    assert "6 gentagelser pr. strategi" in text


def test_report_prints_on_a4(two_runs: tuple[District, list[JobResult]], tmp_path: Path) -> None:
    district, results = two_runs
    text = write_report(district, results, _compare(results), tmp_path, title="t").read_text(
        encoding="utf-8"
    )
    assert "@page{size:A4" in text and "@media print" in text
    assert "break-inside:avoid" in text


def test_report_in_english_on_request(
    two_runs: tuple[District, list[JobResult]], tmp_path: Path
) -> None:
    district, results = two_runs
    page = write_report(
        district, results, _compare(results), tmp_path, title="t", t=translator("en")
    )
    text = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "Key figures" in text and "2 replications" in text
