"""A clear's record: the audit rows its one transaction writes (the clear, the car heading
home, the superseded proposal, the new ones) hash each object's rows as they were written,
which is what ``audit verify`` recomputes from the stored rows (the rows are hashed from the
values in hand, not read back)."""

from __future__ import annotations

from smartspot.clock import FixedClock
from smartspot.live.engine import Vagtcentral
from smartspot.plans import ProposalStatus
from smartspot.store import sqlite_audit
from smartspot.store.audit import ENTITIES
from tests.live.conftest import HERNING, NOW, place, to_clear


def test_a_clears_audit_rows_hash_the_rows_as_stored(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    store = engine.ctx.store
    for car in ("MV-21", "MV-22"):
        engine.add_patrol(car, "st01", actor="op")
        place(engine, car, HERNING, NOW)
    _, [earlier] = engine.clear(to_clear(engine, "MV-22", HERNING), actor="op")
    callout_id = to_clear(engine, "MV-21", HERNING)
    seen = max(entry.seq for entry in store.audit.entries())
    _, made = engine.clear(callout_id, actor="op")  # MV-22 is on its way home: planned too
    assert sorted(p.patrol for p in made) == ["MV-21", "MV-22"]
    assert any(p.stops for p in made)  # stops, with their reasons, are hashed too
    assert store.proposals.get(earlier.id).status is ProposalStatus.SUPERSEDED
    written = store.execute(
        "SELECT seq, entity, entity_id, action, state_hash FROM audit_log WHERE seq > ? "
        "ORDER BY seq",
        (seen,),
    ).fetchall()
    assert {(row["entity"], row["action"]) for row in written} == {
        ("callout", "clear"),
        ("patrol", "set-status"),
        ("proposal", "superseded"),
        ("proposal", "create"),
    }
    objects = {(row["entity"], row["entity_id"]) for row in written}
    assert (("proposal", earlier.id) in objects) and len(written) == len(objects) == 5
    for row in written:
        entity, object_id = row["entity"], row["entity_id"]
        assert entity in ENTITIES
        recomputed = sqlite_audit.object_state(store, entity, object_id)  # type: ignore[arg-type]
        assert row["state_hash"] == recomputed, (entity, object_id, row["action"])
    verdict = store.verify_audit()
    assert verdict.ok, verdict.problem


def test_a_proposal_edited_after_its_clear_is_caught(
    engine: Vagtcentral, clock: FixedClock
) -> None:
    store = engine.ctx.store
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    _, [proposal] = engine.clear(to_clear(engine, "MV-21", HERNING), actor="op")
    assert store.verify_audit().ok
    with store.transaction():  # as the engine's own writer, past the guard triggers
        store.execute(
            "UPDATE proposals SET problem = ? WHERE id = ?", ('{"forged": true}', proposal.id)
        )
    verdict = store.verify_audit()
    assert verdict.problem is not None and verdict.problem.kind == "state"
    assert proposal.id in str(verdict.problem)
