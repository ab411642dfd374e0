"""A speed no trip of a travel-time adapter can beat as the crow flies.

For a graph adapter a trip is access leg + edges + access leg. Each edge's time is at least its
end nodes' straight distance over the edge's *crow speed* (straight metres between its end
nodes / its seconds without any ferry wait), so by the triangle inequality the whole trip takes
at least ``straight distance / top speed`` with the top speed the largest of the edges' crow
speeds and the access legs' speed. A timetabled ferry only adds waiting to its sailing time,
the fallback's direct short trips drive the line × circuity at most at the main roads' speed, and a
composite joins its parts' trips at shared points. So ``straight metres / top_speed_mps`` is a
lower bound of every time the adapter answers: the problem builder uses it to drop hotspots
that are out of reach before it asks for any road time (:mod:`smartspot.optimise.build`).

An adapter this module does not know (e.g. Valhalla over HTTP) has no bound (``None``), and
nothing is dropped on its account.
"""

from __future__ import annotations

import math
import threading
import weakref

import numpy as np

from smartspot.travel.composite import CompositeTravelTimes
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.graph import RoadGraph
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.straight import StraightLineTravelTimes

_known: weakref.WeakKeyDictionary[object, float | None] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def graph_crow_speed(graph: RoadGraph) -> float:
    """The largest straight-line speed over any edge (metres per second; ``inf`` when an edge
    moves a distance in no time)."""
    if graph.n_edges == 0:
        return 0.0
    tails = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
    gap = np.hypot(*(graph.xy[tails] - graph.xy[graph.heads]).T)
    seconds = np.asarray(graph.seconds, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(gap > 0, gap / seconds, 0.0)
    speed = np.where(np.isnan(speed), 0.0, speed)
    return float(speed.max())


def _road(road: RoadTravelTimes) -> float:
    access = float(road.access_seconds(np.array([1.0]))[0])  # seconds per metre
    return max(graph_crow_speed(road.graph), 1.0 / access if access > 0 else math.inf)


def _compute(travel: object) -> float | None:
    if isinstance(travel, StraightLineTravelTimes):
        return 1.0 / travel.seconds_per_m
    if isinstance(travel, LandTravelTimes):
        p = travel.land.params
        # a direct short trip drives the line × circuity at one of these speeds or between
        direct_kmh = max(p.rural_kmh, p.urban_kmh, p.trunk_kmh)
        return max(_road(travel), (direct_kmh / 3.6) / p.circuity)
    if isinstance(travel, RoadTravelTimes):
        return _road(travel)
    if isinstance(travel, CompositeTravelTimes):
        parts = [travel.fallback, *travel.roads, *(a.road for a in travel.areas)]
        speeds = [top_speed_mps(part) for part in parts]
        return None if any(s is None for s in speeds) else max(s for s in speeds if s is not None)
    return None


def top_speed_mps(travel: object) -> float | None:
    """The adapter's top crow-flies speed in metres per second, or ``None`` when unknown.

    Computed once per adapter (a pass over the graph's edges) and remembered while the adapter
    lives.
    """
    try:
        weakref.ref(travel)
    except TypeError:  # not weak-referenceable: computed each time
        return _compute(travel)
    with _lock:
        if travel in _known:
            return _known[travel]
    speed = _compute(travel)
    with _lock:
        _known[travel] = speed
    return speed
