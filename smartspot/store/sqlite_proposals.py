"""Detour proposals in SQLite: the problem the optimiser saw, its answer, the decision."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smartspot.errors import ConflictError, InvalidInputError, NotFoundError
from smartspot.i18n import msg
from smartspot.store.records import Proposal, ProposalStatus
from smartspot.store.sqlite import from_iso, iso

if TYPE_CHECKING:
    from smartspot.store.sqlite import SqliteStore

ENTITY = "proposal"


#: The decisions each status allows: a pending proposal is decided once; an accepted one can
#: still be voided when an urgent call takes its car off the task.
_NEXT: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    ProposalStatus.PENDING: frozenset(
        {
            ProposalStatus.ACCEPTED,
            ProposalStatus.REJECTED,
            ProposalStatus.VOIDED,
            ProposalStatus.SUPERSEDED,
        }
    ),
    ProposalStatus.ACCEPTED: frozenset({ProposalStatus.VOIDED}),
}


def _proposal(row: sqlite3.Row) -> Proposal:
    return Proposal(
        id=row["id"],
        patrol=row["patrol"],
        created_at=from_iso(row["created_at"]),
        problem=json.loads(row["problem"]),
        solution=json.loads(row["solution"]),
        status=ProposalStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=None if row["decided_at"] is None else from_iso(row["decided_at"]),
        reason=row["reason"],
        decision=json.loads(row["decision"]),
    )


def _summary(proposal: Proposal) -> dict[str, Any]:
    """The audit view: the decision, not the (large) problem file."""
    return {
        "patrol": proposal.patrol,
        "status": proposal.status.value,
        "decided_by": proposal.decided_by,
        "reason": proposal.reason,
        "decision": proposal.decision,
    }


class SqliteProposals:
    """Proposals per car. Adding one supersedes the car's pending one; a decision is final."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def add(
        self,
        patrol: str,
        problem: dict[str, Any],
        solution: dict[str, Any],
        *,
        actor: str,
        at: datetime,
    ) -> Proposal:
        """Store a new pending proposal (id ``PR-000042``); the car's earlier pending proposal,
        if any, becomes ``superseded``."""
        try:
            problem_json = json.dumps(problem, ensure_ascii=False, allow_nan=False)
            solution_json = json.dumps(solution, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise InvalidInputError(
                msg("a proposal must be plain JSON: {error}", error=error)
            ) from None
        with self._store.transaction():
            pending = self.current(patrol)
            if pending is not None:
                self._decide(pending, ProposalStatus.SUPERSEDED, "", {}, actor, at)
            proposal = Proposal(
                id=f"PR-{self._store.next_number(ENTITY):06d}",
                patrol=patrol,
                created_at=at,
                problem=json.loads(problem_json),
                solution=json.loads(solution_json),
            )
            self._store.execute(
                "INSERT INTO proposals (id, patrol, created_at, status, problem, solution) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (proposal.id, patrol, iso(at), proposal.status.value, problem_json, solution_json),
            )
            self._store.write_audit(
                at=at,
                actor=actor,
                action="create",
                entity=ENTITY,
                entity_id=proposal.id,
                before=None,
                after=_summary(proposal),
            )
        return proposal

    def get(self, proposal_id: str) -> Proposal:
        row = self._store.execute("SELECT * FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
        if row is None:
            raise NotFoundError(msg("no proposal {proposal_id!r}", proposal_id=proposal_id))
        return _proposal(row)

    def current(self, patrol: str) -> Proposal | None:
        """The car's pending proposal, if it has one."""
        row = self._store.execute(
            "SELECT * FROM proposals WHERE patrol = ? AND status = 'pending' "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            (patrol,),
        ).fetchone()
        return None if row is None else _proposal(row)

    def list(
        self,
        *,
        patrol: str | None = None,
        status: ProposalStatus | None = None,
        limit: int = 1000,
    ) -> list[Proposal]:
        """Newest first."""
        clauses, params = [], []
        if patrol is not None:
            clauses.append("patrol = ?")
            params.append(patrol)
        if status is not None:
            clauses.append("status = ?")
            params.append(ProposalStatus(status).value)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = self._store.execute(
            f"SELECT * FROM proposals{where} ORDER BY created_at DESC, id DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [_proposal(row) for row in rows]

    def decide(
        self,
        proposal_id: str,
        status: ProposalStatus,
        *,
        actor: str,
        at: datetime,
        reason: str = "",
        decision: dict[str, Any] | None = None,
    ) -> Proposal:
        """Accept, reject (with a reason) or void a pending proposal, or void an accepted one
        (its car was taken off the task for an urgent call).

        Raises
        ------
        ConflictError
            For any other change: a proposal already rejected, voided or superseded, or an
            accepted one being accepted or rejected again.
        """
        status = ProposalStatus(status)
        if status is ProposalStatus.PENDING:
            raise InvalidInputError(
                msg("a decision is accepted, rejected or voided"), field="status"
            )
        with self._store.transaction():
            return self._decide(self.get(proposal_id), status, reason, decision or {}, actor, at)

    def _decide(
        self,
        before: Proposal,
        status: ProposalStatus,
        reason: str,
        decision: dict[str, Any],
        actor: str,
        at: datetime,
    ) -> Proposal:
        if status not in _NEXT.get(before.status, ()):
            raise ConflictError(
                msg(
                    "proposal {id} is already {value}; only a pending proposal can be decided, and an accepted one only voided",
                    id=before.id,
                    value=before.status.value,
                )
            )
        if before.status is ProposalStatus.ACCEPTED:
            decision = {**before.decision, **decision}  # keep what was accepted
        after = Proposal(
            id=before.id,
            patrol=before.patrol,
            created_at=before.created_at,
            problem=before.problem,
            solution=before.solution,
            status=status,
            decided_by=actor,
            decided_at=at,
            reason=reason.strip(),
            decision=decision,
        )
        self._store.execute(
            "UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?, reason = ?, "
            "decision = ? WHERE id = ? AND status = ?",
            (
                status.value,
                actor,
                iso(at),
                after.reason,
                json.dumps(decision),
                before.id,
                before.status.value,
            ),
        )
        self._store.write_audit(
            at=at,
            actor=actor,
            action=status.value,
            entity=ENTITY,
            entity_id=before.id,
            before=_summary(before),
            after=_summary(after),
        )
        return after
