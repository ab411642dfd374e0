"""What the live engine works with, passed in (never read from files, clocks or the network
inside the engine): the store, the clock, the geography, the travel models, the planning
policies and the event log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Point

from smartspot.clock import Clock
from smartspot.errors import InvalidInputError
from smartspot.geo.regions import Regions
from smartspot.i18n import msg
from smartspot.live.events import EventLog
from smartspot.live.policy import PlanningPolicy
from smartspot.store.port import Repository
from smartspot.travel.port import TravelTimes


class DistrictTravel(Protocol):
    """The travel model per politikreds (``smartspot.travel.districts`` and
    ``smartspot.travel.straight`` fit; the simulation passes its own district's table)."""

    def for_district(self, politikreds: str) -> TravelTimes: ...


@dataclass(frozen=True)
class District:
    """A politikreds as the engine plans it: stations (for the opportunity factor), the
    coverage guard's kommune points, and its policy."""

    politikreds: str
    policy: PlanningPolicy
    stations: NDArray[np.float64]  # (s, 2) EPSG:25832
    kommune_names: tuple[str, ...] = ()
    kommune_points: NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 2)))

    def __post_init__(self) -> None:
        if self.policy.politikreds != self.politikreds:
            raise InvalidInputError(
                msg(
                    "the policy of {policy} given for {politikreds}",
                    policy=self.policy.politikreds,
                    politikreds=self.politikreds,
                ),
                field="policy",
            )


@dataclass
class LiveContext:
    """Everything the engine's modules share. ``bases`` maps a patrol's ``home_station`` to
    where it returns (a station, or in the simulation a post). ``seed`` is the root of every
    planning round's random stream (value jitter, solver seed); each round's stream is derived
    from it and the round's politikreds, time and cars, so a restarted service or a second
    worker plans exactly as the first would have."""

    store: Repository
    clock: Clock
    regions: Regions
    travel: DistrictTravel
    districts: Mapping[str, District]
    bases: Mapping[str, Point]
    events: EventLog
    seed: int = 0
    _base_districts: dict[str, str] = field(default_factory=dict, repr=False)
    _district_bases: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def district(self, politikreds: str) -> District:
        found = self.districts.get(politikreds)
        if found is None:
            raise InvalidInputError(
                msg(
                    "Smart Spot is not set up for {politikreds} (no planning policy); set up "
                    "districts: {known}",
                    politikreds=politikreds,
                    known=", ".join(sorted(self.districts)),
                ),
                field="politikreds",
            )
        return found

    def politikreds_of(self, point: Point) -> str:
        return self.regions.locate(point).kommune.politikreds

    def stations_of(self, politikreds: str) -> frozenset[str]:
        """The bases (keys of ``bases``) that lie in ``politikreds``: its cars' home stations."""
        if not self._district_bases:
            found: dict[str, set[str]] = {}
            for base in self.bases:
                try:
                    found.setdefault(self.district_of_base(base), set()).add(base)
                except InvalidInputError:  # in no kommune: no car can be registered there
                    continue
            self._district_bases.update({k: frozenset(v) for k, v in found.items()})
        return self._district_bases.get(politikreds, frozenset())

    def district_of_base(self, home_station: str) -> str:
        """The politikreds a car belongs to: where its home base lies (cached)."""
        found = self._base_districts.get(home_station)
        if found is None:
            found = self.politikreds_of(self.bases[home_station])
            self._base_districts[home_station] = found
        return found
