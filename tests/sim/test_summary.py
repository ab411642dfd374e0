from __future__ import annotations

import math

import numpy as np
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
    summary = summarise(records, mvj_district.with_station_times(fallback))
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
        "fulfilment.share",
        "fulfilment.outlying.share",
        "fulfilment.town.share",
        "fulfilment.mean_ratio",
        "fulfilment.never_visited",
        "fulfilment_by_kommune.0661.share",
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
    timed = mvj_district.with_station_times(fallback)
    summaries = {p: [summarise(r, timed) for r in rs] for p, rs in runs.items()}
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
    timed = mvj_district.with_station_times(fallback)
    summaries = {p: [summarise(r, timed) for r in rs] for p, rs in runs.items()}
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


def test_run_fulfilment_counts_a_fixed_visit_log(mvj_district: District) -> None:
    """Eight hotspots (3 a week each) over a 7-day run; the conftest's straight line times
    the stations, so Harboøre, Thyborøn, Hvide Sande, Karup and Hanstholm are outlying."""
    import dataclasses

    from smartspot.sim.records import RunRecords, VisitRecord
    from tests.sim.straight import StraightLine

    district = mvj_district.with_station_times(StraightLine())
    ids = [h.id for h in district.hotspots]
    outlying = dict(zip(ids, district.hotspot_outlying.tolist(), strict=True))
    assert [k for k, v in outlying.items() if v] == ["t3", "t4", "t5", "t6", "t8"]

    def visit(hotspot: str, day: float, minutes: float = 15.0) -> VisitRecord:
        arrived = day * 86400
        return VisitRecord(hotspot, "car", "0661", outlying[hotspot], arrived,
                           arrived + minutes * 60, aborted=False, value=1.0)  # fmt: skip

    log = (
        *(visit("t1", d) for d in (0.5, 2.5, 5.5)),  # town, 3 of 3: met
        *(visit("t3", d) for d in (1, 4, 6.9)),  # outlying, 3 of 3: met
        visit("t4", 2),  # outlying, 1 of 3
        visit("t2", 3, minutes=1.0),  # a 1-minute stop is no visit (min_stay_s 180)
        visit("t6", 8.0),  # after the 7 days: not counted
    )
    records = RunRecords("s", "greedy", 1, 7.0, (), log, (), ())
    summary = summarise(records, district)
    figures = summary["fulfilment"]
    assert (figures["hotspots"], figures["met"], figures["share"]) == (8, 2, 0.25)
    assert figures["outlying"]["share"] == 1 / 5 and figures["town"]["share"] == 1 / 3
    assert figures["never_visited"] == 5  # t2, t5, t6, t7, t8
    assert figures["mean_ratio"] == pytest.approx((1 + 1 + 1 / 3) / 8)
    assert summary["visits"]["per_hotspot"]["t1"]["weeks_met"] == 1
    # a run without Smart Spot is measured against the same hotspots
    bare = dataclasses.replace(district, hotspots=(), hotspot_xy=np.zeros((0, 2)))
    none = summarise(
        RunRecords("s", "none", 1, 7.0, (), (), (), ()),
        bare.with_station_times(StraightLine()),
        targets=district.fulfilment_targets(),
    )
    assert none["fulfilment"]["share"] == 0 and none["fulfilment"]["never_visited"] == 8
