"""Proposals: the newest of the caller's politikredse, plan now for some cars, a car's
current one, one by id with every left-out hotspot's reason, accept (optionally without some
stops) and reject, the problem file the optimiser saw and its replay.

Every route here is a plain ``def``: FastAPI runs it in its threadpool, so the store and the
solver never block the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.access import PatrolReader, ProposalDecider, ProposalReader, require
from api.auth import Operator, Reader
from api.deps import ServicesDep
from api.language import Language, localised_proposal, proposal_answer
from api.live_schemas import AcceptIn, ProposalOut, ProposeIn, RejectIn, RoundProposalOut
from smartspot.i18n import Translator
from smartspot.live.views import proposal_event_view
from smartspot.plans import ProposalStatus

router = APIRouter()


@router.get("/proposals", response_model=list[ProposalOut], tags=["proposals"])
def list_proposals(
    principal: Reader,
    services: ServicesDep,
    t: Language,
    status: ProposalStatus | None = None,
    patrol: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The newest proposals of the caller's politikredse (of one car with ``patrol``)."""
    proposals = services.store.proposals
    if patrol is not None:
        require(principal, services.belonging.patrol(patrol), what=patrol)
    if patrol is not None or principal.districts.everywhere:
        found = proposals.list(patrol=patrol, status=status, limit=limit)
    else:
        found = sorted(
            (
                p
                for district in principal.districts.names
                for p in proposals.list(politikreds=district, status=status, limit=limit)
            ),
            key=lambda p: (p.created_at, p.id),
            reverse=True,
        )[:limit]
    return [proposal_answer(p, t) for p in found]


@router.post("/proposals", response_model=list[ProposalOut], tags=["proposals"])
def propose(
    body: ProposeIn, principal: Operator, services: ServicesDep, t: Language
) -> list[dict[str, Any]]:
    """Ask for proposals for these cars (of the caller's politikredse) now (one joint plan
    per politikreds)."""
    for call_sign in body.patrols:
        require(principal, services.belonging.patrol(call_sign), what=call_sign)
    made = services.engine.propose(body.patrols, actor=principal.name)
    return [proposal_answer(p, t) for p in made]


@router.get("/patrols/{call_sign}/proposal", response_model=ProposalOut | None, tags=["proposals"])
def current_proposal(
    call_sign: str, principal: PatrolReader, services: ServicesDep, t: Language
) -> dict[str, Any] | None:
    """The car's pending proposal, or null."""
    found = services.store.proposals.current(call_sign)
    return None if found is None else proposal_answer(found, t)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, tags=["proposals"])
def get_proposal(
    proposal_id: str, principal: ProposalReader, services: ServicesDep, t: Language
) -> dict[str, Any]:
    return proposal_answer(services.store.proposals.get(proposal_id), t)


@router.post("/proposals/{proposal_id}/accept", response_model=RoundProposalOut, tags=["proposals"])
def accept(
    proposal_id: str,
    body: AcceptIn,
    principal: ProposalDecider,
    services: ServicesDep,
    t: Language,
) -> dict[str, Any]:
    """Accept (optionally without some stops): the car goes on task. The answer counts the
    left-out hotspots per reason (``left_out_counts``); their reasons are in
    ``GET /proposals/{id}``."""
    accepted = services.engine.accept(proposal_id, body.remove, actor=principal.name)
    return _decided(accepted, t)


@router.post("/proposals/{proposal_id}/reject", response_model=RoundProposalOut, tags=["proposals"])
def reject(
    proposal_id: str,
    body: RejectIn,
    principal: ProposalDecider,
    services: ServicesDep,
    t: Language,
) -> dict[str, Any]:
    """Reject with a reason. The answer counts the left-out hotspots per reason, as an
    accept's does."""
    return _decided(services.engine.reject(proposal_id, body.reason, actor=principal.name), t)


def _decided(proposal: Any, t: Translator) -> dict[str, Any]:
    """A decided proposal for its decider: its stops and decision, the left-out hotspots
    counted (a national proposal leaves ~800 out; each reason in the reader's words made
    the answer of a reject 0.1 MB, for a crew that only said why)."""
    return localised_proposal(proposal_event_view(proposal), t)  # type: ignore[no-any-return]


@router.get("/proposals/{proposal_id}/problem", tags=["proposals"])
def proposal_problem(
    proposal_id: str, principal: ProposalReader, services: ServicesDep
) -> dict[str, Any]:
    """The problem file the optimiser saw (``smartspot solve`` reads it)."""
    problem = services.store.proposals.get(proposal_id).problem
    return dict(problem or {})


@router.get("/proposals/{proposal_id}/replay", tags=["proposals"])
def replay(proposal_id: str, principal: ProposalReader, services: ServicesDep) -> dict[str, Any]:
    """Solve the stored problem again with the same solver, deadline and seed, beside the
    stored answer, so any decision can be reviewed later."""
    return services.engine.replay(proposal_id)
