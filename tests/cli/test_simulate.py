from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartspot.cli.main import main
from smartspot.resources import SCENARIOS_DIR

MV = SCENARIOS_DIR / "midt_vestjylland" / "scenario.toml"


def test_simulate_writes_summary_records_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(
        [
            "simulate",
            str(MV),
            "--days",
            "1",
            "--policy",
            "greedy",
            "--seed",
            "3",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["policy"] == "greedy" and printed["calls"]["urgent"] >= 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["urgent_response_s"]["n"] == printed["urgent_response_s"]["n"]
    for name in ("report.html", "calls.csv", "visits.csv", "plans.csv", "cars.csv"):
        assert (out / name).is_file()


def test_compare_runs_paired_replications(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    code = main(
        ["compare", str(MV), "--policies", "none,greedy", "--replications", "2", "--days", "0.5",
         "--serial", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    assert "greedy: responstid ved hastende opkald i gennemsnit" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["seeds"] == [1, 2]
    assert summary["differences"]["greedy-none"]["calls.urgent"]["mean"] == 0.0


def test_a_broken_scenario_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        MV.read_text(encoding="utf-8").replace("rural_share = 0.25", "rural_share = 2"),
        encoding="utf-8",
    )
    assert main(["simulate", str(broken), "--out", str(tmp_path / "x")]) == 2
    assert "callouts.rural_share" in capsys.readouterr().err


def test_unknown_policy_in_compare_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(MV), "--policies", "none,magic", "--out", str(tmp_path)]) == 2
    assert "vælg blandt none, greedy, optimiser" in capsys.readouterr().err
