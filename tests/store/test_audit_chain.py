"""The audit chain's pure checks: every kind of forgery is named at its first broken row."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest

from smartspot.store.audit import (
    GENESIS,
    LONG_TEXT,
    ChainRow,
    canonical,
    row_hash,
    state_hash,
    verify_chain,
    verify_states,
)


def _chain(n: int) -> list[ChainRow]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        row = ChainRow(
            seq=seq,
            at=f"2026-03-14T21:00:0{seq % 10}.000000+00:00",
            actor="analytiker",
            action="create",
            entity="hotspot",
            entity_id=f"HS-{seq:06d}",
            before=None,
            after='{"priority": 3}',
            state_hash="ab" * 32,
            prev_hash=prev,
            hash=None,
        )
        row = replace(row, hash=row_hash(prev, row))
        rows.append(row)
        prev = row.hash
    return rows


def test_an_untouched_chain_holds() -> None:
    rows = _chain(5)
    assert verify_chain(rows, last_seq=5, anchors={3: rows[2].hash}) is None  # type: ignore[dict-item]


def test_an_edited_actor_is_named() -> None:
    rows = _chain(5)
    rows[2] = replace(rows[2], actor="admin")
    found = verify_chain(rows, last_seq=5)
    assert found is not None and (found.seq, found.kind) == (3, "edited")


def test_a_deleted_row_is_named() -> None:
    rows = _chain(5)
    del rows[1]
    found = verify_chain(rows, last_seq=5)
    assert found is not None and (found.seq, found.kind) == (3, "deleted")
    assert "row 2" in str(found)


def test_a_deleted_last_row_is_seen_through_the_counter() -> None:
    rows = _chain(5)[:4]
    found = verify_chain(rows, last_seq=5)
    assert found is not None and (found.seq, found.kind) == (5, "deleted")


def test_swapped_rows_are_named() -> None:
    rows = _chain(5)
    rows[1], rows[2] = replace(rows[2], seq=2), replace(rows[1], seq=3)
    found = verify_chain(rows, last_seq=5)
    assert (
        found is not None and found.seq == 2 and found.kind in {"inserted or reordered", "edited"}
    )


def test_an_inserted_row_is_named() -> None:
    rows = _chain(5)
    forged = replace(rows[2], actor="admin", action="close", prev_hash=rows[1].hash)
    forged = replace(forged, hash=row_hash(rows[1].hash, forged))  # type: ignore[arg-type]
    rows[2] = forged  # recomputed for itself, but row 4 still points at the original row 3
    found = verify_chain(rows, last_seq=5)
    assert found is not None and (found.seq, found.kind) == (4, "inserted or reordered")


def test_a_chain_rewritten_from_scratch_is_caught_by_an_anchor() -> None:
    rows = _chain(5)
    anchor = {5: rows[4].hash}
    forged, prev = [], GENESIS
    for row in rows:
        row = replace(row, actor="someone-else", prev_hash=prev)
        row = replace(row, hash=row_hash(prev, row))
        forged.append(row)
        prev = row.hash
    assert verify_chain(forged, last_seq=5) is None  # self-consistent …
    found = verify_chain(forged, last_seq=5, anchors=anchor)  # type: ignore[arg-type]
    assert found is not None and (found.seq, found.kind) == (5, "anchor")


def test_a_row_without_hash_is_unsealed() -> None:
    rows = _chain(3)
    rows[1] = replace(rows[1], hash=None)
    found = verify_chain(rows)
    assert found is not None and (found.seq, found.kind) == (2, "unsealed")


@pytest.mark.parametrize(
    ("current", "kind"),
    [
        ({("hotspot", "HS-1"): "x"}, "state"),
        ({("hotspot", "HS-1"): "h1", ("hotspot", "HS-2"): "h2"}, "inserted"),
        ({}, "deleted"),
    ],
)
def test_object_states_must_match_their_last_audit_row(
    current: dict[tuple[str, str], str], kind: str
) -> None:
    latest = {("hotspot", "HS-1"): (7, "h1")}
    found = verify_states(latest, current)
    assert found is not None and found.kind == kind
    assert verify_states(latest, {("hotspot", "HS-1"): "h1"}) is None


def test_a_state_hash_covers_every_column_but_the_ignored_ones() -> None:
    row = {"call_sign": "MV-1", "status": "available", "x": 1.0, "geometry": b"\x01"}
    ignore = {"patrols": {"x"}}
    same = state_hash({"patrols": [row]}, ignore=ignore)
    assert state_hash({"patrols": [{**row, "x": 2.0}]}, ignore=ignore) == same
    assert state_hash({"patrols": [{**row, "status": "busy"}]}, ignore=ignore) != same
    assert state_hash({"patrols": [{**row, "geometry": b"\x02"}]}, ignore=ignore) != same


def _plain_state(tables: dict[str, list[dict[str, Any]]], ignore: dict[str, set[str]]) -> str:
    """The state hash as the whole canonical encoding at once (as ``audit verify`` did)."""
    encoded = {
        table: [
            {
                column: value.hex() if isinstance(value, bytes) else value
                for column, value in row.items()
                if column not in ignore.get(table, set())
            }
            for row in rows
        ]
        for table, rows in tables.items()
    }
    return hashlib.sha256(canonical([encoded])).hexdigest()


def test_a_state_hash_is_the_sha256_of_the_whole_canonical_encoding() -> None:
    problem = json.dumps({"title": 'Bøgevej "7"\n\u2028' * LONG_TEXT}, ensure_ascii=False)
    cases: list[dict[str, list[dict[str, Any]]]] = [
        {},
        {"proposals": [], "proposal_stops": [{}]},
        {
            "proposals": [
                {"id": "PR-1", "problem": problem, "solution": problem, "reason": "", "n": None}
            ],
            "proposal_stops": [
                {"position": 0, "lon": 8.97, "value": -0.0, "removed": 1, "done": True},
                {"position": 1, "lon": 1e300, "title": "Æblegården", "blob": b"\x00\xff"},
            ],
        },
    ]
    for tables in cases:
        for ignore in ({}, {"proposal_stops": {"done", "blob"}}):
            expected = _plain_state(tables, ignore)
            assert state_hash(tables, ignore=ignore) == expected
            assert state_hash(tables, ignore=ignore) == expected  # the long text kept
    changed = {"proposals": [{"id": "PR-1", "problem": problem[:-2] + "x}"}]}
    assert state_hash(changed) == _plain_state(changed, {})  # not the kept one
