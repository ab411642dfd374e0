"""The simulated world's desk over HTTP: the same calls as the in-process engine, sent to a
running Smart Spot service (``smartspot serve``) with ``SMARTSPOT_CLOCK=replay``.

The service's clock is the newest AVL fix it holds, so before each call the desk sends a fix
of its clock car (a registered, off-duty patrol parked away from every hotspot) at the
simulation's time: the service then stamps the call exactly as the in-process engine would.
Each such fix may lie at most ``max_hop_s`` ahead of the service's clock (the API's bound on
fixes from the future), so a quiet hour is crossed in several small hops. Places go out in
WGS84; proposals come back as :class:`~smartspot.plans.Proposal` objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import numpy as np
from shapely.geometry import Point

from smartspot.domain import PatrolStatus
from smartspot.followup_drafts import FollowUpDraft
from smartspot.followups import AttemptOutcome, FollowUpStatus, LeftBehind, Queue
from smartspot.geo.crs import metric_to_lonlat
from smartspot.live.engine import PositionsResult
from smartspot.plans import PlannedStop, Proposal, ProposalStatus, SolverRun
from smartspot.sim.engine import Environment
from smartspot.store.records import PositionFix

#: The clock car's call sign.
CLOCK_CAR = "ur"


@dataclass(frozen=True, slots=True)
class FollowUpRef:
    """A follow-up as the service answered about it (what the world needs to know)."""

    id: str
    status: FollowUpStatus
    queue: Queue

    @classmethod
    def of(cls, feature: Mapping[str, Any]) -> FollowUpRef:
        props = feature["properties"]
        return cls(feature["id"], FollowUpStatus(props["status"]), Queue(props["queue"]))


@dataclass(frozen=True, slots=True)
class CalloutRef:
    """A callout the service registered (the world needs only its id)."""

    id: str


class DeskError(RuntimeError):
    """The service answered a call with something other than success."""


def _lonlat(point: Point) -> tuple[float, float]:
    lon, lat = metric_to_lonlat(np.array([point.x]), np.array([point.y]))[0]
    return float(lon), float(lat)


def _stop(data: Mapping[str, Any]) -> PlannedStop:
    return PlannedStop(
        hotspot=data["hotspot"],
        title=data["title"],
        lon=data["lon"],
        lat=data["lat"],
        eta=datetime.fromisoformat(data["eta"]),
        start=datetime.fromisoformat(data["start"]),
        leave=datetime.fromisoformat(data["leave"]),
        minutes_on_site=data["minutes_on_site"],
        value=data["value"],
        removed=data["removed"],
        done=data["done"],
    )


def proposal_of(data: Mapping[str, Any]) -> Proposal:
    """A proposal as the API returns it (``ProposalOut``), as the domain object."""
    run = data["solver_run"]
    return Proposal(
        id=data["id"],
        patrol=data["patrol"],
        politikreds=data["politikreds"],
        created_at=datetime.fromisoformat(data["created_at"]),
        stops=tuple(_stop(s) for s in data["stops"]),
        run=SolverRun(
            run["solver"], run["time_limit_s"], run["seed"], run["solve_ms"], run["failure"] or ""
        ),
        value=data["value"],
        status=ProposalStatus(data["status"]),
        decided_by=data["decided_by"],
        decided_at=None
        if data["decided_at"] is None
        else datetime.fromisoformat(data["decided_at"]),
        reason=data["reason"],
    )


@dataclass
class HttpDesk:
    """The world's desk calls as HTTP requests (see the module docstring).

    Parameters
    ----------
    client
        An ``httpx.Client`` with the service's base URL and an operator's token; replace it
        (e.g. after a restart of the service) at any time.
    env
        The simulation's event engine; ``start`` is its second 0.
    stations
        The station id (``home_station`` at the service) of each car's home.
    clock_at
        A registered place (EPSG:25832) for the clock car, away from every hotspot.
    registrar
        A client with an analyst's token for registering follow-ups (an operator may not);
        ``None``: ``client``.
    """

    client: httpx.Client
    env: Environment
    start: datetime
    stations: Mapping[str, str]
    clock_at: Point
    max_hop_s: float = 110.0
    registrar: httpx.Client | None = None
    statuses: Counter[int] = field(default_factory=Counter)
    _told: datetime | None = None

    def open(self, clock_station: str) -> None:
        """Register the clock car (at the service's start time, before any fix)."""
        self._call("POST", "/patrols", {"call_sign": CLOCK_CAR, "home_station": clock_station})
        self._call("POST", f"/patrols/{CLOCK_CAR}/status", {"status": "off_duty"})
        self._told = self.start

    def _call(
        self, method: str, path: str, body: Any, *, client: httpx.Client | None = None
    ) -> Any:
        answer = (client or self.client).request(method, path, json=body)
        self.statuses[answer.status_code] += 1
        if answer.status_code >= 300:
            raise DeskError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json()

    def _fix(self, call_sign: str, point: Point, at: datetime) -> dict[str, Any]:
        lon, lat = _lonlat(point)
        return {"call_sign": call_sign, "lon": lon, "lat": lat, "at": at.isoformat()}

    def sync(self) -> None:
        """Bring the service's clock to the simulation's now."""
        now = self.start + timedelta(seconds=self.env.now)
        assert self._told is not None, "open() the desk first"
        while self._told < now:
            self._told = min(now, self._told + timedelta(seconds=self.max_hop_s))
            self._call(
                "POST",
                "/patrols/positions",
                {"positions": [self._fix(CLOCK_CAR, self.clock_at, self._told)]},
            )

    # -- the world's calls -----------------------------------------------------------------

    def add_patrol(self, call_sign: str, home_station: str, *, actor: str) -> Any:
        self.sync()
        body = {"call_sign": call_sign, "home_station": self.stations[home_station]}
        return self._call("POST", "/patrols", body)

    def set_status(self, call_sign: str, status: PatrolStatus, *, actor: str) -> Any:
        self.sync()
        return self._call("POST", f"/patrols/{call_sign}/status", {"status": status.value})

    def record_fixes(self, fixes: Sequence[PositionFix]) -> PositionsResult:
        """The fixes as an AVL batch; the answer's idle proposals come back as proposals
        (refusals and detected visits are the service's business)."""
        self.sync()
        body = [self._fix(f.call_sign, f.position, f.at) for f in fixes]
        answer = self._call("POST", "/patrols/positions", {"positions": body})
        made = tuple(proposal_of(p) for p in answer.get("proposals", []))
        return PositionsResult(stored=answer["stored"], refused=(), visits=(), proposals=made)

    def receive(self, *, urgent: bool, position: Point, actor: str) -> CalloutRef:
        self.sync()
        lon, lat = _lonlat(position)
        made = self._call("POST", "/callouts", {"urgent": urgent, "lon": lon, "lat": lat})
        return CalloutRef(made["id"])

    def dispatch(self, callout_id: str, call_sign: str, *, actor: str) -> Any:
        self.sync()
        return self._call("POST", f"/callouts/{callout_id}/dispatch", {"patrol": call_sign})

    def arrive(self, callout_id: str, *, actor: str) -> Any:
        self.sync()
        return self._call("POST", f"/callouts/{callout_id}/arrive", None)

    def clear(self, callout_id: str, *, actor: str) -> tuple[Any, list[Proposal]]:
        self.sync()
        answer = self._call("POST", f"/callouts/{callout_id}/clear", None)
        return answer["callout"], [proposal_of(p) for p in answer["proposals"]]

    def accept(self, proposal_id: str, remove: Sequence[str], *, actor: str) -> Proposal:
        self.sync()
        body = {"remove": list(remove)}
        return proposal_of(self._call("POST", f"/proposals/{proposal_id}/accept", body))

    def reject(self, proposal_id: str, reason: str, *, actor: str) -> Proposal:
        self.sync()
        body = {"reason": reason}
        return proposal_of(self._call("POST", f"/proposals/{proposal_id}/reject", body))

    def register_followup(
        self, draft: FollowUpDraft, geometry: Mapping[str, Any], *, actor: str
    ) -> FollowUpRef:
        self.sync()
        properties = {
            "case_ref": draft.case_ref,
            "category": draft.category.value,
            "task": draft.task,
            "name": draft.citizen.name,
            "phone": draft.citizen.phone,
            "address": draft.address,
            "due_by": draft.due_by.isoformat(),
            "windows": [w.label() for w in draft.windows],
            "minutes_on_site": draft.minutes_on_site,
            "priority": draft.priority,
            "queue": draft.queue.value,
        }
        body = {"type": "Feature", "geometry": dict(geometry), "properties": properties}
        return FollowUpRef.of(self._call("POST", "/followups", body, client=self.registrar))

    def record_attempt(
        self,
        followup_id: str,
        *,
        patrol: str,
        outcome: AttemptOutcome,
        left: LeftBehind | None = None,
        actor: str,
    ) -> FollowUpRef:
        self.sync()
        body = {
            "patrol": patrol,
            "outcome": outcome.value,
            "left": None if left is None else left.value,
        }
        return FollowUpRef.of(self._call("POST", f"/followups/{followup_id}/attempts", body))

    def close_followup(
        self, followup_id: str, status: FollowUpStatus, *, reason: str, actor: str
    ) -> FollowUpRef:
        self.sync()
        body = {"status": status.value, "reason": reason}
        return FollowUpRef.of(self._call("POST", f"/followups/{followup_id}/close", body))
