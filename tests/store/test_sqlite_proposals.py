"""Proposals in the SQLite store: typed plans with their stops in a table, decisions that
follow the allowed transitions, claims in one query, and old JSON proposals migrated."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from smartspot.domain import Patrol
from smartspot.errors import ConflictError, InvalidInputError
from smartspot.geo.regions import Regions
from smartspot.plans import PlannedStop, Proposal, ProposalStatus, SolverRun
from smartspot.reasons import Reason
from smartspot.store.migrations import HISTORY
from smartspot.store.open import Store, open_store
from smartspot.store.sqlite import SqliteStore
from tests.hotspot_fixtures import START, TREKANTEN, draft, new_service

RUN = SolverRun("auto", 0.08, 7, 3.2)


def stop(hotspot: str, minutes: int = 5) -> PlannedStop:
    eta = START + timedelta(minutes=minutes)
    return PlannedStop(
        hotspot, "Trekanten", 8.63, 56.35, eta, eta, eta + timedelta(minutes=15), 15, 4.5,
        (Reason("remote", {"station_s": 1320}), Reason("never_visited")),
    )  # fmt: skip


def proposal(*stops: PlannedStop, patrol: str = "MVJ-11") -> Proposal:
    return Proposal(
        id="new",
        patrol=patrol,
        politikreds="Midt- og Vestjyllands Politi",
        created_at=START,
        stops=stops,
        run=RUN,
        home_at=START + timedelta(minutes=50),
        detour_s=600.0,
        value=4.5,
        left_out={"HS-000009": Reason("outside_budget")},
        problem={"cars": [], "hotspots": [], "travel_s": []},
        answer={"value": 4.5, "plans": []},
        status=ProposalStatus.PENDING if stops else ProposalStatus.EMPTY,
        blocked=None if stops else Reason("nothing_worth_it"),
    )


@pytest.fixture
def store(database: str | Path) -> Iterator[Store]:
    with open_store(database, create=True) as opened:
        for car in ("MVJ-11", "MVJ-12"):
            opened.patrols.add(Patrol(car, "st01"), actor="admin", at=START)
        yield opened


def test_a_rounds_proposals_are_added_together_each_superseding_its_cars_pending_one(
    store: Store,
) -> None:
    store.patrols.add(Patrol("MVJ-13", "st01"), actor="admin", at=START)
    held = store.proposals.add(proposal(stop("HS-000001")), actor="sys")  # MVJ-11's
    later = START + timedelta(minutes=1)
    round_ = [
        replace(proposal(stop("HS-000002"), patrol=car), created_at=later)
        for car in ("MVJ-11", "MVJ-12", "MVJ-13")
    ]
    stored = store.proposals.add_all(round_, actor="sys")
    assert [p.id for p in stored] == ["PR-000002", "PR-000003", "PR-000004"]
    assert [store.proposals.get(p.id) for p in stored] == stored
    superseded = store.proposals.get(held.id)
    assert (superseded.status, superseded.decided_at) == (ProposalStatus.SUPERSEDED, later)
    assert [e.action for e in store.audit.entries(entity="proposal")] == [
        "create", "superseded", "create", "create", "create",
    ]  # fmt: skip
    assert store.proposals.add_all([], actor="sys") == []
    assert store.verify_audit().ok


def test_a_round_naming_one_car_twice_keeps_the_later_proposal_pending(store: Store) -> None:
    twice = [proposal(stop("HS-000001")), proposal(stop("HS-000002"))]
    first, second = store.proposals.add_all(twice, actor="sys")
    assert store.proposals.get(first.id).status is ProposalStatus.SUPERSEDED
    assert store.proposals.current("MVJ-11") == second
    assert store.verify_audit().ok


def test_a_proposal_comes_back_exactly_as_stored(store: Store) -> None:
    stored = store.proposals.add(proposal(stop("HS-000001"), stop("HS-000002", 30)), actor="sys")
    assert stored.id == "PR-000001"
    again = store.proposals.get(stored.id)
    assert again == stored
    assert again.stops[0].reasons[0].text() == "remote: nearest station 22 min"
    assert again.left_out["HS-000009"].code == "outside_budget"


def test_a_new_proposal_supersedes_the_cars_pending_one_only(store: Store) -> None:
    first = store.proposals.add(proposal(stop("HS-000001")), actor="sys")
    other = store.proposals.add(proposal(stop("HS-000003"), patrol="MVJ-12"), actor="sys")
    second = store.proposals.add(proposal(), actor="sys")  # an empty one replaces it too
    assert store.proposals.get(first.id).status is ProposalStatus.SUPERSEDED
    assert store.proposals.get(other.id).status is ProposalStatus.PENDING
    assert store.proposals.current("MVJ-11") is None
    assert store.proposals.get(second.id).status is ProposalStatus.EMPTY


def test_superseding_is_audited_like_any_decision_and_leaves_the_plan_as_stored(
    store: Store,
) -> None:
    first = store.proposals.add(proposal(stop("HS-000001"), stop("HS-000002", 30)), actor="sys")
    store.proposals.add(proposal(stop("HS-000003")), actor="planner")
    [created, superseded] = store.audit.entries(entity="proposal", entity_id=first.id)
    summary = {
        "patrol": "MVJ-11",
        "politikreds": "Midt- og Vestjyllands Politi",
        "stops": ["HS-000001", "HS-000002"],
        "removed": [],
    }
    assert (superseded.action, superseded.actor) == ("superseded", "planner")
    assert superseded.before == created.after
    assert superseded.before == {**summary, "status": "pending", "decided_by": None, "reason": ""}
    assert superseded.after == {
        **summary,
        "status": "superseded",
        "decided_by": "planner",
        "reason": "",
    }
    again = store.proposals.get(first.id)
    assert (again.status, again.decided_by, again.decided_at) == (
        ProposalStatus.SUPERSEDED,
        "planner",
        START,
    )
    assert replace(again, status=first.status, decided_by=None, decided_at=None) == first


def test_held_hotspots_are_the_kept_unvisited_stops_of_pending_and_accepted_proposals(
    store: Store,
) -> None:
    pending = store.proposals.add(proposal(stop("HS-000001")), actor="sys")
    accepted = store.proposals.add(
        proposal(stop("HS-000002"), stop("HS-000004", 40), patrol="MVJ-12"), actor="sys"
    )
    assert store.proposals.held() == {
        "HS-000001": "MVJ-11",
        "HS-000002": "MVJ-12",
        "HS-000004": "MVJ-12",
    }
    decided = accepted.decided(ProposalStatus.ACCEPTED, by="ole", at=START)
    removed = replace(decided, stops=(decided.stops[0], replace(decided.stops[1], removed=True)))
    store.proposals.decide(removed, actor="ole")
    assert store.proposals.get(accepted.id).removed == ("HS-000004",)
    assert store.proposals.mark_done("MVJ-12", "HS-000002")
    store.proposals.decide(
        pending.decided(ProposalStatus.REJECTED, by="ole", at=START, reason="vagtskifte"),
        actor="ole",
    )
    assert store.proposals.held() == {}


def test_decisions_follow_the_allowed_transitions_and_are_audited(store: Store) -> None:
    stored = store.proposals.add(proposal(stop("HS-000001")), actor="sys")
    with pytest.raises(InvalidInputError, match="reason"):
        stored.decided(ProposalStatus.REJECTED, by="ole", at=START)
    accepted = store.proposals.decide(
        stored.decided(ProposalStatus.ACCEPTED, by="ole", at=START), actor="ole"
    )
    with pytest.raises(ConflictError, match="accepted"):
        accepted.decided(ProposalStatus.REJECTED, by="ole", at=START, reason="x")
    stale = stored.decided(ProposalStatus.REJECTED, by="x", at=START, reason="too late")
    with pytest.raises(ConflictError, match="accepted; it cannot become rejected"):
        store.proposals.decide(stale, actor="x")  # decided on a pending copy read earlier
    voided = store.proposals.decide(
        accepted.decided(ProposalStatus.VOIDED, by="vagtchef", at=START, reason="CO-000002"),
        actor="vagtchef",
    )
    assert store.proposals.get(stored.id) == voided
    actions = [e.action for e in store.audit.entries(entity="proposal")]
    assert actions == ["create", "accepted", "voided"]
    with pytest.raises(InvalidInputError, match="plain JSON"):
        store.proposals.add(replace(proposal(), problem={"x": float("nan")}), actor="sys")


def test_a_version_2_database_upgrades_keeping_its_json_proposals(
    tmp_path: Path, regions: Regions, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:  # a Smart Spot from before migration 3
        patch.setattr("smartspot.store.migrations.HISTORY", HISTORY[:2])
        old = new_service(path, regions)
        hotspot = old.register(draft(), TREKANTEN, user="a")
        old.store.patrols.add(Patrol("MVJ-11", "st01"), actor="a", at=START)
        old.store.close()
    advice = {
        "value": 4.5,
        "detour_min": 8.5,
        "home_at": (START + timedelta(hours=1)).isoformat(),
        "blocked": None,
        "stops": [
            {
                "hotspot": hotspot.id,
                "title": "Trekanten",
                "eta": START.isoformat(),
                "start": START.isoformat(),
                "minutes_on_site": 15,
                "value": 4.5,
                "why": "never visited",
                "lon": 8.63,
                "lat": 56.35,
            }
        ],
    }
    solution = {"solution": {"value": 4.5, "plans": []}, "advice": advice, "left_out": {}}
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO proposals (id, patrol, created_at, status, problem, solution, "
            "decided_by, decided_at, decision) "
            "VALUES ('PR-000001', 'MVJ-11', ?, 'accepted', '{}', ?, 'ole', ?, ?)",
            (
                START.isoformat(),
                json.dumps(solution),
                START.isoformat(),
                json.dumps({"removed_stops": []}),
            ),
        )
    with SqliteStore(path) as upgraded:
        assert upgraded.schema_version == len(HISTORY)
        old_proposal = upgraded.proposals.get("PR-000001")
        [kept] = old_proposal.kept
        assert (kept.hotspot, kept.reasons[0].text()) == (hotspot.id, "never visited")
        assert old_proposal.detour_s == pytest.approx(510.0)
        assert upgraded.proposals.held() == {hotspot.id: "MVJ-11"}
        assert upgraded.hotspots.get(hotspot.id) == hotspot
