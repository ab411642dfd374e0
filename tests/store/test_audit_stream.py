"""``audit verify`` reads the log as a stream (memory grows with the objects, not with the
rows), and still counts and names what it must, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smartspot.store.open import Store, open_store
from tests.hotspot_fixtures import START


@pytest.fixture
def store(database: str | Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setattr("smartspot.store.postgres.STREAM_BATCH", 4)  # many batches on PG
    with open_store(database, create=True) as opened:
        yield opened


def _notes(store: Store, first: int, n: int) -> None:
    with store.transaction():
        for k in range(first, first + n):
            store.write_audit(
                at=START,
                actor="analytiker",
                action="note",
                entity="note",
                entity_id=f"N-{k}",
                before=None,
                after={"k": k},
            )


def test_a_log_read_in_batches_holds_and_every_row_is_counted(store: Store) -> None:
    _notes(store, 1, 25)
    verdict = store.verify_audit()
    assert verdict.ok, verdict
    assert (verdict.rows, verdict.head_seq) == (25, 25)


def test_a_forged_row_mid_log_is_named_and_the_rest_still_counted(store: Store) -> None:
    _notes(store, 1, 10)
    with store.transaction():  # a row written behind the engine's back, with a made-up hash
        store.execute(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, "
            "state_hash, prev_hash, hash) VALUES (11, ?, 'x', 'note', 'note', 'N-x', NULL, "
            "NULL, NULL, ?, ?)",
            (START.isoformat(), "0" * 64, "f" * 64),
        )
    _notes(store, 12, 9)
    verdict = store.verify_audit()
    assert verdict.problem is not None and verdict.problem.seq == 11
    assert (verdict.rows, verdict.head_seq) == (20, 20)
