"""Proposals: store what planning made, and the operator's decisions on them — accept (maybe
without some stops, re-timed on the solver's timeline), reject with a reason — and the
engine's own: void when the car is taken, complete when the task is done, replay for review.

This file is the one answer to "when is a proposal voided?": :func:`release_car`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from smartspot.domain import PatrolStatus
from smartspot.errors import ConflictError, InvalidInputError
from smartspot.i18n import msg
from smartspot.live.context import LiveContext
from smartspot.live.views import patrol_view, proposal_event_view
from smartspot.optimise.explain import retime
from smartspot.optimise.problem import problem_from_dict, solution_to_dict
from smartspot.optimise.solvers import get_solver
from smartspot.plans import Proposal, ProposalStatus


def store_all(ctx: LiveContext, proposals: Sequence[Proposal], *, actor: str) -> list[Proposal]:
    """Store new proposals (each supersedes its car's pending one) and tell the map."""
    ctx.store.proposals.encode_ahead(proposals)  # before the write lock, unless nested
    with ctx.store.transaction():
        stored = ctx.store.proposals.add_all(proposals, actor=actor)  # rows for all at once
        for saved in stored:
            kind = "proposal" if saved.kept else "no-proposal"
            ctx.events.emit(kind, proposal_event_view(saved), at=saved.created_at)
    return stored


def accept(ctx: LiveContext, proposal_id: str, remove: Sequence[str], *, actor: str) -> Proposal:
    """Accept a pending proposal, optionally without some stops; the car goes on task.

    Raises
    ------
    InvalidInputError
        When a removed stop is not in the proposal, or every stop is removed (that is a
        rejection, which needs a reason).
    ConflictError
        When the proposal is no longer pending.
    """
    with ctx.store.transaction():
        proposal = ctx.store.proposals.get(proposal_id)
        stops = [s.hotspot for s in proposal.kept]
        unknown = sorted(set(remove) - set(stops))
        if unknown:
            raise InvalidInputError(
                msg(
                    "proposal {proposal_id} has no stop {unknown}; its stops are {stops}",
                    proposal_id=proposal_id,
                    unknown=", ".join(unknown),
                    stops=", ".join(stops) or "–",
                ),
                field="remove",
            )
        if proposal.status is not ProposalStatus.PENDING:
            raise ConflictError(
                msg(
                    "proposal {id} is {status}; it cannot become {target}",
                    id=proposal_id,
                    status=proposal.status.value,
                    target=ProposalStatus.ACCEPTED.value,
                )
            )
        if set(remove) >= set(stops):
            raise InvalidInputError(
                msg(
                    "removing every stop is a rejection; reject the proposal with a reason instead"
                ),
                field="remove",
            )
        now = ctx.clock.now()
        decided = proposal.decided(ProposalStatus.ACCEPTED, by=actor, at=now)
        if remove:
            decided = _without(decided, set(remove))
        saved = ctx.store.proposals.decide(decided, actor=actor)
        car = ctx.store.patrols.set_status(
            proposal.patrol, PatrolStatus.ON_TASK, actor=actor, at=now
        )
        ctx.events.emit("proposal", proposal_event_view(saved), at=now)
        ctx.events.emit("patrol", patrol_view(car), at=now)
    return saved


def _without(proposal: Proposal, removed: set[str]) -> Proposal:
    """The proposal with ``removed`` stops marked and the kept ones re-timed."""
    kept = [s.hotspot for s in proposal.stops if s.hotspot not in removed]
    if proposal.problem is None:
        raise InvalidInputError(msg("this proposal has no problem file to re-time"), field="remove")
    times, home_at = retime(
        problem_from_dict(proposal.problem), proposal.patrol, kept, proposal.created_at
    )
    timed = iter(times)
    stops = []
    for stop in proposal.stops:
        if stop.hotspot in removed:
            stops.append(dataclasses.replace(stop, removed=True))
            continue
        eta, start, leave = next(timed)
        stops.append(dataclasses.replace(stop, eta=eta, start=start, leave=leave))
    old_trip = (proposal.home_at - proposal.created_at).total_seconds() if proposal.home_at else 0
    new_trip = (home_at - proposal.created_at).total_seconds()
    return dataclasses.replace(
        proposal,
        stops=tuple(stops),
        home_at=home_at,
        detour_s=proposal.detour_s - (old_trip - new_trip),
        value=round(sum(s.value for s in stops if not s.removed), 2),
    )


def reject(ctx: LiveContext, proposal_id: str, reason: str, *, actor: str) -> Proposal:
    """The operator says no, with a reason (kept for review)."""
    if not reason.strip():
        raise InvalidInputError(msg("rejecting a proposal needs a reason"), field="reason")
    with ctx.store.transaction():
        now = ctx.clock.now()
        proposal = ctx.store.proposals.get(proposal_id)
        decided = proposal.decided(ProposalStatus.REJECTED, by=actor, at=now, reason=reason)
        saved = ctx.store.proposals.decide(decided, actor=actor)
        ctx.events.emit("proposal", proposal_event_view(saved), at=now)
    return saved


def release_car(ctx: LiveContext, call_sign: str, *, actor: str, why: str, at: datetime) -> None:
    """The car is taken (sent to a call, off duty): its pending proposal, or the accepted one it
    was working, is voided at once and its hotspots are free again. Call inside the
    transaction of the change that takes the car."""
    proposal = ctx.store.proposals.active(call_sign)
    if proposal is None:
        return
    decided = proposal.decided(ProposalStatus.VOIDED, by=actor, at=at, reason=why)
    saved = ctx.store.proposals.decide(decided, actor=actor)
    ctx.events.emit("proposal", proposal_event_view(saved), at=at)


def complete(ctx: LiveContext, call_sign: str, *, actor: str, at: datetime) -> Proposal | None:
    """The car is done with its task (every stop visited, or the operator set it free of it).
    Call inside a transaction."""
    proposal = ctx.store.proposals.active(call_sign)
    if proposal is None or proposal.status is not ProposalStatus.ACCEPTED:
        return None
    decided = proposal.decided(ProposalStatus.COMPLETED, by=actor, at=at)
    saved = ctx.store.proposals.decide(decided, actor=actor)
    ctx.events.emit("proposal", proposal_event_view(saved), at=at)
    return saved


def replay(ctx: LiveContext, proposal_id: str) -> dict[str, Any]:
    """Solve the stored problem again with the same solver, deadline and seed."""
    proposal = ctx.store.proposals.get(proposal_id)
    run = proposal.run
    if proposal.problem is None:
        return {
            "proposal": proposal.id,
            "solver": run.solver,
            "time_limit_s": run.time_limit_s,
            "stored": proposal.answer,
            "replayed": None,
            "same": True,
        }
    solution = get_solver(run.solver).solve(
        problem_from_dict(proposal.problem), time_limit_s=run.time_limit_s, seed=run.seed
    )
    again = solution_to_dict(solution)
    stored = dict(proposal.answer or {})
    return {
        "proposal": proposal.id,
        "solver": run.solver,
        "time_limit_s": run.time_limit_s,
        "stored": stored,
        "replayed": again,
        "same": _plan_of(stored, proposal.patrol) == _plan_of(again, proposal.patrol),
    }


def _plan_of(solution: dict[str, Any], car: str) -> list[tuple[str, int]]:
    for plan in solution.get("plans", []):
        if plan["car"] == car:
            return [(s["hotspot"], int(s["start_s"])) for s in plan["stops"]]
    return []
