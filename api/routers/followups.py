"""Tryghedsopfølgninger: register (analysts, admins), record attempts and outcomes (operators,
analysts, admins), read (every role).

Who sees the citizen: analysts and admins get ``name`` and ``phone`` in every answer; an
operator or planner never does, in no list, detail or live event. The patrol's contact
details come from ``GET /followups/{id}/contact`` for an operator (or admin), and only while
a car's accepted proposal holds the task; each such answer is audited.

Follow-ups are district data (:mod:`api.access`): one belongs to the politikreds where its
address lies. A route naming one outside the caller's politikredse answers 403 (in Danish),
lists show only the caller's politikredse, and a new one must lie in one of them.
"""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.access import (
    FollowUpContact,
    FollowUpReader,
    FollowUpRecorder,
    belonging,
    named_or_mine,
    require,
)
from api.auth import FollowUpEditor, Permission, Principal, Reader
from api.deps import ServicesDep
from api.followup_schemas import (
    AttemptIn,
    AttemptOut,
    ContactOut,
    FollowUpClose,
    FollowUpCollection,
    FollowUpFeature,
    FollowUpIn,
    attempt_out,
    followup_collection,
    followup_feature,
)
from smartspot.errors import NotFoundError
from smartspot.followup_drafts import draft_from_properties
from smartspot.followups import FollowUp, FollowUpStatus, Queue
from smartspot.store.port import FollowUpQuery

router = APIRouter(prefix="/followups", tags=["followups"])

MAX_PAGE = 10_000


def sees_citizens(principal: Principal) -> bool:
    return principal.may(Permission.READ_CITIZENS)


def announce(services: ServicesDep, followup: FollowUp) -> None:
    """Tell the map: the operator's view, never the citizen."""
    feature = followup_feature(followup, personal=False)
    services.engine.announce("followup", feature.model_dump(mode="json"))


@router.get("", response_model=FollowUpCollection)
def list_followups(
    principal: Reader,
    services: ServicesDep,
    politikreds: Annotated[str | None, Query(max_length=100)] = None,
    status: FollowUpStatus | None = None,
    queue: Queue | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> FollowUpCollection:
    """Current follow-ups of the caller's politikredse (403 for another named one), ordered
    by id, as GeoJSON points; ``name`` and ``phone`` only for analysts and admins."""
    where = FollowUpQuery(
        politikreds=politikreds or None,
        status=status,
        queue=queue,
        limit=limit,
        offset=offset,
        within=named_or_mine(principal, politikreds),
    )
    found = services.followups.list(where)
    return followup_collection(
        found, personal=sees_citizens(principal), matched=services.followups.count(where)
    )


@router.post("", response_model=FollowUpFeature, status_code=201)
def create_followup(
    body: FollowUpIn, principal: FollowUpEditor, services: ServicesDep
) -> FollowUpFeature:
    """Register a follow-up at an address point (WGS84). Its kommune and politikreds are
    derived, and must be one of the caller's; the due date defaults to the due period from
    today."""
    followups = services.followups
    draft = draft_from_properties(
        body.draft_properties(), today=followups.today(), rules=followups.rules
    )
    _, where = followups.place(body.geometry_geojson())
    require(principal, where.politikreds, what=draft.case_ref)
    created = services.engine.register_followup(
        draft, body.geometry_geojson(), actor=principal.name
    )
    announce(services, created)
    return followup_feature(created, personal=sees_citizens(principal))


@router.get("/{followup_id}", response_model=FollowUpFeature)
def get_followup(
    followup_id: str, principal: FollowUpReader, services: ServicesDep
) -> FollowUpFeature:
    """The current version of one follow-up (the citizen only for analysts and admins)."""
    return followup_feature(services.followups.show(followup_id), personal=sees_citizens(principal))


@router.get("/{followup_id}/attempts", response_model=list[AttemptOut])
def list_attempts(
    followup_id: str, principal: FollowUpReader, services: ServicesDep
) -> list[AttemptOut]:
    """Every attempt at the door, oldest first."""
    return [attempt_out(a) for a in services.followups.attempts(followup_id)]


@router.post("/{followup_id}/attempts", response_model=FollowUpFeature)
def record_attempt(
    followup_id: str,
    body: AttemptIn,
    principal: FollowUpRecorder,
    services: ServicesDep,
    request: Request,
) -> FollowUpFeature:
    """Record an attempt from the patrol's report: reached closes the task, refused cancels
    it, and the configured number of not-home attempts sends it to the phone queue. The car
    must be one of the caller's politikredse's too."""
    with contextlib.suppress(NotFoundError):  # an unknown car: the engine's own answer
        require(principal, belonging(request).patrol(body.patrol), what=body.patrol)
    after = services.engine.record_attempt(
        followup_id,
        patrol=body.patrol,
        outcome=body.outcome,
        left=body.left,
        note=body.note,
        at=body.at,
        actor=principal.name,
    )
    announce(services, after)
    return followup_feature(after, personal=sees_citizens(principal))


@router.post("/{followup_id}/close", response_model=FollowUpFeature)
def close_followup(
    followup_id: str, body: FollowUpClose, principal: FollowUpRecorder, services: ServicesDep
) -> FollowUpFeature:
    """Close an open follow-up with its outcome (cancelling needs a reason)."""
    closed = services.engine.close_followup(
        followup_id, FollowUpStatus(body.status), reason=body.reason, actor=principal.name
    )
    announce(services, closed)
    return followup_feature(closed, personal=sees_citizens(principal))


@router.post("/{followup_id}/phone", response_model=FollowUpFeature)
def to_phone_queue(
    followup_id: str, principal: FollowUpRecorder, services: ServicesDep
) -> FollowUpFeature:
    """Move an open follow-up to the phone queue: patrols are no longer asked to call by."""
    after = services.followups.to_phone(followup_id, user=principal.name)
    announce(services, after)
    return followup_feature(after, personal=sees_citizens(principal))


@router.get("/{followup_id}/contact", response_model=ContactOut)
def contact(followup_id: str, principal: FollowUpContact, services: ServicesDep) -> ContactOut:
    """The citizen's name and phone for the patrol, only while its car's accepted proposal
    holds the task (409 otherwise). Audited as ``contact-shown``; never sent on the stream."""
    patrol, citizen = services.followups.contact(followup_id, user=principal.name)
    return ContactOut(followup=followup_id, patrol=patrol, name=citizen.name, phone=citizen.phone)
