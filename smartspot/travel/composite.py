"""Real road graphs of small areas laid over the fallback model.

*Island graphs* (Samsø, Anholt, Tunø): a pair of points that both lie on one (within
``cover_m`` of a road node) is answered by that graph; every other pair by the fallback, whose
ferry links reach the same islands. So a trip on Samsø follows Samsø's real roads, and a trip
from Odder to Samsø takes the Hou–Sælvig ferry of the links table.

*Area graphs* cover part of the mainland (e.g. a city centre, ``aarhus_c_marselis``). A point
is covered when it lies inside the graph's outline (the convex hull of its nodes) and within
``area_cover_m`` of one of its roads. Both ends covered: the graph answers. One end covered:
the trip is joined at the graph's *gateways* (its road nodes at the outline, where its streets
leave the extract): the best over gateways ``g`` of graph(inside → g) + fallback(g → outside),
so the graph drives inside its area, the fallback outside, and the two meet where the graph
ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPoint, Polygon

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.port import Leg, Points, Seconds, Trips, as_points
from smartspot.travel.road import RoadTravelTimes

GATEWAY_BAND_M = 150.0  # road nodes this close to the outline are gateways …
GATEWAY_SPACING_M = 250.0  # … at least this far apart
MAX_GATEWAYS = 32


@dataclass(frozen=True, eq=False)
class AreaGraph:
    """A road graph covering part of the fallback's area, with its outline and gateways."""

    road: RoadTravelTimes
    outline: Polygon
    gateways: NDArray[np.float64]

    @classmethod
    def of(cls, road: RoadTravelTimes) -> AreaGraph:
        """Outline = convex hull of the road nodes; gateways = spread road nodes near it."""
        xy = road.graph.xy[road.graph.snappable]
        outline = MultiPoint([tuple(p) for p in xy]).convex_hull
        if not isinstance(outline, Polygon):
            raise InvalidInputError(msg("an area graph needs road nodes spread over an area"))
        near = shapely.distance(outline.exterior, shapely.points(xy)) <= GATEWAY_BAND_M
        chosen: list[NDArray[np.float64]] = []
        for point in xy[near]:
            if all(np.hypot(*(point - c)) >= GATEWAY_SPACING_M for c in chosen):
                chosen.append(point)
            if len(chosen) == MAX_GATEWAYS:
                break
        return cls(road, outline, np.array(chosen).reshape(-1, 2))


class CompositeTravelTimes:
    """The fallback, overridden by road graphs where both ends lie on one.

    Parameters
    ----------
    fallback
        The land model for everything.
    roads
        Road models of small areas (Samsø, Anholt, Tunø …).
    cover_m
        A point counts as on an island graph when this close to one of its road nodes.
    areas
        Road models of parts of the mainland, joined to the fallback at their gateways.
    area_cover_m
        A point inside an area graph's outline counts as on it when this close to its roads.
    """

    def __init__(
        self,
        fallback: LandTravelTimes,
        roads: tuple[RoadTravelTimes, ...],
        *,
        cover_m: float = 1_000.0,
        areas: tuple[RoadTravelTimes, ...] = (),
        area_cover_m: float = 250.0,
    ) -> None:
        if not 0 < cover_m <= fallback.options.snap_m:
            raise InvalidInputError(msg("cover_m must be positive and at most the snap distance"))
        if not 0 < area_cover_m <= fallback.options.snap_m:
            raise InvalidInputError(
                msg("area_cover_m must be positive and at most the snap distance")
            )
        self.fallback = fallback
        self.roads = roads
        self.cover_m = cover_m
        self.areas = tuple(AreaGraph.of(a) for a in areas)
        self.area_cover_m = area_cover_m

    def _in_area(self, area: AreaGraph, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        if len(xy) == 0:
            return np.zeros(0, dtype=bool)
        distance = area.road.road_distance(xy, within_m=self.area_cover_m)
        inside = shapely.contains_xy(area.outline, xy[:, 0], xy[:, 1])
        return np.asarray((distance <= self.area_cover_m) & inside)

    def _covered(self, road: RoadTravelTimes, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        distance = road.road_distance(xy, within_m=self.cover_m)
        return np.asarray(distance <= self.cover_m)

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        """Seconds from every origin to every destination; ``NaN`` where unreachable or beyond
        ``limit_s``; trips start at ``depart_at`` (timezone-aware, ``None``: flat ferry waits)."""
        return self._answer(origins, destinations, depart_at, limit_s, metres=False).seconds

    def trips(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Trips:
        """Seconds (as :meth:`matrix`) and driven metres of the same paths, from whichever
        model answers each pair; a trip joined at an area graph's gateway adds the metres of
        both legs through the gateway that gave the best time."""
        return self._answer(origins, destinations, depart_at, limit_s, metres=True)

    def _answer(
        self,
        origins: Points,
        destinations: Points,
        depart_at: datetime | None,
        limit_s: float | None,
        *,
        metres: bool,
    ) -> Trips:
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
        out = Trips(np.full((len(o), len(d)), np.nan), np.full((len(o), len(d)), np.nan))
        o_land = ~o_done
        o_land[o_done] = self._on_land(o[o_done])
        d_land = ~d_done
        d_land[d_done] = self._on_land(d[d_done])
        if o_land.any() and d_land.any():
            _put(
                out,
                o_land,
                d_land,
                _ask(self.fallback, o[o_land], d[d_land], depart_at, limit_s, metres),
            )
        for road, o_in, d_in in covered:
            if o_in.any() and d_in.any():
                _put(out, o_in, d_in, _ask(road, o[o_in], d[d_in], depart_at, limit_s, metres))
        for area in self.areas:
            self._area_trips(area, o, d, o_land, d_land, out, depart_at, limit_s, metres)
        if limit_s is not None:  # a trip joined at a gateway may add up beyond the bound
            beyond = out.seconds > limit_s
            out.seconds[beyond] = np.nan
            out.metres[beyond] = np.nan
        return out

    def _area_trips(
        self,
        area: AreaGraph,
        o: NDArray[np.float64],
        d: NDArray[np.float64],
        o_land: NDArray[np.bool_],
        d_land: NDArray[np.bool_],
        out: Trips,
        depart_at: datetime | None,
        limit_s: float | None,
        metres: bool,
    ) -> None:
        """Overwrite ``out`` where an end lies in ``area``: the graph, or the gateway join.

        The leg after the gateway departs at ``depart_at`` too (an area graph is a city
        centre of minutes, small against ferry headways)."""
        o_in, d_in = self._in_area(area, o), self._in_area(area, d)
        if not (o_in.any() or d_in.any()):
            return
        g = area.gateways
        if o_in.any() and d_in.any():
            _put(out, o_in, d_in, _ask(area.road, o[o_in], d[d_in], depart_at, limit_s, metres))
        d_out = d_land & ~d_in
        if o_in.any() and d_out.any() and len(g):
            inside = _ask(area.road, o[o_in], g, depart_at, limit_s, metres)  # (n_in, k)
            outside = _ask(self.fallback, g, d[d_out], depart_at, limit_s, metres)  # (k, m_out)
            _put(out, o_in, d_out, _best_via(inside, outside))
        o_out = o_land & ~o_in
        if d_in.any() and o_out.any() and len(g):
            outside = _ask(self.fallback, o[o_out], g, depart_at, limit_s, metres)
            inside = _ask(area.road, g, d[d_in], depart_at, limit_s, metres)
            _put(out, o_out, d_in, _best_via(outside, inside))

    def _on_land(self, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        ok = np.ones(len(xy), dtype=bool)
        try:
            self.fallback.snap(xy)  # all at once (and remembered), else point by point
            return ok
        except InvalidInputError:
            pass
        for i in range(len(xy)):
            try:
                self.fallback.snap(xy[i : i + 1])
            except InvalidInputError:
                ok[i] = False
        return ok

    def model_for(self, a: Points, b: Points) -> RoadTravelTimes:
        """The adapter that answers the whole trip from ``a`` to ``b`` (the fallback also for
        trips that are joined at an area graph's gateway; see :meth:`leg`)."""
        pair = np.vstack([as_points(a, name="a"), as_points(b, name="b")])
        for area in self.areas:
            if self._in_area(area, pair).all():
                return area.road
        for road in self.roads:
            if self._covered(road, pair).all():
                return road
        return self.fallback

    def leg(self, a: Points, b: Points) -> Leg:
        """Seconds, metres and the driven line, from whichever model answers this pair; a
        trip with one end in an area graph is the graph's leg to the best gateway joined to
        the fallback's leg from there (model ``"road+fallback"``)."""
        pair = np.vstack([as_points(a, name="a"), as_points(b, name="b")])
        for area in self.areas:
            inside = self._in_area(area, pair)
            if inside.sum() == 1 and len(area.gateways):
                return self._joined_leg(area, pair[0], pair[1], a_inside=bool(inside[0]))
        return self.model_for(a, b).leg(a, b)

    def _joined_leg(
        self, area: AreaGraph, a: NDArray[np.float64], b: NDArray[np.float64], *, a_inside: bool
    ) -> Leg:
        g = area.gateways
        if a_inside:
            first, second = area.road.matrix(a, g)[0], self.fallback.matrix(g, b)[:, 0]
        else:
            first, second = self.fallback.matrix(a, g)[0], area.road.matrix(g, b)[:, 0]
        total = first + second
        if np.isnan(total).all():
            return Leg(np.nan, np.nan, None, "road+fallback")
        via = g[int(np.nanargmin(total))]
        legs = (
            (area.road.leg(a, via), self.fallback.leg(via, b))
            if a_inside
            else (self.fallback.leg(a, via), area.road.leg(via, b))
        )
        lines = [leg.line for leg in legs if leg.line is not None]
        coords = [c for line in lines for c in line.coords]
        line = LineString(coords) if len(coords) >= 2 else None
        return Leg(
            sum(leg.seconds for leg in legs), sum(leg.metres for leg in legs), line, "road+fallback"
        )

    def route(self, a: Points, b: Points) -> LineString | None:
        """The driven line from ``a`` to ``b``, or ``None`` when unreachable."""
        return self.leg(a, b).line

    def warm_from(self, points: Points) -> None:
        """Pin the trees from these points (stations) in the fallback, and in each island
        graph for the points on it (a trip between two points on an island is its)."""
        self._pin("warm_from", points)

    def warm_to(self, points: Points) -> None:
        """Pin the reverse trees to these points (stations, the coverage guard's kommune
        points) in the fallback, and in each island graph for the points on it."""
        self._pin("warm_to", points)

    def _pin(self, method: str, points: Points) -> None:
        xy = as_points(points)
        getattr(self.fallback, method)(xy)
        for road in self.roads:
            on = self._covered(road, xy)
            if on.any():
                getattr(road, method)(xy[on])

    def warm_shared(self) -> None:
        """Ready what every new point's questions read (the fallback's
        :meth:`~smartspot.travel.fallback.LandTravelTimes.warm_shared`)."""
        self.fallback.warm_shared()

    def warm_among(self, points: Points, *, limit_s: float, timed: bool = True) -> None:
        """Keep the trees from these points (the open hotspots) in every model that answers
        their legs, cut at ``limit_s`` (see :meth:`RoadTravelTimes.warm_among`): the
        fallback's for the points on its land and the area graphs' gateways (a trip with one
        end in an area is joined there), each island graph's for the points on it, each area
        graph's for the points inside it and its gateways."""
        xy = as_points(points)
        gateways = [a.gateways for a in self.areas]
        land = np.vstack([xy, *gateways])
        self.fallback.warm_among(land[self._on_land(land)], limit_s=limit_s, timed=timed)
        for road in self.roads:
            road.warm_among(xy[self._covered(road, xy)], limit_s=limit_s, timed=timed)
        for area in self.areas:
            inside = np.vstack([xy[self._in_area(area, xy)], area.gateways])
            area.road.warm_among(inside, limit_s=limit_s, timed=timed)

    def invalidate(self, points: Points | None = None, *, pinned: bool = False) -> None:
        """Forget cached trees in every model (see :meth:`RoadTravelTimes.invalidate`)."""
        for model in (self.fallback, *self.roads, *(a.road for a in self.areas)):
            try:
                model.invalidate(points, pinned=pinned)
            except InvalidInputError:
                continue  # a point that this model does not cover has nothing cached there


def _ask(
    model: RoadTravelTimes,
    o: Points,
    d: Points,
    depart_at: datetime | None,
    limit_s: float | None,
    metres: bool,
) -> Trips:
    """One model's answer: seconds only (metres ``NaN``) unless ``metres`` is asked for."""
    if metres:
        found: Trips = model.trips(o, d, depart_at=depart_at, limit_s=limit_s)
        return found
    seconds = model.matrix(o, d, depart_at=depart_at, limit_s=limit_s)
    return Trips(seconds, np.full(seconds.shape, np.nan))


def _put(out: Trips, rows: NDArray[np.bool_], cols: NDArray[np.bool_], part: Trips) -> None:
    out.seconds[np.ix_(rows, cols)] = part.seconds
    out.metres[np.ix_(rows, cols)] = part.metres


def _best_via(first: Trips, second: Trips) -> Trips:
    """``min over k of first[i, k] + second[k, j]`` in seconds, with the metres through the
    same ``k``; ``NaN`` where no ``k`` connects."""
    total = first.seconds[:, :, None] + second.seconds[None, :, :]
    total = np.where(np.isnan(total), np.inf, total)
    k = total.argmin(axis=1)  # (n, m)
    best = np.take_along_axis(total, k[:, None, :], axis=1)[:, 0, :]
    i = np.arange(total.shape[0])[:, None]
    j = np.arange(total.shape[2])[None, :]
    length = first.metres[i, k] + second.metres[k, j]
    bad = ~np.isfinite(best)
    best[bad] = np.nan
    length[bad] = np.nan
    return Trips(best, length)
