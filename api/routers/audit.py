"""``GET /audit?object=…``: who did what to one object, and when (analysts and admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

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
) -> list[dict[str, Any]]:
    """Every audit row about one hotspot, callout, proposal, visit, patrol or user, oldest
    first, with ``at`` in Copenhagen local time (ISO 8601 with its offset)."""
    entries = services.store.audit_of(object)
    if not entries:
        raise NotFoundError(msg("no audit rows for {object_id}", object_id=object))
    for entry in entries:
        entry["at"] = datetime.fromisoformat(entry["at"]).astimezone(COPENHAGEN).isoformat()
    return entries
