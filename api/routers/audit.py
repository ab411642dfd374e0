"""``GET /audit?object=…``: who did what to one object, and when (analysts and admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request

from api.access import PATH_PARAMS, require_object
from api.auth import Auditor
from api.deps import ServicesDep
from smartspot.errors import NotFoundError
from smartspot.i18n import msg

router = APIRouter(tags=["audit"])
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@router.get("/audit")
def audit_of(
    object: Annotated[str, Query(min_length=1, max_length=100, description="e.g. HS-000001")],
    principal: Auditor,
    services: ServicesDep,
    request: Request,
) -> list[dict[str, Any]]:
    """Every audit row about one hotspot, callout, proposal, visit, patrol or user, oldest
    first, with ``at`` in Copenhagen local time (ISO 8601 with its offset). An object of a
    politikreds outside the caller's is refused (403)."""
    entries = services.store.audit_of(object)
    if not entries:
        raise NotFoundError(msg("no audit rows for {object_id}", object_id=object))
    kinds = {entry["entity"] for entry in entries} & set(PATH_PARAMS)
    for kind in sorted(kinds):  # an object of a politikreds: only for its users
        require_object(request, principal, kind, object)
    for entry in entries:
        entry["at"] = datetime.fromisoformat(entry["at"]).astimezone(COPENHAGEN).isoformat()
    return entries
