"""Users belong to districts: the one place the routers ask whether the caller may touch an
object, by the politikreds it belongs to (:mod:`smartspot.live.belonging`).

A route names the object its path addresses with one of the guards below (e.g.
``principal: HotspotWriter``): the role's permission is checked first (403 for a role that
may not), then the object is looked up (404 for an unknown id), then its politikreds against
the caller's districts (403, in the reader's language). Lists are limited to the caller's
districts; asking a list for another politikreds by name is a 403. What a body names (a new
hotspot's place, a callout's position, the car a callout is dispatched to) is checked with
:func:`require`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

from fastapi import Depends, Request

from api.auth import Permission, Principal, requires
from smartspot.access import Districts
from smartspot.errors import ForbiddenError, NotFoundError
from smartspot.i18n import Message
from smartspot.live.belonging import Belonging
from smartspot.store.records import StoredEvent

Kind = Literal["hotspot", "patrol", "callout", "proposal", "visit", "followup"]

#: The path parameter that names each kind of object.
PATH_PARAMS: dict[str, str] = {
    "hotspot": "hotspot_id",
    "patrol": "call_sign",
    "callout": "callout_id",
    "proposal": "proposal_id",
    "visit": "visit_id",
    "followup": "followup_id",
}


def belonging(request: Request) -> Belonging:
    found: Belonging = request.app.state.services.belonging
    return found


def require(principal: Principal, politikreds: str | None, *, what: str) -> None:
    """403 (ForbiddenError) unless ``politikreds`` is one of the caller's districts."""
    principal.districts.require(politikreds, what=what)


def require_object(request: Request, principal: Principal, kind: str, object_id: str) -> None:
    """403 unless the ``kind`` object ``object_id`` lies in the caller's districts (404 when
    there is no such object)."""
    require(principal, belonging(request).of(kind, object_id), what=object_id)


def within(principal: Principal) -> frozenset[str] | None:
    """The politikredse a list may show the caller: None for a national user (no limit)."""
    districts: Districts = principal.districts
    return None if districts.everywhere else frozenset(districts.names)


def named_or_mine(principal: Principal, politikreds: str | None) -> frozenset[str] | None:
    """A list's politikreds filter: the one asked for (403 when it is not the caller's), else
    the caller's districts (None: no limit)."""
    if politikreds:
        require(principal, politikreds, what=politikreds)
        return frozenset({politikreds})
    return within(principal)


def keep(
    principal: Principal, items: Iterable[Any], where: Callable[[Any], str | None]
) -> list[Any]:
    """The items whose politikreds (``where(item)``) the caller covers, in their order."""
    if principal.districts.everywhere:
        return list(items)
    return [item for item in items if principal.districts.covers(where(item))]


def own_cars(
    principal: Principal, places: Belonging, fixes: Iterable[Any]
) -> tuple[list[tuple[int, Any]], list[tuple[int, Any, Message]]]:
    """An AVL batch's fixes (anything with a ``call_sign``), each with its index in the
    batch, split into those of the caller's cars (and of unknown cars, which the engine
    refuses itself) and those of other politikredse's cars, with the refusal's words."""
    mine: list[tuple[int, Any]] = []
    foreign: list[tuple[int, Any, Message]] = []
    for index, fix in enumerate(fixes):
        try:
            require(principal, places.patrol(fix.call_sign), what=fix.call_sign)
        except NotFoundError:
            mine.append((index, fix))
        except ForbiddenError as refused:
            foreign.append((index, fix, refused.message))
        else:
            mine.append((index, fix))
    return mine, foreign


def event_filter(
    principal: Principal, places: Belonging
) -> Callable[[StoredEvent], StoredEvent | None]:
    """What of each live event the caller may see: events of their politikredse, and of a
    ``positions`` batch only their cars' fixes (None: nothing)."""
    districts = principal.districts

    def select(event: StoredEvent) -> StoredEvent | None:
        if districts.everywhere:
            return event
        if event.kind == "positions":
            groups = places.positions_by_district(event.data)
            fixes = [f for where, group in groups.items() if districts.covers(where) for f in group]
            if not fixes:
                return None
            return dataclasses.replace(event, data={**event.data, "positions": fixes})
        return event if districts.covers(places.event(event.kind, event.data)) else None

    return select


def guard(kind: Kind, permission: Permission) -> Callable[..., Principal]:
    """A dependency: the caller holds ``permission`` and the object the path names (by
    :data:`PATH_PARAMS`) lies in one of their districts."""

    allowed = Depends(requires(permission))  # (a default: the closure's value, not a name)

    def check(request: Request, principal: Principal = allowed) -> Principal:
        require_object(request, principal, kind, request.path_params[PATH_PARAMS[kind]])
        return principal

    return check


HotspotReader = Annotated[Principal, Depends(guard("hotspot", Permission.READ))]
HotspotWriter = Annotated[Principal, Depends(guard("hotspot", Permission.EDIT_HOTSPOTS))]
PatrolReader = Annotated[Principal, Depends(guard("patrol", Permission.READ))]
PatrolOperator = Annotated[Principal, Depends(guard("patrol", Permission.OPERATE))]
CalloutReader = Annotated[Principal, Depends(guard("callout", Permission.READ))]
CalloutOperator = Annotated[Principal, Depends(guard("callout", Permission.OPERATE))]
ProposalReader = Annotated[Principal, Depends(guard("proposal", Permission.READ))]
ProposalDecider = Annotated[Principal, Depends(guard("proposal", Permission.DECIDE_PROPOSALS))]
VisitOperator = Annotated[Principal, Depends(guard("visit", Permission.OPERATE))]
FollowUpReader = Annotated[Principal, Depends(guard("followup", Permission.READ))]
FollowUpRecorder = Annotated[Principal, Depends(guard("followup", Permission.RECORD_FOLLOWUPS))]
FollowUpContact = Annotated[Principal, Depends(guard("followup", Permission.DECIDE_PROPOSALS))]
