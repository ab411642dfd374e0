"""Detour proposals in SQLite: the typed plan, its stops (one row each), the problem the
optimiser saw, its answer and the decision. Every write is audited."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smartspot.errors import ConflictError, NotFoundError
from smartspot.i18n import msg
from smartspot.plans import HOLDING, TRANSITIONS, Proposal, ProposalStatus
from smartspot.store.proposal_rows import (
    STOP_COLUMNS,
    SharedJson,
    left_out_json,
    plain_json,
    plan_json,
    proposal_of,
    stop_of,
    stop_values,
    summary,
    written_rows,
)
from smartspot.store.sql import Row, row_dict
from smartspot.store.timestamps import iso, maybe_time

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore

ENTITY = "proposal"


_INSERT_PROPOSAL = (
    "INSERT INTO proposals (id, patrol, politikreds, created_at, status, problem, solution, "
    "plan) VALUES (:id, :patrol, :politikreds, :created_at, :status, :problem, :solution, :plan)"
)
_INSERT_STOP = (
    f"INSERT INTO proposal_stops ({', '.join(STOP_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(STOP_COLUMNS))})"
)


class SqliteProposals:
    """Proposals per car. Adding one supersedes the car's pending one; decisions follow
    :data:`smartspot.plans.TRANSITIONS`."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._shared = SharedJson()

    def add(self, proposal: Proposal, *, actor: str) -> Proposal:
        """Store a new proposal under a fresh id (``PR-000042``) and return it with that id;
        the car's earlier pending proposal, if any, becomes ``superseded``."""
        return self.add_all([proposal], actor=actor)[0]

    def add_all(self, proposals: Sequence[Proposal], *, actor: str) -> builtins.list[Proposal]:
        """:meth:`add` for a planning round's proposals (one per car) in one go: the cars'
        pending proposals superseded, the ids numbered and the rows written with a statement
        each for all of them, not each per proposal (round trips with the write lock held)."""
        if len({p.patrol for p in proposals}) < len(proposals):  # a car twice: one by one
            return [self.add_all([p], actor=actor)[0] for p in proposals]
        texts = [
            (
                self._shared.text(p.problem or {}, plain_json),
                self._shared.text(p.answer, lambda a: plain_json({"answer": a})),
                plan_json(p, self._shared),
            )
            for p in proposals
        ]
        with self._store.transaction():
            self._supersede({p.patrol: p.created_at for p in proposals}, actor=actor)
            if not proposals:
                return []
            last = self._store.next_number(ENTITY, len(proposals))
            first = last - len(proposals) + 1
            stored = [replace(p, id=f"PR-{first + k:06d}") for k, p in enumerate(proposals)]
            rows = [
                {
                    "id": p.id,
                    "patrol": p.patrol,
                    "politikreds": p.politikreds,
                    "created_at": iso(p.created_at),
                    "status": p.status.value,
                    "problem": problem_json,
                    "solution": solution_json,
                    "plan": plan_text,
                }
                for p, (problem_json, solution_json, plan_text) in zip(stored, texts, strict=True)
            ]
            # PostgreSQL writes both with the COMMIT, in its round trip (store.hold: nothing
            # waits for their answer; a later statement naming either table writes them first)
            for row in rows:
                self._store.hold(_INSERT_PROPOSAL, row, table="proposals")
            stops = [[stop_values(p.id, i, s) for i, s in enumerate(p.stops)] for p in stored]
            for values in (values for own in stops for values in own):
                self._store.hold(_INSERT_STOP, values, table="proposal_stops")
            for proposal, row, own in zip(stored, rows, stops, strict=True):
                self._store.write_audit(
                    at=proposal.created_at,
                    actor=actor,
                    action="create",
                    entity=ENTITY,
                    entity_id=proposal.id,
                    before=None,
                    after=summary(proposal),
                    rows=written_rows(row, own),  # hashed as written, not read back
                )
        return stored

    def encode_ahead(self, proposals: Sequence[Proposal]) -> None:
        """Encode the parts a round's proposals share (problem, answer, left-out reasons)
        now, so that :meth:`add` finds them encoded: called before the transaction that adds
        them, the encoding is not done while the store's write lock is held."""
        for proposal in proposals:
            self._shared.text(proposal.problem or {}, plain_json)
            self._shared.text(proposal.answer, lambda a: plain_json({"answer": a}))
            self._shared.text(proposal.left_out, left_out_json)

    def get(self, proposal_id: str) -> Proposal:
        row = self._store.execute("SELECT * FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
        if row is None:
            raise NotFoundError(msg("no proposal {proposal_id!r}", proposal_id=proposal_id))
        return self._with_stops([row])[0]

    def current(self, patrol: str) -> Proposal | None:
        """The car's pending proposal, if it has one."""
        found = self.list(patrol=patrol, status=ProposalStatus.PENDING, limit=1)
        return found[0] if found else None

    def active(self, patrol: str) -> Proposal | None:
        """The car's pending or accepted proposal (the one that holds its hotspots)."""
        rows = self._store.execute(
            "SELECT * FROM proposals WHERE patrol = ? AND status IN ('pending', 'accepted') "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            (patrol,),
        ).fetchall()
        return self._with_stops(rows)[0] if rows else None

    def list(
        self,
        *,
        patrol: str | None = None,
        status: ProposalStatus | None = None,
        politikreds: str | None = None,
        limit: int = 1000,
    ) -> builtins.list[Proposal]:
        """Newest first."""
        clauses, params = [], []
        for sql, value in (
            ("patrol = ?", patrol),
            ("status = ?", None if status is None else ProposalStatus(status).value),
            ("politikreds = ?", politikreds),
        ):
            if value is not None:
                clauses.append(sql)
                params.append(value)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = self._store.execute(
            f"SELECT * FROM proposals{where} ORDER BY created_at DESC, id DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        return self._with_stops(rows)

    def held(self) -> dict[str, str]:
        """Hotspot id → the car whose pending or accepted proposal holds it (kept stops not
        yet visited): the claims, in one query."""
        rows = self._store.execute(
            "SELECT s.hotspot_id, p.patrol FROM proposal_stops s "
            "JOIN proposals p ON p.id = s.proposal_id "
            f"WHERE p.status IN ({', '.join('?' * len(HOLDING))}) "
            "AND s.removed = 0 AND s.done = 0",
            [status.value for status in HOLDING],
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def decide(self, after: Proposal, *, actor: str) -> Proposal:
        """Store a decision made on the stored proposal (``Proposal.decided``), with the stops
        as decided (removed ones marked, kept ones re-timed).

        Raises
        ------
        ConflictError
            When the stored proposal is no longer in the status the decision started from.
        """
        with self._store.transaction():
            before, legacy = self._decision_of(after)
            if after.status not in TRANSITIONS.get(before.status, frozenset()):
                raise ConflictError(
                    msg(
                        "proposal {id} is {status}; it cannot become {target}",
                        id=before.id,
                        status=before.status.value,
                        target=after.status.value,
                    )
                )
            self._save_decision(before, after, actor, plan=legacy or after.stops != before.stops)
        return after

    def _decision_of(self, after: Proposal) -> tuple[Proposal, bool]:
        """The stored proposal as far as a decision changes it (status, decision, stops), the
        rest taken from ``after``, which the caller made from it; and whether its plan is the
        JSON of before migration 3. Its plan, problem and answer are not read: a national
        round's ~830 left-out reasons were decoded for every decision."""
        row = self._store.execute(
            "SELECT status, decided_by, decided_at, reason, length(plan) <= 4 AS legacy "
            "FROM proposals WHERE id = ?",
            (after.id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(msg("no proposal {proposal_id!r}", proposal_id=after.id))
        stops = tuple(
            stop_of(r)
            for r in self._store.execute(
                "SELECT * FROM proposal_stops WHERE proposal_id = ? ORDER BY position",
                (after.id,),
            ).fetchall()
        )
        before = replace(
            after,
            stops=stops,
            status=ProposalStatus(row["status"]),
            decided_by=row["decided_by"],
            decided_at=maybe_time(row["decided_at"]),
            reason=row["reason"],
        )
        return before, bool(row["legacy"])

    def mark_done(self, patrol: str, hotspot: str) -> bool:
        """Mark ``hotspot`` visited in the car's active proposal; True when it had that stop."""
        cursor = self._store.execute(
            "UPDATE proposal_stops SET done = 1 WHERE hotspot_id = ? AND done = 0 AND "
            "proposal_id IN (SELECT id FROM proposals WHERE patrol = ? AND status = 'accepted')",
            (hotspot, patrol),
        )
        return cursor.rowcount > 0

    def _supersede(self, cars: Mapping[str, datetime], *, actor: str) -> None:
        """Each car's pending proposal, if any, becomes ``superseded`` (at the time given for
        the car): its decision columns and audit row. Its plan, problem and answer are read
        as text, for the audit row's state hash, never decoded (a national round's ~830
        left-out reasons were decoded and encoded again for every car of every round, and
        superseding changes none of them); the cars' rows are read with one statement."""
        if not cars:
            return
        marks = ", ".join("?" * len(cars))
        found: dict[str, Row] = {}
        for row in self._store.execute(
            f"SELECT * FROM proposals WHERE patrol IN ({marks}) AND status = ? "
            "ORDER BY created_at DESC, id DESC",
            (*cars, ProposalStatus.PENDING.value),
        ).fetchall():
            found.setdefault(row["patrol"], row)  # the newest pending one of each car
        if not found:
            return
        stops_of = self._stop_rows([row["id"] for row in found.values()])
        for patrol, at in cars.items():
            if patrol in found:
                stops = [row_dict(stop) for stop in stops_of[found[patrol]["id"]]]
                self._supersede_one(found[patrol], stops, actor, at)

    def _supersede_one(
        self, row: Row, stops: builtins.list[dict[str, Any]], actor: str, at: datetime
    ) -> None:
        """Supersede the pending proposal read as ``row`` with its ``stops``, audited."""
        patrol = row["patrol"]
        decision = {
            "status": ProposalStatus.SUPERSEDED.value,
            "decided_by": actor,
            "decided_at": iso(at),
            "reason": "",
        }
        cursor = self._store.execute(
            "UPDATE proposals SET status = :status, decided_by = :decided_by, "
            "decided_at = :decided_at, reason = :reason WHERE id = :id AND status = :pending",
            {**decision, "id": row["id"], "pending": ProposalStatus.PENDING.value},
        )
        if cursor.rowcount != 1:
            raise ConflictError(msg("proposal {id} was decided meanwhile", id=row["id"]))
        before = {
            "patrol": patrol,
            "politikreds": row["politikreds"],
            "status": ProposalStatus.PENDING.value,
            "stops": [s["hotspot_id"] for s in stops if not s["removed"]],
            "removed": [s["hotspot_id"] for s in stops if s["removed"]],
            "decided_by": row["decided_by"],
            "reason": row["reason"],
        }
        after = {**before, "status": ProposalStatus.SUPERSEDED.value, "decided_by": actor}
        after["reason"] = ""
        self._store.write_audit(
            at=at,
            actor=actor,
            action=ProposalStatus.SUPERSEDED.value,
            entity=ENTITY,
            entity_id=row["id"],
            before=before,
            after=after,
            # the rows as read under the write lock, with the decision written: not read back
            rows={"proposals": [{**row_dict(row), **decision}], "proposal_stops": stops},
        )

    def _save_decision(
        self, before: Proposal, after: Proposal, actor: str, *, plan: bool = True
    ) -> None:
        """Store the decision; the plan's JSON only with ``plan`` (the stops were re-timed, or
        the stored plan is of before migration 3): a decision alone changes none of it."""
        at = after.decided_at or after.created_at
        new_plan = ", plan = ?" if plan else ""
        cursor = self._store.execute(
            "UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?, reason = ?"
            f"{new_plan} WHERE id = ? AND status = ?",
            (
                after.status.value,
                actor,
                iso(at),
                after.reason,
                *((plan_json(after, self._shared),) if plan else ()),
                before.id,
                before.status.value,
            ),
        )
        if cursor.rowcount != 1:
            raise ConflictError(msg("proposal {id} was decided meanwhile", id=before.id))
        if after.stops != before.stops:
            self._store.executemany(
                "UPDATE proposal_stops SET eta = ?, start = ?, leave = ?, removed = ? "
                "WHERE proposal_id = ? AND position = ?",
                [
                    (iso(s.eta), iso(s.start), iso(s.leave), int(s.removed), after.id, i)
                    for i, s in enumerate(after.stops)
                ],
            )
        self._store.write_audit(
            at=at,
            actor=actor,
            action=after.status.value,
            entity=ENTITY,
            entity_id=before.id,
            before=summary(before),
            after=summary(after),
        )

    def _with_stops(self, rows: Iterable[Row]) -> builtins.list[Proposal]:
        rows = list(rows)
        if not rows:
            return []
        stops = self._stop_rows([row["id"] for row in rows])
        return [proposal_of(row, tuple(stop_of(s) for s in stops[row["id"]])) for row in rows]

    def _stop_rows(self, ids: builtins.list[str]) -> dict[str, builtins.list[Row]]:
        """The stop rows of each proposal, in their order, 500 proposals a statement."""
        found: dict[str, builtins.list[Row]] = {i: [] for i in ids}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            for row in self._store.execute(
                f"SELECT * FROM proposal_stops WHERE proposal_id IN ({', '.join('?' * len(part))}) "
                "ORDER BY proposal_id, position",
                part,
            ).fetchall():
                found[row["proposal_id"]].append(row)
        return found
