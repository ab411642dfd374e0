"""Follow-ups (tryghedsopfølgninger) in the live engine: proposed to a car clearing a callout
on its way home, held by one proposal at a time, closed by the crew's report or begun by an
AVL stay at the door, and never showing the citizen to the operator."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from smartspot.clock import FixedClock
from smartspot.domain import PatrolStatus
from smartspot.followups import AttemptOutcome, FollowUp, FollowUpStatus
from smartspot.i18n import translator
from smartspot.live.engine import Vagtcentral
from smartspot.live.views import proposal_view
from smartspot.plans import ProposalStatus
from smartspot.reasons import message
from tests.followup_fixtures import NAME, PHONE, draft
from tests.live.conftest import HERNING, NOW, MakeEngine, place, to_clear

ON_THE_WAY = (8.80, 56.25)  # between Herning and Holstebro (st01, the cars' home)


@pytest.fixture
def engine(make_engine: MakeEngine) -> Vagtcentral:
    """An engine with no hotspot at all: whatever is proposed is a follow-up."""
    return make_engine()


def _register(engine: Vagtcentral, **changes: object) -> FollowUp:
    geometry = {"type": "Point", "coordinates": list(ON_THE_WAY)}
    return engine.register_followup(draft(windows=[], **changes), geometry, actor="analytiker")


def _cleared(engine: Vagtcentral, car: str, clock: FixedClock):  # type: ignore[no-untyped-def]
    engine.add_patrol(car, "st01", actor="op")
    place(engine, car, HERNING, clock.current)
    _, [proposal] = engine.clear(to_clear(engine, car, HERNING), actor="op")
    return proposal


def test_a_car_clearing_a_callout_is_proposed_the_follow_up_on_its_way_home(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    followup = _register(engine)
    proposal = _cleared(engine, "MV-21", clock)
    assert proposal.status is ProposalStatus.PENDING
    [stop] = proposal.kept
    assert stop.hotspot == followup.id and stop.minutes_on_site == 10
    why = stop.reasons[0]
    assert why.code == "followup" and why.params["km"] < 5
    assert translator("da")(message(why)).startswith("opfølgning: frist om 6 dage; ")
    assert translator("da")(message(why)).endswith(" km fra ruten")


def test_no_operator_facing_proposal_or_event_holds_the_name_or_phone(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    _register(engine)
    proposal = _cleared(engine, "MV-21", clock)
    engine.accept(proposal.id, [], actor="op")
    shown = json.dumps(proposal_view(engine.ctx.store.proposals.get(proposal.id)))
    shown += json.dumps([e.data for e in engine.ctx.store.events.after(0, limit=500)])
    shown += json.dumps(engine.ctx.store.proposals.get(proposal.id).problem)
    for secret in (NAME, PHONE, PHONE.replace(" ", "")):
        assert secret not in shown


def test_a_follow_up_in_one_cars_proposal_is_not_proposed_to_another(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    followup = _register(engine)
    first = _cleared(engine, "MV-21", clock)
    assert [s.hotspot for s in first.kept] == [followup.id]
    engine.set_status("MV-21", PatrolStatus.AVAILABLE, actor="op")  # parked: not re-planned
    clock.current = NOW + timedelta(minutes=2)
    second = _cleared(engine, "MV-22", clock)
    assert second.kept == ()
    assert second.left_out[followup.id].code == "claimed"


def test_outside_the_preferred_hours_it_waits(engine: Vagtcentral, clock: FixedClock) -> None:
    geometry = {"type": "Point", "coordinates": list(ON_THE_WAY)}
    followup = engine.register_followup(draft(), geometry, actor="analytiker")  # mon-fri 16-20
    proposal = _cleared(engine, "MV-21", clock)  # a Saturday at 22:00
    assert proposal.kept == ()
    assert proposal.left_out[followup.id].code == "followup_outside_hours"


def test_the_crews_report_closes_the_task_and_completes_the_proposal(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    followup = _register(engine)
    proposal = _cleared(engine, "MV-21", clock)
    engine.accept(proposal.id, [], actor="op")
    after = engine.record_attempt(
        followup.id, patrol="MV-21", outcome=AttemptOutcome.REACHED, actor="MV-21"
    )
    assert after.status is FollowUpStatus.DONE_IN_PERSON
    assert engine.ctx.store.proposals.get(proposal.id).status is ProposalStatus.COMPLETED
    assert engine.ctx.store.patrols.get("MV-21").status is PatrolStatus.RETURNING
    clock.current = NOW + timedelta(minutes=30)
    again = _cleared(engine, "MV-22", clock)
    assert followup.id not in again.left_out  # closed: no longer a task


def test_a_stay_at_the_door_is_an_attempt_the_crews_report_completes(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    followup = _register(engine)
    proposal = _cleared(engine, "MV-21", clock)
    engine.accept(proposal.id, [], actor="op")
    start = clock.current + timedelta(minutes=10)
    for minute in (0, 2, 4, 6):
        clock.current = start + timedelta(minutes=minute)
        place(engine, "MV-21", ON_THE_WAY, clock.current)
    clock.current = start + timedelta(minutes=8)
    place(engine, "MV-21", HERNING, clock.current)  # driven on: the stay ended
    [attempt] = engine.followups.attempts(followup.id)
    assert (attempt.outcome, attempt.detected, attempt.at) == (None, True, start)
    assert engine.ctx.store.proposals.get(proposal.id).status is ProposalStatus.COMPLETED
    after = engine.record_attempt(
        followup.id, patrol="MV-21", outcome=AttemptOutcome.REACHED, actor="MV-21"
    )
    [attempt] = engine.followups.attempts(followup.id)  # the same attempt, now with its outcome
    assert attempt.outcome is AttemptOutcome.REACHED and attempt.detected
    assert after.status is FollowUpStatus.DONE_IN_PERSON and after.attempts == 1


def test_a_car_passing_a_door_it_was_not_sent_to_records_nothing(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    followup = _register(engine)
    engine.add_patrol("MV-23", "st01", actor="op")
    for minute in (0, 2, 4, 6, 8):
        clock.current = NOW + timedelta(minutes=minute)
        place(engine, "MV-23", ON_THE_WAY, clock.current)
    clock.current = NOW + timedelta(minutes=10)
    place(engine, "MV-23", HERNING, clock.current)
    assert engine.followups.attempts(followup.id) == []


def test_a_follow_up_closed_or_registered_between_two_clears_is_seen_by_the_next(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    closed = _register(engine)
    first = _cleared(engine, "MV-21", clock)  # the planning cache has read the follow-ups
    assert [s.hotspot for s in first.kept] == [closed.id]
    engine.reject(first.id, "ikke nu", actor="op")
    engine.set_status("MV-21", PatrolStatus.AVAILABLE, actor="op")  # parked: not re-planned
    engine.add_patrol("MV-22", "st01", actor="op")
    place(engine, "MV-22", HERNING, clock.current)  # no AVL batch after the changes below
    callout = to_clear(engine, "MV-22", HERNING)
    engine.close_followup(closed.id, FollowUpStatus.CANCELLED, reason="aflyst", actor="analytiker")
    added = _register(engine)
    _, [second] = engine.clear(callout, actor="op")
    assert [s.hotspot for s in second.kept] == [added.id]
    assert closed.id not in second.left_out
