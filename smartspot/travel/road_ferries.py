"""Timetables for the road graph's OSM ferries.

An OSM car ferry is a chain of ferry edges from one terminal (a snappable node) to the other,
its first edge flagged ``wait``. A crossing whose two terminals lie within
:data:`MATCH_M` of the two ends of a ferry link in ``data/fixed_links.csv`` takes that link's
timetable (``data/ferry_timetables.csv``, :mod:`smartspot.travel.ferries`) for departures from
that end. With a departure time, the road adapter then answers through
:func:`smartspot.travel.timetabled.timed_trips`: road legs on the graph with the timetabled
crossings closed, the crossings between them waiting for their next departure, and closed for
the night after the last one. OSM ferries with no timetable keep the flat wait.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from smartspot.geo.crs import lonlat_to_metric
from smartspot.travel.ferries import Timetable, Timetables
from smartspot.travel.graph import RoadGraph
from smartspot.travel.links import Link
from smartspot.travel.port import Points, Seconds
from smartspot.travel.timetabled import Legs, TimedCrossing, timed_trips

if TYPE_CHECKING:
    from smartspot.travel.road import RoadTravelTimes

MATCH_M = 1_500.0  # an OSM terminal and a link end this close are the same harbour


@dataclass(frozen=True, slots=True, eq=False)
class OsmCrossing:
    """One directed ferry crossing of the graph: its edges in sailing order, terminals,
    sailing time (without the wait) and length."""

    edges: NDArray[np.int64]
    tail: int
    head: int
    seconds: float
    metres: float


def osm_crossings(graph: RoadGraph) -> list[OsmCrossing]:
    """Every directed ferry crossing, followed from its departure edge to the far terminal."""
    out: list[OsmCrossing] = []
    for first in np.flatnonzero(graph.wait & graph.ferry).tolist():
        path = [first]
        prev, cur = int(graph.tails[first]), int(graph.heads[first])
        while not graph.snappable[cur] and len(path) <= graph.n_edges:
            lo, hi = int(graph.indptr[cur]), int(graph.indptr[cur + 1])
            onward = [j for j in range(lo, hi) if graph.ferry[j] and graph.heads[j] != prev]
            if not onward:
                break
            path.append(onward[0])
            prev, cur = cur, int(graph.heads[onward[0]])
        edges = np.array(path, dtype=np.int64)
        out.append(
            OsmCrossing(
                edges=edges,
                tail=int(graph.tails[first]),
                head=cur,
                seconds=float(graph.seconds[edges].sum()),
                metres=float(graph.metres[edges].sum()),
            )
        )
    return out


@dataclass(frozen=True, slots=True, eq=False)
class TimedFerries:
    """The timetabled crossings of one graph, ready for :func:`timed_trips`.

    ``terminals`` are the graph nodes the crossings join (``TimedCrossing.tail``/``head``
    index them); ``closed`` flags the edges of those crossings, to be left out of road legs.
    """

    crossings: tuple[TimedCrossing, ...]
    terminals: NDArray[np.int64]
    closed: NDArray[np.bool_]


def timed_ferries(
    graph: RoadGraph, links: Sequence[Link], timetables: Timetables
) -> TimedFerries | None:
    """Match the graph's crossings to timetabled ferry links; ``None`` when none matches."""
    ends = [
        (link, lonlat_to_metric(np.array([link.a[0], link.b[0]]), np.array([link.a[1], link.b[1]])))
        for link in links
        if link.is_ferry
    ]
    matched: list[tuple[OsmCrossing, Timetable]] = []
    for crossing in osm_crossings(graph):
        tail, head = graph.xy[crossing.tail], graph.xy[crossing.head]
        for link, (a, b) in ends:
            if _near(tail, a) and _near(head, b):
                table = timetables.get((link.id, "a"))
            elif _near(tail, b) and _near(head, a):
                table = timetables.get((link.id, "b"))
            else:
                continue
            if table is not None:
                matched.append((crossing, table))
            break
    if not matched:
        return None
    terminals = np.unique([n for c, _ in matched for n in (c.tail, c.head)])
    column = {int(n): k for k, n in enumerate(terminals.tolist())}
    closed = np.zeros(graph.n_edges, dtype=bool)
    crossings = []
    for crossing, table in matched:
        closed[crossing.edges] = True
        crossings.append(
            TimedCrossing(
                tail=column[crossing.tail],
                head=column[crossing.head],
                table=table,
                crossing_s=crossing.seconds,
                metres=crossing.metres,
            )
        )
    return TimedFerries(tuple(crossings), terminals.astype(np.int64), closed)


def _near(p: NDArray[np.float64], q: NDArray[np.float64]) -> bool:
    return bool(np.hypot(*(p - q)) <= MATCH_M)


def timed_trips_on(
    off: RoadTravelTimes,
    ferries: TimedFerries,
    origins: Points,
    destinations: Points,
    depart_at: datetime,
    *,
    metres: bool,
    limit_s: float | None = None,
) -> tuple[Seconds, Seconds]:
    """Seconds and (when ``metres``) driven metres leaving at ``depart_at``: road legs on
    ``off`` (the graph with the timetabled crossings closed) joined through the crossings by
    :func:`timed_trips`; ``NaN`` where unreachable (a ferry closed for the night, beyond the
    cut-off: ``off``'s, or ``limit_s`` when shorter). Without ``metres`` the metres are
    ``NaN``."""
    limit = off.cut_off(limit_s)
    terminals = off.graph.xy[ferries.terminals]
    off.warm_from(terminals)
    off.warm_to(terminals)

    def leg(a: Points, b: Points) -> tuple[Seconds, Seconds]:
        if metres:
            trips = off.trips(a, b, limit_s=limit)
            seconds, length = trips.seconds, trips.metres
        else:
            seconds = off.matrix(a, b, limit_s=limit)
            length = np.zeros_like(seconds)
        gone = np.isnan(seconds)
        return np.where(gone, np.inf, seconds), np.where(gone, np.inf, length)

    legs = Legs(
        direct=leg(origins, destinations),
        to_terminal=leg(origins, terminals),
        between=leg(terminals, terminals),
        from_terminal=leg(terminals, destinations),
    )
    seconds, length = timed_trips(ferries.crossings, depart_at, legs, metres=metres, limit=limit)
    seconds = np.asarray(seconds, dtype=np.float64)
    bad = ~np.isfinite(seconds) | (seconds > limit)
    seconds[bad] = np.nan
    length = np.asarray(length, dtype=np.float64) if metres else np.full(seconds.shape, np.nan)
    length[bad] = np.nan
    return seconds, length
