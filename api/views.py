"""JSON views of the live objects, for the web routes and the event stream (WGS84 out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from shapely.geometry import Point

from smartspot.domain import Callout, Patrol
from smartspot.geo.crs import metric_to_lonlat
from smartspot.store.records import Proposal, StoredVisit


def lonlat_of(geometry: Any) -> tuple[float, float]:
    point = geometry if isinstance(geometry, Point) else geometry.representative_point()
    lon, lat = metric_to_lonlat(np.array([point.x]), np.array([point.y]))[0]
    return round(float(lon), 6), round(float(lat), 6)


def patrol_view(patrol: Patrol) -> dict[str, Any]:
    lon = lat = None
    if patrol.position is not None:
        lon, lat = lonlat_of(patrol.position)
    return {
        "call_sign": patrol.call_sign,
        "home_station": patrol.home_station,
        "status": patrol.status.value,
        "lon": lon,
        "lat": lat,
        "position_at": None if patrol.position_at is None else patrol.position_at.isoformat(),
    }


def callout_view(callout: Callout) -> dict[str, Any]:
    lon, lat = lonlat_of(callout.position)
    return {
        "id": callout.id,
        "urgent": callout.urgent,
        "lon": lon,
        "lat": lat,
        "patrol": callout.patrol,
        "received_at": callout.received_at.isoformat(),
        "dispatched_at": _iso(callout.dispatched_at),
        "arrived_at": _iso(callout.arrived_at),
        "cleared_at": _iso(callout.cleared_at),
    }


def proposal_view(proposal: Proposal) -> dict[str, Any]:
    advice = proposal.solution.get("advice", {})
    return {
        "id": proposal.id,
        "patrol": proposal.patrol,
        "status": proposal.status.value,
        "created_at": proposal.created_at.isoformat(),
        "value": advice.get("value", 0.0),
        "detour_min": advice.get("detour_min", 0.0),
        "home_at": advice.get("home_at"),
        "stops": advice.get("stops", []),
        "left_out": proposal.solution.get("left_out", {}),
        "solver": proposal.solution.get("solver"),
        "decided_by": proposal.decided_by,
        "decided_at": _iso(proposal.decided_at),
        "reason": proposal.reason,
        "decision": proposal.decision,
    }


def visit_view(stored: StoredVisit) -> dict[str, Any]:
    v = stored.visit
    return {
        "id": stored.id,
        "hotspot": v.hotspot,
        "patrol": v.patrol,
        "arrived_at": v.arrived_at.isoformat(),
        "left_at": _iso(v.left_at),
        "minutes_on_site": None if v.minutes_on_site is None else round(v.minutes_on_site, 1),
        "outcome": None if v.outcome is None else v.outcome.value,
        "persons": v.persons,
        "action": v.action,
        "note": v.note,
        "detected": v.detected,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
