"""Real road graphs of small areas (islands) laid over the fallback model.

A pair of points that both lie on one of the road graphs (within ``cover_m`` of a road node)
is answered by that graph; every other pair by the fallback, whose ferry links reach the same
islands. So a trip on Samsø follows Samsø's real roads, and a trip from Odder to Samsø takes
the Hou–Sælvig ferry of the links table.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import LineString

from smartspot.errors import InvalidInputError
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.port import Leg, Points, Seconds, as_points
from smartspot.travel.road import RoadTravelTimes


class CompositeTravelTimes:
    """The fallback, overridden by road graphs where both ends lie on one.

    Parameters
    ----------
    fallback
        The land model for everything.
    roads
        Road models of small areas (Samsø, Anholt, Tunø …).
    cover_m
        A point counts as on a road graph when this close to one of its road nodes.
    """

    def __init__(
        self,
        fallback: LandTravelTimes,
        roads: tuple[RoadTravelTimes, ...],
        *,
        cover_m: float = 1_000.0,
    ) -> None:
        if not 0 < cover_m <= fallback.options.snap_m:
            raise InvalidInputError("cover_m must be positive and at most the snap distance")
        self.fallback = fallback
        self.roads = roads
        self.cover_m = cover_m

    def _covered(self, road: RoadTravelTimes, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        distance, _ = road._tree.query(xy)
        return np.asarray(distance <= self.cover_m)

    def matrix(
        self, origins: Points, destinations: Points, *, depart_at: datetime | None = None
    ) -> Seconds:
        """Seconds from every origin to every destination; ``NaN`` where unreachable; trips
        start at ``depart_at`` (timezone-aware, ``None``: flat ferry waits)."""
        o = as_points(origins, name="origins")
        d = as_points(destinations, name="destinations")
        o_done = np.zeros(len(o), dtype=bool)
        d_done = np.zeros(len(d), dtype=bool)
        covered = []
        for road in self.roads:
            o_in, d_in = self._covered(road, o), self._covered(road, d)
            covered.append((road, o_in, d_in))
            o_done |= o_in
            d_done |= d_in
        # points that lie only on a road graph (a pier the land outline misses) need no land
        times = np.full((len(o), len(d)), np.nan)
        o_land = ~o_done
        o_land[o_done] = self._on_land(o[o_done])
        d_land = ~d_done
        d_land[d_done] = self._on_land(d[d_done])
        if o_land.any() and d_land.any():
            times[np.ix_(o_land, d_land)] = self.fallback.matrix(
                o[o_land], d[d_land], depart_at=depart_at
            )
        for road, o_in, d_in in covered:
            if o_in.any() and d_in.any():
                times[np.ix_(o_in, d_in)] = road.matrix(o[o_in], d[d_in], depart_at=depart_at)
        return times

    def _on_land(self, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        ok = np.ones(len(xy), dtype=bool)
        for i in range(len(xy)):
            try:
                self.fallback.snap(xy[i : i + 1])
            except InvalidInputError:
                ok[i] = False
        return ok

    def model_for(self, a: Points, b: Points) -> RoadTravelTimes:
        """The adapter that answers the trip from ``a`` to ``b``."""
        pair = np.vstack([as_points(a, name="a"), as_points(b, name="b")])
        for road in self.roads:
            if self._covered(road, pair).all():
                return road
        return self.fallback

    def leg(self, a: Points, b: Points) -> Leg:
        """Seconds, metres and the driven line, from whichever model answers this pair."""
        return self.model_for(a, b).leg(a, b)

    def route(self, a: Points, b: Points) -> LineString | None:
        """The driven line from ``a`` to ``b``, or ``None`` when unreachable."""
        return self.leg(a, b).line

    def warm_from(self, points: Points) -> None:
        """Pin the fallback's trees from these points (stations)."""
        self.fallback.warm_from(points)

    def warm_to(self, points: Points) -> None:
        """Pin the fallback's reverse trees to these points (stations)."""
        self.fallback.warm_to(points)

    def invalidate(self, points: Points | None = None, *, pinned: bool = False) -> None:
        """Forget cached trees in every model (see :meth:`RoadTravelTimes.invalidate`)."""
        for model in (self.fallback, *self.roads):
            try:
                model.invalidate(points, pinned=pinned)
            except InvalidInputError:
                continue  # a point that this model does not cover has nothing cached there
