from __future__ import annotations

import csv
import json
from pathlib import Path

from smartspot.sim.report import write_records, write_report, write_summary
from smartspot.sim.runner import district_for, make_jobs, run_serial
from smartspot.sim.scenario import Scenario
from smartspot.sim.summary import compare


def test_report_records_and_summary_are_written(mvj_scenario: Scenario, tmp_path: Path) -> None:
    jobs = make_jobs(
        mvj_scenario,
        policies=["none", "greedy"],
        seeds=[1, 2],
        days=1.0,
    )
    results = list(run_serial(jobs))
    by_label = {label: [r for r in results if r.job.label == label] for label in ("none", "greedy")}
    comparison = compare(
        {k: [r.records for r in v] for k, v in by_label.items()},
        {k: [r.summary for r in v] for k, v in by_label.items()},
    )
    write_summary(comparison, tmp_path)
    write_records(results, tmp_path)
    page = write_report(district_for(mvj_scenario), results, comparison, tmp_path, title="test")
    text = page.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3
    assert "Holstebro (0661)" in text and "greedy-none" in text
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["policies"]["none"]["urgent_response_s.mean"]["n"] == 2
    assert "visits.outlying" in summary["differences"]["greedy-none"]
    with (tmp_path / "calls.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(len(r.records.calls) for r in results)
    assert {"run", "policy", "seed", "callout", "urgent", "kommunekode"} <= set(rows[0])
