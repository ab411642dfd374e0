from __future__ import annotations

import math

import pytest

from smartspot.sim.district import District
from smartspot.sim.simulation import simulate
from smartspot.sim.summary import bounds, compare, flatten, interval, summarise
from smartspot.travel.port import TravelTimes


def test_interval_is_a_student_t_interval() -> None:
    result = interval([1.0, 2.0, 3.0])
    assert result["mean"] == 2.0
    low, high = result["ci"]
    assert low == pytest.approx(2 - 4.302653 / math.sqrt(3), rel=1e-5)
    assert high == pytest.approx(2 + 4.302653 / math.sqrt(3), rel=1e-5)
    assert interval([5.0])["ci"] == [None, None]
    assert result["clipped"] is False


def test_interval_never_leaves_what_the_quantity_allows() -> None:
    # the case: two replications of a response time, 95 % t-interval reaching below 0
    raw = interval([520.0, 644.8])
    assert raw["ci"][0] < 0
    kept = interval([520.0, 644.8], lower=0.0)
    assert kept["ci"][0] == 0.0 and kept["ci"][1] == raw["ci"][1] and kept["clipped"]
    share = interval([0.9, 1.0], lower=0.0, upper=1.0)
    assert share["ci"][1] == 1.0 and 0.0 <= share["ci"][0] < 0.95


def test_bounds_follow_the_kind_of_figure() -> None:
    assert bounds("urgent_response_s.mean") == (0.0, None)
    assert bounds("visits.total") == (0.0, None)
    assert bounds("pulled_from_task.share") == (0.0, 1.0)
    assert bounds("visits.total", difference=True) == (None, None)
    assert bounds("pulled_from_task.share", difference=True) == (-1.0, 1.0)


def test_summary_has_the_documented_keys(mvj_district: District, fallback: TravelTimes) -> None:
    records = simulate(mvj_district, fallback, policy="greedy", days=2, seed=1)
    summary = summarise(records, mvj_district)
    flat = flatten(summary)
    for key in (
        "urgent_response_s.mean",
        "urgent_response_s.median",
        "urgent_response_s.p90",
        "urgent_response_s_by_kommune.0661.mean",
        "visits.total",
        "visits.outlying",
        "visits.town",
        "dosage_min.total",
        "extra_km",
        "pulled_from_task.share",
    ):
        assert key in flat, key
    assert summary["visits"]["outlying"] + summary["visits"]["town"] == summary["visits"]["total"]
    assert sum(h["visits"] for h in summary["visits"]["per_hotspot"].values()) == len(
        records.visits
    )
    assert set(summary["urgent_response_s_by_kommune"]) == set(mvj_district.kommuner)


def test_paired_differences_use_the_same_calls(
    mvj_district: District, fallback: TravelTimes
) -> None:
    seeds = [1, 2, 3]
    runs = {
        "none": [simulate(mvj_district, fallback, policy="none", days=1, seed=s) for s in seeds],
        "nearest": [
            simulate(mvj_district, fallback, policy="greedy", days=1, seed=s) for s in seeds
        ],
    }
    summaries = {p: [summarise(r, mvj_district) for r in rs] for p, rs in runs.items()}
    result = compare(runs, summaries)
    diff = result["differences"]["nearest-none"]
    assert diff["calls.urgent"]["mean"] == 0.0  # common random numbers: the same calls
    assert diff["visits.total"]["mean"] > 0
    assert diff["visits.total"]["n"] == 3
    assert "pulled_extra_s" in diff
    assert result["replications"] == {"none": 3, "nearest": 3}
    assert result["few_replications"] is True
    for figures in result["policies"].values():
        for key, entry in figures.items():
            low, high = entry["ci"]
            if low is not None:
                assert low >= 0, key
                assert not key.endswith(".share") or high <= 1, key


def test_optimiser_is_also_compared_with_greedy(
    mvj_district: District, fallback: TravelTimes
) -> None:
    runs = {
        "none": [simulate(mvj_district, fallback, policy="none", days=0.5, seed=s) for s in (1, 2)],
        "nearest": [
            simulate(mvj_district, fallback, policy="greedy", days=0.5, seed=s) for s in (1, 2)
        ],
    }
    summaries = {p: [summarise(r, mvj_district) for r in rs] for p, rs in runs.items()}
    # the same runs under the names compare() pairs: greedy = none here, optimiser = nearest
    result = compare(
        {"none": runs["none"], "greedy": runs["none"], "optimiser": runs["nearest"]},
        {"none": summaries["none"], "greedy": summaries["none"], "optimiser": summaries["nearest"]},
    )
    assert set(result["differences"]) == {"greedy-none", "optimiser-none", "optimiser-greedy"}
    assert (
        result["differences"]["optimiser-greedy"]["visits.total"]
        == result["differences"]["optimiser-none"]["visits.total"]
    )
