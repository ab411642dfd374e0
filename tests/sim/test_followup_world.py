"""Follow-ups in the simulated world, through the live engine: with the optimiser, passing cars
do follow-ups in person before their due date; without Smart Spot they are all phoned."""

from __future__ import annotations

import pytest

from smartspot.sim.district import District
from smartspot.sim.records import RunRecords
from smartspot.sim.simulation import simulate
from smartspot.sim.summary import followup_figures
from smartspot.travel.port import TravelTimes

DAYS = 7.0
SEED = 3


@pytest.fixture(scope="module")
def runs(mvj_district: District, fallback: TravelTimes) -> dict[str, RunRecords]:
    return {
        policy: simulate(mvj_district, fallback, policy=policy, days=DAYS, seed=SEED)
        for policy in ("none", "optimiser")
    }


def test_the_optimiser_does_more_follow_ups_in_person_before_their_due_date_than_none(
    runs: dict[str, RunRecords],
) -> None:
    none = followup_figures(runs["none"].followups, DAYS)
    optimiser = followup_figures(runs["optimiser"].followups, DAYS)
    assert none["due"] == optimiser["due"] > 5  # the same citizens under both policies
    assert none["in_person_before_due"]["count"] == 0  # no patrol is asked to call by
    assert none["fell_to_phone"]["share"] == 1.0
    # about 12 are due in a week; passing cars reach a good part of them before the date
    assert optimiser["in_person_before_due"]["count"] >= 3
    assert optimiser["fell_to_phone"]["share"] < 1.0


def test_every_follow_up_due_in_the_run_ends_in_person_or_by_phone(
    runs: dict[str, RunRecords],
) -> None:
    for records in runs.values():
        due = [f for f in records.followups if f.due_s <= DAYS * 86400]
        assert due
        for followup in due:
            assert followup.status in {"done_in_person", "done_by_phone", "not_reached"}
            assert followup.closed_s <= followup.due_s
            assert followup.phoned == (followup.status != "done_in_person")


def test_the_failed_attempts_rule_sends_a_task_to_the_phone(runs: dict[str, RunRecords]) -> None:
    followups = runs["optimiser"].followups
    assert all(f.door_attempts <= 2 for f in followups)  # the domain's default of 2
    for followup in followups:
        if followup.status == "done_in_person":
            assert followup.door_attempts >= 1 and not followup.phoned


def test_follow_ups_change_no_call(runs: dict[str, RunRecords]) -> None:
    calls = {p: [(c.callout, c.received_s, c.urgent) for c in r.calls] for p, r in runs.items()}
    assert calls["none"] == calls["optimiser"]
