"""Patrols (AVL batches, status), callouts (received → dispatched → arrived → cleared, the
clear answering with its planning round's proposals) and visits; the proposals' own routes
are in :mod:`api.routers.proposals`.

Every route here is a plain ``def``: FastAPI runs it in its threadpool, so SQLite and the
solver never block the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from api.access import (
    CalloutOperator,
    CalloutReader,
    PatrolOperator,
    PatrolReader,
    VisitOperator,
    keep,
    own_cars,
    require,
)
from api.after_response import after_response
from api.auth import Operator, Reader
from api.deps import ServicesDep
from api.language import (
    Language,
    localised_proposal,
    localised_reasons,
    proposal_answer,
    request_translator,
)
from api.live_schemas import (
    CalloutIn,
    CalloutOut,
    ClearedOut,
    DispatchIn,
    PatrolIn,
    PatrolOut,
    PositionBatch,
    PositionsStored,
    ProposalOut,
    RefusedFix,
    StatusIn,
    VisitChanges,
    VisitIn,
    VisitOut,
)
from smartspot.domain import PatrolStatus, Visit
from smartspot.errors import ForbiddenError, InvalidInputError, NotFoundError
from smartspot.geo.validate import metric_point
from smartspot.i18n import Message, joined, msg
from smartspot.live.positions import Fix
from smartspot.live.views import (
    callout_view,
    patrol_view,
    round_view,
    visit_view,
)
from smartspot.optimise.pace import CollectorHold

router = APIRouter()


def _json(model: type[BaseModel], content: Any) -> Response:
    """``content`` checked as ``model`` (its ``response_model``) and written as JSON here, in
    the route's thread. Given a ``Response``, FastAPI neither validates the answer again, in
    one more hop to its threadpool and back, nor writes its JSON on the event loop beside
    every other request: the AVL batches' answers, and a clear's (~120 kB for a national
    district: the round's left-out hotspots with their reasons)."""
    checked = content if isinstance(content, model) else model.model_validate(content)
    return Response(checked.model_dump_json(), media_type="application/json")


# -- patrols -------------------------------------------------------------------------------


@router.get("/patrols", response_model=list[PatrolOut], tags=["patrols"])
def list_patrols(
    principal: Reader, services: ServicesDep, status: PatrolStatus | None = None
) -> list[dict[str, Any]]:
    """Every car of the caller's politikredse with its status and last known position
    (WGS84)."""
    found = services.store.patrols.list(status=status)
    mine = keep(principal, found, lambda p: services.belonging.patrol(p.call_sign))
    return [patrol_view(p) for p in mine]


@router.post("/patrols", response_model=PatrolOut, status_code=201, tags=["patrols"])
def add_patrol(body: PatrolIn, principal: Operator, services: ServicesDep) -> dict[str, Any]:
    """Register a car by call sign and home station (a station id, e.g. st01, in one of the
    caller's politikredse)."""
    require(principal, services.belonging.station(body.home_station), what=body.call_sign)
    patrol = services.engine.add_patrol(body.call_sign, body.home_station, actor=principal.name)
    return patrol_view(patrol)


@router.get("/patrols/{call_sign}", response_model=PatrolOut, tags=["patrols"])
def get_patrol(call_sign: str, principal: PatrolReader, services: ServicesDep) -> dict[str, Any]:
    return patrol_view(services.store.patrols.get(call_sign))


@router.post("/patrols/positions", response_model=PositionsStored, tags=["patrols"])
def record_positions(
    body: PositionBatch, principal: Operator, services: ServicesDep, request: Request
) -> Response:
    """An AVL batch: many cars in one request. A fix that cannot be believed (more than two
    minutes in the future, older than the horizon, outside Denmark, an unknown car) is refused
    on its own and named in ``refused`` with status 422 (404 for an unknown car); the rest are
    stored and feed the automatic visit detection (a stay of the district policy's minutes
    inside a hotspot). A car outside the caller's politikredse is refused with 403. When no
    fix is stored at all the answer is that 422 (or 404, or 403). Where the district's policy
    switches idle proposals on, a car of the batch that has stood available at a post or
    station long enough gets one (in ``proposals``, and on the live stream)."""
    mine, foreign = own_cars(principal, services.belonging, body.positions)
    fixes = [Fix(p.call_sign, p.lon, p.lat, p.at) for _, p in mine]
    result = services.engine.record_positions(fixes)
    say = request_translator(request)
    refused = sorted(
        [
            RefusedFix(
                index=mine[r.index][0],
                call_sign=r.call_sign,
                status=404 if r.unknown else 422,
                reason=say(r.reason),
            )
            for r in result.refused
        ]
        + [
            RefusedFix(index=i, call_sign=p.call_sign, status=403, reason=say(why))
            for i, p, why in foreign
        ],
        key=lambda r: r.index,
    )
    if not result.stored:
        _nothing_stored(refused)
    stored = PositionsStored(
        stored=result.stored,
        refused=refused,
        proposals=[ProposalOut.model_validate(proposal_answer(p, say)) for p in result.proposals],
    )
    return _json(PositionsStored, stored)


def _nothing_stored(refused: list[RefusedFix]) -> None:
    """Raise the answer for a batch of which nothing was stored: 403 when every fix was of
    another politikreds, 404 when every one named an unknown car, else 422."""
    named = [
        msg(
            "positions[{index}] ({call_sign}): {reason}",
            index=r.index,
            call_sign=r.call_sign,
            reason=Message(r.reason, translate=False),
        )
        for r in refused
    ]
    why = msg("nothing stored: {reasons}", reasons=joined(named))
    if refused and all(r.status == 403 for r in refused):
        raise ForbiddenError(why)
    if all(r.status == 404 for r in refused):
        raise NotFoundError(why)
    raise InvalidInputError(why, field="positions")


@router.post("/patrols/{call_sign}/status", response_model=PatrolOut, tags=["patrols"])
def set_status(
    call_sign: str, body: StatusIn, principal: PatrolOperator, services: ServicesDep
) -> dict[str, Any]:
    """Change a car's status. Dispatched or off duty voids its proposal; freeing a car on
    task completes the task."""
    patrol = services.engine.set_status(call_sign, body.status, actor=principal.name)
    return patrol_view(patrol)


# -- callouts ------------------------------------------------------------------------------


@router.get("/callouts", response_model=list[CalloutOut], tags=["callouts"])
def list_callouts(
    principal: Reader, services: ServicesDep, open_only: bool = False
) -> list[dict[str, Any]]:
    """The callouts received in the caller's politikredse."""
    found = services.store.callouts.list(open_only=open_only)
    mine = keep(principal, found, lambda pair: None if pair[1] is None else pair[1].politikreds)
    return [callout_view(c) for c, _ in mine]


@router.post("/callouts", response_model=CalloutOut, status_code=201, tags=["callouts"])
def receive_callout(body: CalloutIn, principal: Operator, services: ServicesDep) -> dict[str, Any]:
    """A call is received (urgent or not) at a WGS84 place in one of the caller's
    politikredse."""
    position = metric_point(body.lon, body.lat)
    where = services.belonging.point(position)
    require(principal, where, what=f"{body.lon:.5f}, {body.lat:.5f}")
    callout = services.engine.receive(urgent=body.urgent, position=position, actor=principal.name)
    return callout_view(callout)


@router.get("/callouts/{callout_id}", response_model=CalloutOut, tags=["callouts"])
def get_callout(callout_id: str, principal: CalloutReader, services: ServicesDep) -> dict[str, Any]:
    return callout_view(services.store.callouts.get(callout_id))


@router.post("/callouts/{callout_id}/dispatch", response_model=CalloutOut, tags=["callouts"])
def dispatch(
    callout_id: str, body: DispatchIn, principal: CalloutOperator, services: ServicesDep
) -> dict[str, Any]:
    """Send a car (of the caller's politikredse); whatever Smart Spot task it had is voided
    at once."""
    require(principal, services.belonging.patrol(body.patrol), what=body.patrol)
    return callout_view(services.engine.dispatch(callout_id, body.patrol, actor=principal.name))


@router.post("/callouts/{callout_id}/arrive", response_model=CalloutOut, tags=["callouts"])
def arrive(callout_id: str, principal: CalloutOperator, services: ServicesDep) -> dict[str, Any]:
    return callout_view(services.engine.arrive(callout_id, actor=principal.name))


@router.post("/callouts/{callout_id}/clear", response_model=ClearedOut, tags=["callouts"])
def clear(
    callout_id: str,
    principal: CalloutOperator,
    services: ServicesDep,
    t: Language,
    request: Request,
) -> Response:
    """The car is free: it heads home and gets a proposal for its way back (solved in the
    threadpool within the optimiser's deadline), jointly with the other cars of its
    politikreds heading home. Each car gets a proposal, maybe without stops (status
    ``empty``, with the reasons). Why each other hotspot is in none of them is given once for
    the round (``left_out``); each proposal counts them per reason (``left_out_counts``)."""
    # the cyclic collector, paused while the clear plans, stays paused until the answer is
    # sent: the young collection it postponed then runs on what survived the answer
    hold = CollectorHold()
    try:
        callout, proposals = services.engine.clear(callout_id, actor=principal.name)
        planned = round_view(proposals)
        answer = {
            "callout": callout_view(callout),
            "proposals": [localised_proposal(p, t) for p in planned["proposals"]],
            "left_out": localised_reasons(planned["left_out"], t),
        }
        response = _json(ClearedOut, answer)
    except BaseException:
        hold.release()
        raise
    if not after_response(request, hold.release):
        hold.release()
    return response


# -- visits --------------------------------------------------------------------------------


@router.get("/visits", response_model=list[VisitOut], tags=["visits"])
def list_visits(
    principal: Reader,
    services: ServicesDep,
    hotspot: Annotated[str | None, Query(max_length=64)] = None,
    patrol: Annotated[str | None, Query(max_length=40)] = None,
) -> list[dict[str, Any]]:
    """Visits to the hotspots of the caller's politikredse (of one hotspot or car)."""
    if hotspot is not None:
        require(principal, services.belonging.hotspot(hotspot), what=hotspot)
    if patrol is not None:
        require(principal, services.belonging.patrol(patrol), what=patrol)
    found = services.store.visits.list(hotspot=hotspot, patrol=patrol)
    where = _hotspot_districts(services)
    return [visit_view(v) for v in keep(principal, found, lambda v: where(v.visit.hotspot))]


@router.get("/visits/last", tags=["visits"])
def last_visits(principal: Reader, services: ServicesDep) -> dict[str, str]:
    """Hotspot id → time of its latest visit (the map colours hotspots by it), for the
    hotspots of the caller's politikredse."""
    found = services.store.visits.last_visit_times().items()
    where = _hotspot_districts(services)
    return {k: v.isoformat() for k, v in keep(principal, found, lambda pair: where(pair[0]))}


def _hotspot_districts(services: Any) -> Callable[[str], str | None]:
    """Hotspot id → its politikreds, remembered for one request."""
    seen: dict[str, str | None] = {}

    def where(hotspot_id: str) -> str | None:
        if hotspot_id not in seen:
            try:
                seen[hotspot_id] = services.belonging.hotspot(hotspot_id)
            except NotFoundError:
                seen[hotspot_id] = None
        return seen[hotspot_id]

    return where


@router.post("/visits", response_model=VisitOut, status_code=201, tags=["visits"])
def add_visit(body: VisitIn, principal: Operator, services: ServicesDep) -> dict[str, Any]:
    """A crew reports arriving at (and possibly leaving) a hotspot, with the outcome; the
    hotspot and the car both of the caller's politikredse."""
    require(principal, services.belonging.hotspot(body.hotspot), what=body.hotspot)
    require(principal, services.belonging.patrol(body.patrol), what=body.patrol)
    visit = Visit(
        hotspot=body.hotspot,
        patrol=body.patrol,
        arrived_at=body.arrived_at,
        left_at=body.left_at,
        outcome=body.outcome,
        persons=body.persons,
        action=body.action,
        note=body.note,
    )
    return visit_view(services.engine.report_visit(visit, actor=principal.name))


@router.patch("/visits/{visit_id}", response_model=VisitOut, tags=["visits"])
def update_visit(
    visit_id: str, body: VisitChanges, principal: VisitOperator, services: ServicesDep
) -> dict[str, Any]:
    """Leaving and the outcome: observed or not, persons, action taken, free text."""
    changes = body.model_dump(exclude_unset=True)
    return visit_view(services.engine.amend_visit(visit_id, changes, actor=principal.name))
