from __future__ import annotations

import dataclasses
import itertools
from collections import Counter

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.sim.district import District
from smartspot.sim.records import RunRecords
from smartspot.sim.simulation import shift_changes, simulate
from smartspot.travel.port import TravelTimes


@pytest.fixture(scope="module")
def greedy_week(mvj_district: District, fallback: TravelTimes) -> RunRecords:
    """Five days of the greedy policy; seed 3 is a week where urgent calls come in while cars
    are on a task (found by search; with the real rules such overlaps are rare: a task is
    short and urgent calls few). Shared by the tests that only read the records."""
    return simulate(mvj_district, fallback, policy="greedy", days=5, seed=3)


@pytest.fixture(scope="module")
def none_days(mvj_district: District, fallback: TravelTimes) -> RunRecords:
    return simulate(mvj_district, fallback, policy="none", days=2, seed=5)


def test_every_call_is_answered_exactly_once(greedy_week: RunRecords) -> None:
    records = greedy_week
    assert records.unanswered == ()
    counts = Counter(call.callout for call in records.calls)
    assert counts and set(counts.values()) == {1}
    assert len(counts) == len(records.calls)
    for call in records.calls:
        assert call.received_s <= call.dispatched_s <= call.arrived_s <= call.cleared_s
        assert call.arrived_s - call.received_s >= 60  # at least the call handling


def test_same_seed_gives_identical_records(mvj_district: District, fallback: TravelTimes) -> None:
    first = simulate(mvj_district, fallback, policy="greedy", days=1, seed=11)
    again = simulate(mvj_district, fallback, policy="greedy", days=1, seed=11)
    other = simulate(mvj_district, fallback, policy="greedy", days=1, seed=12)
    assert first == again
    assert first.calls != other.calls


def test_none_policy_makes_no_hotspot_visits(none_days: RunRecords) -> None:
    records = none_days
    assert records.visits == () and records.plans == ()
    assert len(records.calls) > 100


def test_every_policy_sees_the_same_calls(
    mvj_district: District, fallback: TravelTimes, none_days: RunRecords
) -> None:
    none = none_days
    busy = simulate(mvj_district, fallback, policy="greedy", days=2, seed=5)
    fields = ("callout", "urgent", "x", "y", "received_s")
    assert [tuple(getattr(c, f) for f in fields) for c in none.calls] == [
        tuple(getattr(c, f) for f in fields) for c in busy.calls
    ]
    assert busy.visits  # and the policy did change what the cars did


def test_urgent_call_pulls_a_car_off_its_smart_spot_task(greedy_week: RunRecords) -> None:
    records = greedy_week
    pulled = [c for c in records.calls if c.car_was_on_task]
    assert pulled and all(c.urgent for c in pulled)
    aborted = [v for v in records.visits if v.aborted]
    interrupted = [p for p in records.plans if p.accepted and p.interrupted]
    assert interrupted
    for visit in aborted:  # an aborted visit ends when its car is sent to a call
        assert any(c.car == visit.car and c.dispatched_s == visit.left_s for c in pulled)


def test_visits_respect_cooldown_and_one_car_per_hotspot(greedy_week: RunRecords) -> None:
    records = greedy_week
    by_hotspot: dict[str, list[tuple[float, float]]] = {}
    for visit in records.visits:
        by_hotspot.setdefault(visit.hotspot, []).append((visit.arrived_s, visit.left_s))
    assert by_hotspot
    for stays in by_hotspot.values():
        stays.sort()
        for (_, left), (arrived, _) in itertools.pairwise(stays):
            assert arrived >= left  # never two cars on site at once


def test_acceptance_rate_zero_means_no_plan_is_driven(
    mvj_district: District, fallback: TravelTimes
) -> None:
    scenario = mvj_district.scenario
    smartspot = dataclasses.replace(scenario.smartspot, acceptance_rate=0.0)
    district = dataclasses.replace(
        mvj_district, scenario=dataclasses.replace(scenario, smartspot=smartspot)
    )
    records = simulate(district, fallback, policy="greedy", days=2, seed=1)
    assert records.plans and not any(p.accepted for p in records.plans)
    assert records.visits == ()


def test_fewer_cars_mean_slower_urgent_response(
    mvj_district: District, fallback: TravelTimes
) -> None:
    scenario = mvj_district.scenario
    halved = tuple(
        dataclasses.replace(
            s, day=max(0, s.day // 2), evening=max(1, s.evening // 2), night=s.night // 2
        )
        if i % 2 == 0
        else s
        for i, s in enumerate(scenario.stations)
    )
    thin = dataclasses.replace(
        mvj_district, scenario=dataclasses.replace(scenario, stations=halved)
    )
    full = simulate(mvj_district, fallback, policy="none", days=4, seed=6)
    less = simulate(thin, fallback, policy="none", days=4, seed=6)

    def mean_urgent(records):  # type: ignore[no-untyped-def]
        return np.mean([c.response_s for c in records.calls if c.urgent])

    assert mean_urgent(less) > mean_urgent(full)


def test_shift_changes_follow_local_time(mvj_district: District) -> None:
    changes = shift_changes(mvj_district.scenario, 86400)
    # the run starts Monday 00:00 local: night shift, then day 07:00, evening 15:00, night 23:00
    assert changes == [
        (0.0, "night"),
        (7 * 3600.0, "day"),
        (15 * 3600.0, "evening"),
        (23 * 3600.0, "night"),
    ]


def test_days_out_of_range_are_refused(mvj_district: District, fallback: TravelTimes) -> None:
    with pytest.raises(InvalidInputError, match="days"):
        simulate(mvj_district, fallback, policy="none", days=0, seed=1)
    with pytest.raises(InvalidInputError, match="unknown policy"):
        simulate(mvj_district, fallback, policy="magic", days=1, seed=1)
