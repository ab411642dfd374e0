"""Reports: urgent response times per kommune and politikreds (the half-yearly follow-up),
hotspot visits and dosage per hotspot, kommune and week, and tryghedsopfølgninger in the
national figures' breakdown (in person, by phone, not reached)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Query

from api.access import keep, within
from api.auth import Reader
from api.deps import ServicesDep
from smartspot.domain import Visit
from smartspot.errors import InvalidInputError
from smartspot.followups import FollowUpStatus
from smartspot.fulfilment import HotspotWeek, breakdown
from smartspot.hotspots import HotspotFilter
from smartspot.i18n import msg
from smartspot.live.fulfilment import live_fulfilment
from smartspot.store.port import FollowUpQuery, every
from smartspot.windows import LOCAL_TZ

router = APIRouter(prefix="/reports", tags=["reports"])

Since = Annotated[datetime, Query(description="start of the period (inclusive), with a timezone")]
Until = Annotated[datetime, Query(description="end of the period (exclusive), with a timezone")]


#: The most weeks the visits report's fulfilment part covers (a year and a day).
FULFILMENT_WEEKS = 53


def _period(since: datetime, until: datetime) -> None:
    for name, moment in (("since", since), ("until", until)):
        if moment.tzinfo is None:
            raise InvalidInputError(
                msg("{name} must carry a timezone, e.g. 2026-01-01T00:00:00+01:00", name=name),
                field=name,
            )
    if until <= since:
        raise InvalidInputError(msg("until must be after since"), field="until")


def _stats(seconds: list[float]) -> dict[str, Any]:
    values = np.array(seconds, dtype=np.float64)
    return {
        "count": len(seconds),
        "mean_s": round(float(values.mean()), 1),
        "median_s": round(float(np.median(values)), 1),
        "p90_s": round(float(np.percentile(values, 90)), 1),
    }


@router.get("/response-times")
def response_times(
    principal: Reader,
    services: ServicesDep,
    since: Since,
    until: Until,
    by: Literal["kommune", "politikreds"] = "kommune",
) -> dict[str, Any]:
    """Responstid for urgent callouts received in ``[since, until)``: received → first car on
    scene, in seconds (mean, median, 90th percentile), per kommune or politikreds, of the
    caller's politikredse. Callouts without an arrival are counted apart (``not_arrived``)."""
    _period(since, until)
    received = services.store.callouts.list(since=since, until=until, urgent=True)
    mine = keep(principal, received, lambda pair: None if pair[1] is None else pair[1].politikreds)
    groups: dict[str, list[float]] = defaultdict(list)
    names: dict[str, str] = {}
    missing: dict[str, int] = defaultdict(int)
    for callout, location in mine:
        if location is None:
            continue
        key = location.kommunekode if by == "kommune" else location.politikreds
        names[key] = location.kommunenavn if by == "kommune" else location.politikreds
        if callout.response_s is None:
            missing[key] += 1
        else:
            groups[key].append(callout.response_s)
    rows = []
    for key in sorted(set(groups) | set(missing)):
        row: dict[str, Any] = {"key": key, "name": names[key], "not_arrived": missing.get(key, 0)}
        row.update(
            _stats(groups[key])
            if groups.get(key)
            else {"count": 0, "mean_s": None, "median_s": None, "p90_s": None}
        )
        if by == "kommune":
            row["politikreds"] = services.regions.kommune(key).politikreds
        rows.append(row)
    return {"by": by, "since": since.isoformat(), "until": until.isoformat(), "groups": rows}


@router.get("/visits")
def visits(
    principal: Reader,
    services: ServicesDep,
    since: Since,
    until: Until,
    by: Literal["hotspot", "kommune", "week"] = "hotspot",
) -> dict[str, Any]:
    """Visits arriving in ``[since, until)`` and their dosage (minutes on site) per hotspot,
    kommune or ISO week (Europe/Copenhagen), reported and detected alike, at the hotspots of the caller's politikredse; and ``fulfilment``:
    per hotspot and calendar week (Monday–Sunday, Copenhagen; weeks cut by the period are
    pro-rated) the desired visits (``visits_per_week``), those due so far, achieved visits and
    minutes, ``met`` and ``behind``; per politikreds and kommune the share of hotspot-weeks
    meeting their desired visits, for all, outlying and town hotspots, and the never-visited
    ones. Outlying = the nearest station more than the district's ``outlying_min`` away by
    road."""
    _period(since, until)
    districts: dict[str, str] = {}

    def district(hotspot_id: str) -> str:
        if hotspot_id not in districts:
            districts[hotspot_id] = services.belonging.hotspot(hotspot_id)
        return districts[hotspot_id]

    visited = services.store.visits.list(since=since, until=until)
    found = keep(principal, visited, lambda stored: district(stored.visit.hotspot))
    kommune_of: dict[str, tuple[str, str]] = {}
    if by == "kommune":
        for stored in found:
            hid = stored.visit.hotspot
            if hid not in kommune_of:
                loc = services.hotspots.show(hid).location
                kommune_of[hid] = (loc.kommunekode, loc.kommunenavn)
    groups: dict[str, dict[str, Any]] = {}
    for stored in found:
        v = stored.visit
        if by == "hotspot":
            key, name = v.hotspot, v.hotspot
        elif by == "kommune":
            key, name = kommune_of[v.hotspot]
        else:
            year, week, _ = v.arrived_at.astimezone(LOCAL_TZ).isocalendar()
            key = name = f"{year}-W{week:02d}"
        row = groups.setdefault(
            key, {"key": key, "name": name, "visits": 0, "detected": 0, "minutes": 0.0}
        )
        row["visits"] += 1
        row["detected"] += int(v.detected)
        row["minutes"] += v.minutes_on_site or 0.0
    rows = [{**r, "minutes": round(r["minutes"], 1)} for _, r in sorted(groups.items())]
    return {
        "by": by,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "groups": rows,
        "fulfilment": _fulfilment(
            services, since, until, [s.visit for s in found], within(principal)
        ),
    }


def _fulfilment(
    services: Any,
    since: datetime,
    until: datetime,
    found: list[Visit],
    districts: frozenset[str] | None,
) -> Any:
    """Desired against achieved visits per hotspot and calendar week, and the share of
    hotspot-weeks meeting them per politikreds and kommune, outlying and town apart (of the
    hotspots in ``districts``, the caller's; None: all); over the last ``FULFILMENT_WEEKS``
    weeks of a longer period (``weeks`` says which), so that a period of centuries cannot
    keep the service busy (schemathesis asked for 1970-3050)."""
    engine = services.engine
    since = max(since, until - timedelta(weeks=FULFILMENT_WEEKS))
    found = [v for v in found if v.arrived_at >= since]
    hotspots = services.hotspots.every(HotspotFilter(within=districts))
    result = live_fulfilment(engine.ctx, engine.round_trips, hotspots, found, since, until)
    document = result.to_dict()
    district_of = {kode: services.regions.kommune(kode).politikreds for kode in result.kommuner}
    per_district: dict[str, list[HotspotWeek]] = defaultdict(list)
    for row in result.rows:
        per_district[district_of[row.kommunekode]].append(row)
    titles = {t.hotspot: (t.title, t.kommunenavn) for t in result.targets}
    return {
        "weeks": document["weeks"],
        "politikredse": {k: breakdown(v).to_dict() for k, v in sorted(per_district.items())},
        "kommuner": {
            kode: {
                "name": services.regions.kommune(kode).navn,
                "politikreds": district_of[kode],
                **figures,
            }
            for kode, figures in document["kommuner"].items()
        },
        "hotspots": [
            {**row, "title": titles[row["hotspot"]][0], "kommunenavn": titles[row["hotspot"]][1]}
            for row in document["hotspots"]
        ],
    }


#: The seed's breakdown of closed follow-ups (Rigspolitiet's figures: in person, by phone, and
#: the attempts that did not reach the citizen); a cancelled task (the citizen declined) apart.
FOLLOWUP_OUTCOMES = (
    (FollowUpStatus.DONE_IN_PERSON, "in_person"),
    (FollowUpStatus.DONE_BY_PHONE, "by_phone"),
    (FollowUpStatus.NOT_REACHED, "not_reached"),
    (FollowUpStatus.CANCELLED, "cancelled"),
)


@router.get("/followups")
def followups(
    principal: Reader,
    services: ServicesDep,
    since: Since,
    until: Until,
    by: Literal["politikreds", "kommune"] = "politikreds",
) -> dict[str, Any]:
    """Tryghedsopfølgninger closed in ``[since, until)`` per politikreds or kommune, in the
    breakdown of the national figures: ``in_person``, ``by_phone``, ``not_reached`` (and
    ``cancelled``), with ``total``, the ``attempts`` at the door and how many of them found no
    one home (``not_home``), and the share done in person before the due date, of the
    caller's politikredse. No personal data: counts only."""
    _period(since, until)
    groups: dict[str, dict[str, Any]] = {}
    mine = within(principal)
    for status, column in FOLLOWUP_OUTCOMES:
        for followup in every(
            services.store.followups.list, FollowUpQuery(status=status, within=mine)
        ):
            closed = followup.closed_at
            if closed is None or not since <= closed < until:
                continue
            loc = followup.location
            key, name = (
                (loc.politikreds, loc.politikreds)
                if by == "politikreds"
                else (loc.kommunekode, loc.kommunenavn)
            )
            row = groups.setdefault(
                key,
                {
                    "key": key,
                    "name": name,
                    "total": 0,
                    **{c: 0 for _, c in FOLLOWUP_OUTCOMES},
                    "in_person_before_due": 0,
                    "attempts": 0,
                    "not_home": 0,
                },
            )
            row["total"] += 1
            row[column] += 1
            row["in_person_before_due"] += int(
                status is FollowUpStatus.DONE_IN_PERSON and closed < followup.due_at()
            )
            row["attempts"] += followup.attempts
            row["not_home"] += followup.failed_attempts
    rows = [groups[k] for k in sorted(groups)]
    return {"by": by, "since": since.isoformat(), "until": until.isoformat(), "groups": rows}
