from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from shapely.geometry import Point

from smartspot.domain import Callout
from smartspot.errors import InvalidInputError
from smartspot.optimise import rules

NOW = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)


def _callout(urgent: bool, patrol: str | None, x: float) -> Callout:
    return Callout(f"c{x}", urgent, Point(x, 0), NOW, patrol=patrol)


def test_no_proposal_while_an_urgent_call_waits_unassigned_in_the_kreds() -> None:
    calls = [
        _callout(True, None, 1),  # urgent, waiting, kreds A
        _callout(True, "P2", 2),  # urgent but a car has it, kreds B
        _callout(False, None, 3),  # waiting but not urgent, kreds C
    ]
    waiting = rules.urgent_waiting(calls, lambda p: "ABC"[int(p.x) - 1])
    assert waiting == frozenset({"A"})
    reason = rules.urgent_rule("A", waiting)
    assert reason is not None and reason.code == "urgent_queue"
    assert reason.text() == "urgent queue: an urgent call waits unassigned in A"
    assert rules.urgent_rule("B", waiting) is None


def test_nothing_for_a_car_whose_shift_ends_within_its_budget() -> None:
    ends = NOW + timedelta(minutes=40)
    assert rules.shift_rule(ends, NOW, direct_s=15 * 60, budget_s=30 * 60) is not None
    assert rules.shift_rule(ends, NOW, direct_s=5 * 60, budget_s=30 * 60) is None
    assert rules.shift_rule(None, NOW, direct_s=5 * 60, budget_s=30 * 60) is None


def test_no_hotspot_another_car_holds() -> None:
    held = rules.claimed_rule("HS-1", frozenset({"HS-1"}))
    assert held is not None and held.text() == "another car is working it"
    assert rules.claimed_rule("HS-2", frozenset({"HS-1"})) is None


def test_coverage_guard_keeps_the_only_car_near_a_kommune() -> None:
    guard = rules.CoverageGuard(10, ("Samsø", "Odder"), np.zeros((2, 2)))
    # car 0 is the only one within 10 min of Samsø; Odder has car 1 and a car at the station
    seconds = np.array([[300.0, 2000.0], [4000.0, 200.0], [np.nan, 500.0]])
    reasons = rules.coverage_rule(guard, seconds, proposed=[True, True, False])
    assert reasons[0] is not None
    assert reasons[0].text() == "coverage: Samsø would have no other available car within 10 min"
    assert reasons[1] is None
    assert reasons[2] is None


def test_coverage_guard_needs_sane_settings() -> None:
    with pytest.raises(InvalidInputError):
        rules.CoverageGuard(0, ("a",), np.zeros((1, 2)))
    with pytest.raises(InvalidInputError):
        rules.CoverageGuard(10, ("a", "b"), np.zeros((1, 2)))
