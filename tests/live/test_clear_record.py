"""A clear's record: the audit rows its one transaction writes (the clear, the car heading
home, the superseded proposal, the new ones) hash each object's rows as they were written,
which is what ``audit verify`` recomputes from the stored rows (the rows are hashed from the
values in hand, not read back). And the cyclic collector is paused while a clear plans and
stores, and on again after it, refused or not."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from smartspot.clock import FixedClock
from smartspot.errors import ConflictError
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


def test_a_clear_plans_and_stores_without_the_cyclic_collector_and_turns_it_on_after(
    engine: Vagtcentral, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smartspot.live import clearing as module

    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    seen: list[bool] = []
    planned = module.plan

    def plan(*args: Any, **kwargs: Any) -> Any:  # the real planning, watched
        seen.append(gc.isenabled())
        return planned(*args, **kwargs)

    monkeypatch.setattr(module, "plan", plan)
    assert gc.isenabled()
    _, [made] = engine.clear(to_clear(engine, "MV-21", HERNING), actor="op")
    assert made.patrol == "MV-21"
    assert seen == [False]  # paused while it planned
    assert gc.isenabled()  # and on again


def test_a_refused_clear_turns_the_collector_on_again(engine: Vagtcentral) -> None:
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, NOW)
    here = engine.ctx.store.patrols.get("MV-21").position
    assert here is not None
    callout = engine.receive(urgent=True, position=here, actor="op")
    with pytest.raises(ConflictError):
        engine.clear(callout.id, actor="op")  # not on scene
    assert gc.isenabled()
