"""JSON views of the live objects, for the event stream and the web routes (WGS84 out; reasons
as code, parameters and words)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from shapely.geometry import Point

from smartspot.domain import Callout, Patrol
from smartspot.geo.crs import metric_to_lonlat
from smartspot.plans import PlannedStop, Proposal
from smartspot.reasons import Reason, joined
from smartspot.store.records import PositionFix, StoredVisit


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


def positions_view(fixes: Iterable[PositionFix]) -> dict[str, Any]:
    """The newest fix per car, for the map."""
    found = list(fixes)
    if not found:
        return {"positions": []}
    lonlat = metric_to_lonlat(
        np.array([f.position.x for f in found]), np.array([f.position.y for f in found])
    )
    return {
        "positions": [
            {
                "call_sign": f.call_sign,
                "lon": round(float(lon), 6),
                "lat": round(float(lat), 6),
                "at": f.at.isoformat(),
            }
            for f, (lon, lat) in zip(found, lonlat.tolist(), strict=True)
        ]
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


def reason_view(reason: Reason | None) -> dict[str, Any] | None:
    """A reason for machines (code, params) and people (text)."""
    if reason is None:
        return None
    return {**reason.to_dict(), "text": reason.text()}


def stop_view(stop: PlannedStop) -> dict[str, Any]:
    return {
        "hotspot": stop.hotspot,
        "title": stop.title,
        "lon": stop.lon,
        "lat": stop.lat,
        "eta": stop.eta.isoformat(),
        "start": stop.start.isoformat(),
        "leave": stop.leave.isoformat(),
        "minutes_on_site": stop.minutes_on_site,
        "value": stop.value,
        "why": joined(stop.reasons),
        "reasons": [reason_view(r) for r in stop.reasons],
        "removed": stop.removed,
        "done": stop.done,
    }


def proposal_event_view(proposal: Proposal) -> dict[str, Any]:
    """The proposal as the event log carries it: the stops and the decision, with the left-out
    hotspots only counted per reason code (``left_out_counts``). A national district leaves
    ~800 hotspots out of each round; their reasons stay in the stored proposal
    (``GET /proposals/{id}``), not in every map's stream."""
    view = proposal_view(proposal, left_out=False)
    counts: dict[str, int] = {}
    for reason in proposal.left_out.values():
        counts[reason.code] = counts.get(reason.code, 0) + 1
    view["left_out_counts"] = dict(sorted(counts.items()))
    return view


def round_view(proposals: Sequence[Proposal]) -> dict[str, Any]:
    """A planning round's proposals (a clear's answer), with the round's left-out hotspots
    once: each proposal as :func:`proposal_event_view` gives it, and ``left_out`` = the map
    every proposal of the round shares (one ``planning.plan`` call makes one map for all of
    its cars; 8 cars of a national district were 8 copies of ~830 reasons, 2.4 MB)."""
    shared = proposals[0].left_out if proposals else {}
    for proposal in proposals[1:]:
        if proposal.left_out is not shared and proposal.left_out != shared:
            raise ValueError("the proposals of one round share their left-out hotspots")
    return {
        "proposals": [proposal_event_view(p) for p in proposals],
        "left_out": reason_views(shared),
    }


def reason_views(reasons: Mapping[str, Reason]) -> dict[str, Any]:
    """:func:`reason_view` of each reason; a reason object met again (planning gives every
    hotspot left out for one plain code the same one) shares its view, made once: a
    national round leaves some 800 hotspots out for a handful of distinct reasons."""
    made: dict[int, tuple[Reason, dict[str, Any] | None]] = {}
    views = {}
    for key, reason in reasons.items():
        known = made.get(id(reason))
        if known is None:
            known = made[id(reason)] = (reason, reason_view(reason))
        views[key] = known[1]
    return views


def proposal_view(proposal: Proposal, *, left_out: bool = True) -> dict[str, Any]:
    """The proposal for an answer; ``left_out=False`` leaves out the per-hotspot reasons."""
    run = proposal.run
    view = {
        "id": proposal.id,
        "patrol": proposal.patrol,
        "politikreds": proposal.politikreds,
        "status": proposal.status.value,
        "created_at": proposal.created_at.isoformat(),
        "value": proposal.value,
        "detour_min": round(proposal.detour_s / 60, 1),
        "home_at": _iso(proposal.home_at),
        "stops": [stop_view(s) for s in proposal.kept],
        "removed_stops": list(proposal.removed),
        "blocked": reason_view(proposal.blocked),
        "solver": run.solver,
        "solver_run": {
            "solver": run.solver,
            "time_limit_s": run.time_limit_s,
            "seed": run.seed,
            "solve_ms": run.solve_ms,
            "failure": run.failure or None,
        },
        "decided_by": proposal.decided_by,
        "decided_at": _iso(proposal.decided_at),
        "reason": proposal.reason,
    }
    if left_out:
        view["left_out"] = reason_views(proposal.left_out)
    return view


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
