"""Which politikreds each live object belongs to, the one rule behind "users belong to
districts" (the web layer's check and the event stream's filter both ask here).

* a hotspot: where it lies (its kommune's politikreds, derived from the geometry);
* a car: where its home station lies (as planning groups cars, ``politikreds_of_base``);
* a callout: where it was received (none for a place outside every kommune);
* a proposal: its car's politikreds, as planned;
* a visit: its hotspot's;
* a follow-up (tryghedsopfølgning): where its address lies (its kommune's politikreds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shapely.geometry import Point

from smartspot.domain import Patrol
from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.i18n import msg
from smartspot.live.context import LiveContext
from smartspot.live.planning import politikreds_of_base


class Belonging:
    """Looks up the politikreds of live objects by id (NotFoundError for an unknown id)."""

    def __init__(self, ctx: LiveContext) -> None:
        self.ctx = ctx
        self._cars: dict[str, str] = {}  # a car's home station never changes

    def hotspot(self, hotspot_id: str) -> str:
        return self.ctx.store.hotspots.get(hotspot_id).location.politikreds

    def patrol(self, call_sign: str) -> str:
        found = self._cars.get(call_sign)
        if found is None:
            found = politikreds_of_base(self.ctx, self.ctx.store.patrols.get(call_sign))
            self._cars[call_sign] = found
        return found

    def station(self, station_id: str) -> str:
        """The politikreds of a home station (a car registered there belongs to it)."""
        if station_id not in self.ctx.bases:
            raise InvalidInputError(
                msg(
                    "no station {home_station!r}; stations are ids like st01 (data/police_stations.csv)",
                    home_station=station_id,
                ),
                field="home_station",
            )
        return politikreds_of_base(self.ctx, Patrol(call_sign="?", home_station=station_id))

    def point(self, point: Point) -> str:
        """The politikreds of a place (EPSG:25832); InvalidInputError outside Denmark."""
        return self.ctx.politikreds_of(point)

    def callout(self, callout_id: str) -> str | None:
        location = self.ctx.store.callouts.location(callout_id)
        return None if location is None else location.politikreds

    def proposal(self, proposal_id: str) -> str:
        proposal = self.ctx.store.proposals.get(proposal_id)
        return proposal.politikreds or self.patrol(proposal.patrol)

    def visit(self, visit_id: str) -> str:
        return self.hotspot(self.ctx.store.visits.get(visit_id).visit.hotspot)

    def followup(self, followup_id: str) -> str:
        return self.ctx.store.followups.get(followup_id).location.politikreds

    def of(self, kind: str, object_id: str) -> str | None:
        """The politikreds of a ``kind`` ("hotspot", "patrol", "callout", "proposal",
        "visit", "followup") object."""
        lookups = {
            "hotspot": self.hotspot,
            "patrol": self.patrol,
            "callout": self.callout,
            "proposal": self.proposal,
            "visit": self.visit,
            "followup": self.followup,
        }
        return lookups[kind](object_id)

    def event(self, kind: str, data: Mapping[str, Any]) -> str | None:
        """The politikreds a live event (``smartspot.live.events``) is about; None when it is
        about none (or about something gone). ``positions`` events hold many cars: split them
        with :meth:`positions_by_district`."""
        try:
            if kind in ("hotspot", "followup"):
                return str(data["properties"]["politikreds"])
            if kind == "patrol":
                return self.station(str(data["home_station"]))
            if kind == "callout":
                return self.callout(str(data["id"]))
            if kind in ("proposal", "no-proposal"):
                return str(data.get("politikreds") or "") or self.patrol(str(data["patrol"]))
            if kind == "visit":
                return self.hotspot(str(data["hotspot"]))
        except (KeyError, TypeError, NotFoundError, InvalidInputError):
            return None
        return None

    def positions_by_district(self, data: Mapping[str, Any]) -> dict[str | None, list[Any]]:
        """A ``positions`` event's fixes grouped by their car's politikreds."""
        groups: dict[str | None, list[Any]] = {}
        for fix in data.get("positions", []):
            try:
                where: str | None = self.patrol(str(fix["call_sign"]))
            except (KeyError, TypeError, NotFoundError, InvalidInputError):
                where = None
            groups.setdefault(where, []).append(fix)
        return groups
