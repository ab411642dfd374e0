"""The fallback travel-time model (adapter of the TravelTimes port) where no OSM graph is loaded.

Shortest paths on the land graph of :mod:`smartspot.travel.land`: straight lines on land ×
circuity, urban or rural speed, water crossed only over the listed fixed links and ferries.
A point snaps to the nearest graph node *on its own landmass* (a point on Mors never snaps to
a node on Thy across the sound), so an island without a link stays unreachable. Two points
close together whose straight line stays on land are also timed directly (no detour to the
grid nodes), a longer one faster than a shorter one (:mod:`smartspot.travel.direct`). With ``depart_at`` the ferries follow ``data/ferry_timetables.csv``
(:mod:`smartspot.travel.timetabled`): the wait is until the next departure, and after the
last one the far side is unreachable until morning.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.resources import DATA_DIR
from smartspot.travel.direct import DirectTrips
from smartspot.travel.ferries import Timetables, load_timetables
from smartspot.travel.land import LandGraph
from smartspot.travel.metres import PathMetres
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import Leg, Points, Seconds, Trips, as_points, check_depart_at
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.timetabled import Legs, TimedCrossing, timed_trips


@lru_cache(maxsize=4)
def default_timetables(path: Path = DATA_DIR / "ferry_timetables.csv") -> Timetables:
    """The timetables shipped in ``data/`` (read once per process); none when absent."""
    return load_timetables(path) if path.exists() else {}


#: outline segments per piece of the coast's tree (:meth:`LandTravelTimes._coast`)
COAST_PIECE = 32


class LandTravelTimes(RoadTravelTimes):
    """Driving times on a :class:`~smartspot.travel.land.LandGraph`.

    Parameters
    ----------
    land
        The land graph (build it with :func:`smartspot.travel.land.build_land_graph`).
    options
        Ferries, wait (15 min by default), snap distance from the coast, cut-off, cache size.
    timetables
        Ferry timetables by ``(link id, end)``; ``None``: the ones in ``data/``. Used only
        when a query gives ``depart_at``; without it every ferry takes the flat wait.
    """

    model = "fallback"

    def __init__(
        self,
        land: LandGraph,
        options: TravelOptions | None = None,
        *,
        timetables: Timetables | None = None,
    ) -> None:
        super().__init__(land.graph, options)
        self.land = land
        for part in land.parts:
            shapely.prepare(part)  # point-in-landmass by prepared contains: ~15x the STRtree
        self._bounds = np.array([part.bounds for part in land.parts])
        self._part_trees: dict[int, tuple[cKDTree, NDArray[np.int64]]] = {}
        p = land.params
        self._access_s_per_m = p.circuity / (p.rural_kmh / 3.6)
        self._direct = DirectTrips(land)
        self._metres = PathMetres(land.graph, self._cost)
        self._setup_timetables(default_timetables() if timetables is None else timetables)

    # -- timetabled ferries -----------------------------------------------------------------

    def _setup_timetables(self, timetables: Timetables) -> None:
        rows = []
        for tail, head, link, end in self.land.crossings.tolist():
            table = timetables.get((self.land.link_ids[link], "ab"[end]))
            if table is not None and self.options.ferries:
                rows.append((int(tail), int(head), table))
        self._terminals = np.unique([r[i] for r in rows for i in (0, 1)]).astype(np.int64)
        column = {int(node): k for k, node in enumerate(self._terminals)}
        g = self.graph
        timed = np.zeros(g.n_edges, dtype=bool)
        crossings = []
        for tail, head, table in rows:
            edge = self._edge(tail, head)
            timed[edge] = True
            crossings.append(
                TimedCrossing(
                    column[tail], column[head], table, float(g.seconds[edge]), g.metres[edge]
                )
            )
        self._crossings = tuple(crossings)
        self._land_only: RoadTravelTimes | None = None
        if crossings:
            # the graph without the timetabled crossings (untimetabled ferries keep the flat
            # wait): road legs between terminals come from its cached trees
            roads = dataclasses.replace(g, ferry=timed)
            off = dataclasses.replace(self.options, ferries=False)
            self._land_only = RoadTravelTimes(roads, off)
            self._land_only_metres = PathMetres(roads, self._land_only._cost)

    # -- times ------------------------------------------------------------------------------

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        """Seconds from every origin to every destination; ``NaN`` where unreachable or beyond
        the cut-off (the options', or ``limit_s`` when shorter).

        ``depart_at`` (timezone-aware): ferries wait for their next departure and are closed
        at night; ``None``: every ferry takes the flat wait of the options.
        """
        return self.trips(
            origins, destinations, depart_at=depart_at, metres=False, limit_s=limit_s
        ).seconds

    def trips(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        metres: bool = True,
        limit_s: float | None = None,
    ) -> Trips:
        """Seconds and driven metres of the fastest paths (``NaN`` where unreachable or beyond
        the cut-off: the options', or ``limit_s`` when shorter; the searches stop there).

        ``metres=False`` skips the path metres (they cost one Dijkstra per distinct origin);
        the metres are then ``NaN`` too.
        """
        check_depart_at(depart_at)
        limit = self.cut_off(limit_s)
        o = as_points(origins, name="origins")
        d = as_points(destinations, name="destinations")
        o_nodes, o_dist = self.snap(o, name="origins")
        d_nodes, d_dist = self.snap(d, name="destinations")
        if len(o_nodes) == 0 or len(d_nodes) == 0:
            empty = np.empty((len(o_nodes), len(d_nodes)))
            return Trips(empty, empty.copy())
        o_acc, d_acc = self.access_seconds(o_dist), self.access_seconds(d_dist)
        o_am, d_am = self.access_metres(o_dist), self.access_metres(d_dist)
        timed = depart_at is not None and self._land_only is not None
        if timed:
            assert depart_at is not None and self._land_only is not None
            seconds, length = self._timed(o_nodes, d_nodes, o_acc, d_acc, depart_at, metres, limit)
        elif metres:
            # one search gives both: the cost rows are the trees' seconds (stored as float32
            # by the tree cache, so rounded alike: trips().seconds equals matrix())
            seconds, length = self._metres.both(o_nodes, d_nodes, limit=limit)
            seconds = seconds.astype(np.float32).astype(np.float64)
            seconds = seconds + o_acc[:, None] + d_acc[None, :]
        else:
            seconds = self.node_matrix(o_nodes, d_nodes, limit_s=limit)
            length = np.full(seconds.shape, np.nan)
            seconds = seconds + o_acc[:, None] + d_acc[None, :]
        length = length + o_am[:, None] + d_am[None, :]
        direct_s, direct_m = self._direct(o, d)
        use = direct_s < seconds
        seconds = np.where(use, direct_s, seconds)
        length = np.where(use, direct_m, length)
        bad = ~np.isfinite(seconds) | (seconds > limit)
        seconds[bad] = np.nan
        length[bad] = np.nan
        return Trips(seconds, length)

    def _timed(
        self,
        o_nodes: NDArray[np.int64],
        d_nodes: NDArray[np.int64],
        o_acc: Seconds,
        d_acc: Seconds,
        depart_at: datetime,
        metres: bool,
        limit: float,
    ) -> tuple[Seconds, Seconds]:
        """Graph part of a timetabled query (access legs of the origins included in the
        seconds, so the ferry waits see the real arrival times); every leg of a trip within
        ``limit`` is within it too, so the legs' searches stop there."""
        land = self._land_only
        assert land is not None
        t = self._terminals

        def leg(a: NDArray[np.int64], b: NDArray[np.int64]) -> tuple[Seconds, Seconds]:
            s = land.node_matrix(a, b, limit_s=limit)
            m = self._land_only_metres.matrix(a, b, limit=limit) if metres else np.zeros(s.shape)
            return s, m

        direct, to_t, between, from_t = (
            leg(o_nodes, d_nodes),
            leg(o_nodes, t),
            leg(t, t),
            leg(t, d_nodes),
        )
        legs = Legs(
            direct=(direct[0] + o_acc[:, None], direct[1]),
            to_terminal=(to_t[0] + o_acc[:, None], to_t[1]),
            between=between,
            from_terminal=from_t,
        )
        seconds, length = timed_trips(self._crossings, depart_at, legs, metres=metres, limit=limit)
        if not metres:
            length = np.full(seconds.shape, np.nan)
        return seconds + d_acc[None, :], length

    def warm_from(self, points: Points) -> None:
        """Pin the trees from these points (stations), with and without timetabled ferries."""
        super().warm_from(points)
        if self._land_only is not None:
            self._land_only.warm_from(points)

    def warm_to(self, points: Points) -> None:
        """Pin the reverse trees to these points (stations), with and without timetables."""
        super().warm_to(points)
        if self._land_only is not None:
            self._land_only.warm_to(points)

    def warm_shared(self) -> None:
        """Do now what the first question about a new point (a car's place at a clear) would
        otherwise do on its own, once per model: pin the ferry terminals' trees on the graph
        without the timetabled crossings, both ways and uncut (every timed question reads
        them: from its origins to the terminals, between them, from them to its
        destinations; unpinned, a district's first clear after a start grew them, 27 trees
        and ~60 ms in Midt- og Vestjylland, and the LRU could drop them again later), and
        build the coast's segment tree and each landmass's node tree (snapping a point off
        the land outline: ~25 ms on first use). Answers are unchanged: a pinned tree reads
        as the tree it was grown from."""
        land = self._land_only
        if land is not None and len(self._terminals):
            land._forward.pin(self._terminals, land.options.limit_s)
            land._reverse.pin(self._terminals, land.options.limit_s)
        self._coast  # noqa: B018 (a cached property: built now)
        for part in np.unique(self.land.landmass).tolist():
            self._part_tree(int(part))

    def warm_among(self, points: Points, *, limit_s: float, timed: bool = True) -> None:
        """Keep the trees from these points (see :meth:`RoadTravelTimes.warm_among`) and work
        out the direct trips between every two close ones: the legs between them are reads."""
        super().warm_among(points, limit_s=limit_s, timed=timed)
        self._direct.among(as_points(points))

    def keep_nodes(self, nodes: NDArray[np.int64], *, limit_s: float, timed: bool = True) -> None:
        """Keep the trees from these nodes (see :meth:`RoadTravelTimes.warm_among`); for timed
        questions on the graph without the timetabled crossings, with the ferry terminals'
        trees (every timed question reads them)."""
        if timed and self._land_only is not None:
            both = np.union1d(np.asarray(nodes, dtype=np.int64), self._terminals)
            self._land_only._forward.keep(both, self.cut_off(limit_s))
        else:
            super().keep_nodes(nodes, limit_s=limit_s, timed=timed)

    def leg(self, a: Points, b: Points) -> Leg:
        """Seconds, metres and the driven line from ``a`` to ``b`` (points of shape ``(2,)``)."""
        a_xy, b_xy = as_points(a, name="a"), as_points(b, name="b")
        trip = self.trips(a_xy, b_xy)
        seconds, metres = float(trip.seconds[0, 0]), float(trip.metres[0, 0])
        if np.isnan(seconds):
            return Leg(np.nan, np.nan, None, self.model)
        direct_s, _ = self._direct(a_xy, b_xy)
        if direct_s[0, 0] <= seconds:
            return Leg(seconds, metres, LineString([a_xy[0], b_xy[0]]), self.model)
        (a_node, b_node), _ = self.snap(np.vstack([a_xy, b_xy]))
        path = self.node_path(int(a_node), int(b_node)) or [int(a_node)]
        line = LineString(np.vstack([a_xy, self.graph.xy[path], b_xy]))
        return Leg(seconds, metres, line, self.model)

    def access_seconds(self, metres: Seconds) -> Seconds:
        return metres * self._access_s_per_m

    def access_metres(self, metres: Seconds) -> Seconds:
        return metres * self.land.params.circuity

    def _landmass(
        self, xy: NDArray[np.float64], name: str, positions: list[int]
    ) -> NDArray[np.int64]:
        part = np.full(len(xy), -1, dtype=np.int64)
        todo = np.arange(len(xy))
        # which landmasses' boxes hold which points, all at once: only those are asked
        b = self._bounds
        boxed = (
            (xy[:, :1] >= b[None, :, 0]) & (xy[:, :1] <= b[None, :, 2])
            & (xy[:, 1:] >= b[None, :, 1]) & (xy[:, 1:] <= b[None, :, 3])
        )  # fmt: skip
        for k in np.flatnonzero(boxed.any(axis=0)).tolist():  # largest landmass first
            if not len(todo):
                break
            maybe = todo[boxed[todo, k]]
            if not len(maybe):
                continue
            inside = maybe[shapely.contains_xy(self.land.parts[k], xy[maybe, 0], xy[maybe, 1])]
            part[inside] = k
            todo = np.setdiff1d(todo, inside, assume_unique=True)
        off = np.flatnonzero(part < 0)
        if len(off) == 0:
            return part
        # off the land outline (a harbour, a beach): the nearest landmass within snap_m
        tree, owner = self._coast
        (which, segment), gap = tree.query_nearest(
            shapely.points(xy[off]), max_distance=self.options.snap_m, return_distance=True
        )
        order = np.lexsort((owner[segment], gap, which))  # nearest, then the larger landmass
        first = np.ones(len(order), dtype=bool)
        first[1:] = which[order][1:] != which[order][:-1]
        chosen = np.full(len(off), -1, dtype=np.int64)
        chosen[which[order][first]] = owner[segment[order][first]]
        if (chosen < 0).any():
            i = int(off[np.flatnonzero(chosen < 0)[0]])
            raise InvalidInputError(
                msg(
                    "{name}[{i}] at ({i2:.0f}, {i3:.0f}) EPSG:25832 lies more than {snap_m:g} km from the land this travel model covers; points are snapped to land only within that distance, so this one is refused (is it in the sea, or outside the district and its margin?)",
                    name=name,
                    i=positions[i],
                    i2=xy[i, 0],
                    i3=xy[i, 1],
                    snap_m=self.options.snap_m / 1000,
                ),
                field=name,
            )
        part[off] = chosen
        return part

    @functools.cached_property
    def _coast(self) -> tuple[shapely.STRtree, NDArray[np.int64]]:
        """The landmasses' outlines in pieces of :data:`COAST_PIECE` segments, each with its
        landmass: from a point off the land, the distance to a landmass is the distance to its
        nearest outline piece (GEOS takes the least over the piece's segments, as it did
        over single segments: the same distance), which a tree of pieces finds in
        microseconds (the distance to a whole landmass of 20,000 vertices took a millisecond
        a point). Pieces, not single segments: 32,000 segments of Midt- og Vestjylland were
        14 MB and 10–25 ms to build, for every district at warm-up."""
        coords, piece, owner = [], [], []
        count = 0
        for k, part in enumerate(self.land.parts):
            for ring in (part.exterior, *part.interiors):
                xy = shapely.get_coordinates(ring)
                for start in range(0, len(xy) - 1, COAST_PIECE):
                    run = xy[start : start + COAST_PIECE + 1]  # shares its ends' vertices
                    coords.append(run)
                    piece.append(np.full(len(run), count, dtype=np.int64))
                    owner.append(k)
                    count += 1
        lines = shapely.linestrings(np.concatenate(coords), indices=np.concatenate(piece))
        return shapely.STRtree(lines), np.array(owner, dtype=np.int64)

    def _part_tree(self, part: int) -> tuple[cKDTree, NDArray[np.int64]]:
        if part not in self._part_trees:
            nodes = np.flatnonzero(self.land.landmass == part)
            self._part_trees[part] = (cKDTree(self.graph.xy[nodes]), nodes)
        return self._part_trees[part]

    def _snap_new(
        self, xy: NDArray[np.float64], name: str, positions: list[int]
    ) -> tuple[NDArray[np.int64], Seconds]:
        """Nearest node on the point's own landmass, and the distance to it in metres.

        Raises
        ------
        InvalidInputError
            When a point lies more than ``snap_m`` from the land the model covers.
        """
        part = self._landmass(xy, name, positions)
        nodes = np.empty(len(xy), dtype=np.int64)
        distance = np.empty(len(xy))
        for k in np.unique(part):
            rows = np.flatnonzero(part == k)
            tree, members = self._part_tree(int(k))
            d, j = tree.query(xy[rows])
            nodes[rows] = members[j]
            distance[rows] = d
        return nodes, distance
