"""Travel times on a road graph built from OpenStreetMap (adapter of the TravelTimes port).

Points snap to the nearest drivable road node (:mod:`smartspot.travel.road_snap`); the straight leg to it is driven
at ``access_kmh``. Times come from single-source shortest-path trees (scipy's Dijkstra on the
junctions-only graph of :mod:`smartspot.travel.contract`, with the options' cut-off), cached
per snapped node: forward trees from origins, reverse trees (on
the transposed graph) towards destinations. Whichever side has fewer distinct nodes is solved,
so "one car to 3,000 hotspots" is one tree and "3,000 hotspots to 40 stations" is 40 reverse
trees, which :meth:`RoadTravelTimes.warm_to` can pin once because stations do not move.

Turn restrictions live in the graph as junction copies (:mod:`smartspot.travel.turns`): a time
*to* a junction is the best over the junction and its copies (the arrival may have come in on a
restricted street), and a reverse tree *to* it starts from all of them at once.
"""

from __future__ import annotations

import functools
import itertools
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from smartspot.travel.cache import RowCache
from smartspot.travel.contract import ContractedGraph, Tree
from smartspot.travel.graph import RoadGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import Leg, Points, Seconds, Trips, as_points, check_depart_at
from smartspot.travel.prepared import Prepared
from smartspot.travel.road_ferries import TimedFerries, timed_trips_on
from smartspot.travel.road_metres import PathMetres
from smartspot.travel.road_snap import RoadSnapping

EXPAND_MAX_NODES = 1_000_000
#: A tree grown again for a question beyond its cut-off is grown to a multiple of this
#: (:class:`~smartspot.travel.cache.RowCache`): a district's kept hotspot trees, cut at the
#: detour budget + 10 minutes, grew again at each clear of a car a little further from home.
#: 5 minutes: with 10 the first clear that grew them cost 16 % more (grown further), with 5
#: 2 % (benchmarks/big_clears.py --far 10, session 9).
REGROW_STEP_S = 300.0


class RoadTravelTimes(RoadSnapping):
    """Driving times on a :class:`~smartspot.travel.graph.RoadGraph`.

    Parameters
    ----------
    graph
        The road network.
    options
        Ferries, wait, snap distance, cut-off and cache size.
    ferries
        The graph's timetabled OSM ferries (:func:`~smartspot.travel.road_ferries.timed_ferries`):
        with a ``depart_at`` they wait for their next departure and close at night; ``None``:
        every ferry takes the flat wait.
    closed
        Per edge: ``True`` to leave it out (the timetabled crossings, for their road legs).
    """

    model = "road"

    def __init__(
        self,
        graph: RoadGraph,
        options: TravelOptions | None = None,
        *,
        ferries: TimedFerries | None = None,
        closed: NDArray[np.bool_] | None = None,
    ) -> None:
        self.graph = graph
        self.options = options or TravelOptions()
        o = self.options
        wait = o.wait_s(graph.ferry_wait_s)
        self._wait = wait
        self._cost = graph.edge_seconds(ferries=o.ferries, ferry_wait_s=wait)
        if closed is not None:
            self._cost = np.where(closed, np.inf, self._cost)
        self.ferries = ferries if o.ferries else None
        self._off: RoadTravelTimes | None = None
        copies = graph.copies
        assert graph.original is not None
        owners = graph.original[copies]
        order = np.argsort(owners, kind="stable")
        self._copy_nodes = copies[order]
        self._n_copies = np.bincount(owners, minlength=graph.n_nodes)
        self._copy_ptr = np.concatenate([[0], np.cumsum(self._n_copies)])
        most = int(self._n_copies.max()) if graph.n_nodes else 0
        self._contracted = ContractedGraph(
            graph.indptr,
            graph.heads,
            self._cost,
            max_sources=1 + most,
            structure=graph.chains,
            prepared=_usable(graph, self._cost),
        )
        self._init_snapping()
        # pinned station trees are kept as full rows (one look-up per query) on district-sized
        # graphs; on a national one a row is 24 MB, so they stay trees there, with a dense row
        # of junction times (a cut-off tree is otherwise kept sparse)
        expand = graph.n_nodes <= EXPAND_MAX_NODES
        self._forward = RowCache(
            lambda nodes, limit: self._trees(nodes, limit, reverse=False),
            self._read_forward,
            o.cache_rows,
            (lambda tree: self._expand(tree, reverse=False)) if expand else self._contracted.dense,
            max_bytes=o.cache_bytes,
            regrow_step_s=REGROW_STEP_S,
            max_limit=o.limit_s,
        )
        self._reverse = RowCache(
            lambda nodes, limit: self._trees(nodes, limit, reverse=True),
            lambda trees, cols, limit: self._contracted.read_many(
                trees, cols, reverse=True, limit=limit
            ),
            o.cache_rows,
            (lambda tree: self._expand(tree, reverse=True)) if expand else self._contracted.dense,
            max_bytes=o.cache_bytes,
            regrow_step_s=REGROW_STEP_S,
            max_limit=o.limit_s,
        )

    # -- times ------------------------------------------------------------------------------

    def _group(self, node: int) -> list[int]:
        """A junction and its turn-restriction copies."""
        lo, hi = self._copy_ptr[node], self._copy_ptr[node + 1]
        return [node, *self._copy_nodes[lo:hi].tolist()]

    def _read_forward(
        self, trees: list[Tree], columns: NDArray[np.int64], limit: float
    ) -> NDArray[np.float64]:
        """Seconds to ``columns``, each the best over the column's node and its copies."""
        out = self._contracted.read_many(trees, columns, reverse=False, limit=limit)
        if len(self._copy_nodes):
            counts = self._n_copies[columns]
            has = np.flatnonzero(counts)
            if len(has):
                at = np.repeat(has, counts[has])
                starts = self._copy_ptr[columns[has]]
                offsets = np.arange(len(at)) - np.repeat(
                    np.cumsum(counts[has]) - counts[has], counts[has]
                )
                copies = self._copy_nodes[np.repeat(starts, counts[has]) + offsets]
                values = self._contracted.read_many(trees, copies, reverse=False, limit=limit)
                for r in range(len(trees)):
                    np.minimum.at(out[r], at, values[r])
        return out

    def _expand(self, tree: Tree, *, reverse: bool) -> NDArray[np.float32]:
        everything = np.arange(self.graph.n_nodes)
        row = self._contracted.read(tree, everything, reverse=reverse, limit=self.options.limit_s)
        if not reverse and len(self._copy_nodes):
            assert self.graph.original is not None
            np.minimum.at(row, self.graph.original[self._copy_nodes], row[self._copy_nodes])
        return row.astype(np.float32)

    def _trees(self, nodes: NDArray[np.int64], limit: float, *, reverse: bool) -> list[Tree]:
        if reverse:
            return [
                self._contracted.tree(self._group(int(s)), reverse=True, limit=limit) for s in nodes
            ]
        return [self._contracted.tree(int(s), reverse=False, limit=limit) for s in nodes]

    def cut_off(self, limit_s: float | None = None) -> float:
        """The cut-off of one question: the options' own, or the caller's when shorter."""
        return self.options.limit_s if limit_s is None else min(limit_s, self.options.limit_s)

    def node_matrix(
        self,
        sources: NDArray[np.int64],
        targets: NDArray[np.int64],
        *,
        limit_s: float | None = None,
    ) -> Seconds:
        """Seconds between graph nodes (``inf`` where unreachable or beyond the cut-off),
        through the caches."""
        limit = self.cut_off(limit_s)
        # the side with fewer trees to compute (a car's trip home reads the stations' pinned
        # reverse trees instead of growing one from the car), else fewer trees to read
        n_sources, n_targets = len(np.unique(sources)), len(np.unique(targets))
        grow = self._forward.missing(sources, limit, stop=1)  # any forward tree to grow?
        # nothing to grow forward and no more to read: forward, whatever the reverse holds
        if (grow, n_sources) <= (0, n_targets):
            return self._forward.gather(sources, targets, limit)
        behind = self._reverse.missing(targets, limit)
        if grow:  # how many, as far as it matters: more than the reverse's is enough to know
            grow = self._forward.missing(sources, limit, stop=behind + 1)
        if (grow, n_sources) <= (behind, n_targets):
            return self._forward.gather(sources, targets, limit)
        return self._reverse.gather(targets, sources, limit).T

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        """Seconds from every origin to every destination; ``NaN`` where unreachable.

        Includes the straight access legs at both ends. Beyond the cut-off (the options', or
        ``limit_s`` when shorter: the search stops there) counts as unreachable. With
        ``depart_at`` (timezone-aware) the timetabled ferries (``ferries``) wait for their next
        departure and are closed after the last one of the day.
        """
        check_depart_at(depart_at)
        limit = self.cut_off(limit_s)
        if depart_at is not None and self.ferries is not None:
            off = self._closed_ferries()
            return timed_trips_on(
                off, self.ferries, origins, destinations, depart_at, metres=False, limit_s=limit
            )[0]
        o_nodes, o_dist = self.snap(origins, name="origins")
        d_nodes, d_dist = self.snap(destinations, name="destinations")
        if len(o_nodes) == 0 or len(d_nodes) == 0:
            return np.empty((len(o_nodes), len(d_nodes)))
        times = self.node_matrix(o_nodes, d_nodes, limit_s=limit)
        times += self.access_seconds(o_dist)[:, None] + self.access_seconds(d_dist)[None, :]
        i, j = _same_node(o_nodes, d_nodes)
        if len(i):  # two points at one node: the straight line between them, not via it
            gap = _gap(origins, destinations, i, j)
            times[i, j] = np.minimum(times[i, j], self.access_seconds(gap))
        times[~np.isfinite(times)] = np.nan
        times[times > limit] = np.nan
        return times

    def _closed_ferries(self) -> RoadTravelTimes:
        """The same graph with the timetabled crossings closed (their road legs)."""
        assert self.ferries is not None
        if self._off is None:
            self._off = RoadTravelTimes(self.graph, self.options, closed=self.ferries.closed)
        return self._off

    @functools.cached_property
    def _path_metres(self) -> PathMetres:
        return PathMetres(self.graph, self._cost)

    def trips(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Trips:
        """Seconds (as :meth:`matrix`) and driven metres of the same fastest paths, access
        legs included; ``NaN`` where unreachable. The metres cost one Dijkstra with
        predecessors per distinct origin (or destination, whichever are fewer)."""
        check_depart_at(depart_at)
        limit = self.cut_off(limit_s)
        if depart_at is not None and self.ferries is not None:
            off = self._closed_ferries()
            seconds, metres = timed_trips_on(
                off, self.ferries, origins, destinations, depart_at, metres=True, limit_s=limit
            )
            return Trips(seconds, metres)
        seconds = self.matrix(origins, destinations, limit_s=limit)
        o_nodes, o_dist = self.snap(origins, name="origins")
        d_nodes, d_dist = self.snap(destinations, name="destinations")
        if len(o_nodes) == 0 or len(d_nodes) == 0:
            return Trips(seconds, seconds.copy())
        metres = self._path_metres.matrix(o_nodes, d_nodes, limit=limit)
        metres = metres + self.access_metres(o_dist)[:, None] + self.access_metres(d_dist)[None, :]
        i, j = _same_node(o_nodes, d_nodes)
        if len(i):  # matrix drove these straight from point to point
            metres[i, j] = _gap(origins, destinations, i, j)
        metres[np.isnan(seconds)] = np.nan
        return Trips(seconds, metres)

    def access_seconds(self, metres: Seconds) -> Seconds:
        """Time for the straight leg between a point and its snapped node."""
        return metres / self.options.access_mps

    def access_metres(self, metres: Seconds) -> Seconds:
        """Driven length of the straight leg between a point and its snapped node."""
        return metres

    def warm_from(self, points: Points) -> None:
        """Compute and pin the trees *from* these points (e.g. stations) for good; with
        timetabled ferries, on the graph the timed questions read too."""
        nodes, _ = self.snap(points)
        self._forward.pin(nodes, self.options.limit_s)
        if self.ferries is not None:
            off = self._closed_ferries()
            off._forward.pin(nodes, off.options.limit_s)

    def warm_to(self, points: Points) -> None:
        """Compute and pin the reverse trees *to* these points (e.g. stations) for good; with
        timetabled ferries, on the graph the timed questions read too."""
        nodes, _ = self.snap(points)
        self._reverse.pin(nodes, self.options.limit_s)
        if self.ferries is not None:
            off = self._closed_ferries()
            off._reverse.pin(nodes, off.options.limit_s)

    def warm_among(self, points: Points, *, limit_s: float, timed: bool = True) -> None:
        """Grow the trees *from* these points (the open hotspots of a district), cut at
        ``limit_s``, and keep them until the next call names another set (the trees of points
        left out go back to the LRU): the legs between them and from them are then reads.

        ``timed``: for the questions that give a ``depart_at`` (as the live engine asks; with
        timetabled ferries they are answered on the graph without the timetabled crossings,
        whose trees do not depend on the hour), else for those without one. A question with a
        longer cut-off still grows its tree again (and keeps the longer one).
        """
        nodes, _ = self.snap(points)
        self.keep_nodes(nodes, limit_s=limit_s, timed=timed)

    def keep_nodes(self, nodes: NDArray[np.int64], *, limit_s: float, timed: bool = True) -> None:
        """:meth:`warm_among` for snapped graph nodes."""
        model = self._closed_ferries() if timed and self.ferries is not None else self
        model._forward.keep(nodes, model.cut_off(limit_s))
        if model is not self and self.ferries is not None:  # as every timed question does
            terminals = model.graph.xy[self.ferries.terminals]
            model.warm_from(terminals)
            model.warm_to(terminals)

    def invalidate(self, points: Points | None = None, *, pinned: bool = False) -> None:
        """Forget cached trees of these points (all unpinned trees when ``None``).

        Call it when hotspots are closed or moved, so their trees do not crowd the cache.
        Times never go stale on their own: the graph does not change under a running adapter.
        """
        if points is None:
            self._forward.invalidate(None, pinned=pinned)
            self._reverse.invalidate(None, pinned=pinned)
            return
        nodes, _ = self.snap(points)
        self._forward.invalidate(nodes.tolist(), pinned=pinned)
        self._reverse.invalidate(nodes.tolist(), pinned=pinned)

    # -- routes -----------------------------------------------------------------------------

    @functools.cached_property
    def _csr(self) -> sp.csr_matrix:
        """The uncontracted graph, for paths (built on first use: a second on a country)."""
        return self.graph.csr(ferries=self.options.ferries, ferry_wait_s=self._wait)

    def node_path(self, source: int, target: int) -> list[int] | None:
        """Nodes of the fastest path, or ``None`` when unreachable."""
        dist, pred = dijkstra(
            self._csr,
            directed=True,
            indices=[source],
            limit=self.options.limit_s,
            return_predecessors=True,
        )
        group = self._group(target)
        target = group[int(np.argmin(dist[0, group]))]
        if not np.isfinite(dist[0, target]):
            return None
        path = [target]
        while path[-1] != source:
            path.append(int(pred[0, path[-1]]))
        return path[::-1]

    def _edge(self, u: int, v: int) -> int:
        lo, hi = self.graph.indptr[u], self.graph.indptr[u + 1]
        candidates = lo + np.flatnonzero(self.graph.heads[lo:hi] == v)
        return int(candidates[np.argmin(self._cost[candidates])])

    def leg(self, a: Points, b: Points) -> Leg:
        """Seconds, metres and the driven line from ``a`` to ``b`` (points of shape ``(2,)``)."""
        a_xy, b_xy = as_points(a, name="a"), as_points(b, name="b")
        (a_node, b_node), (a_dist, b_dist) = self.snap(np.vstack([a_xy, b_xy]))
        seconds = float(self.matrix(a_xy, b_xy)[0, 0])
        if np.isnan(seconds):
            return Leg(np.nan, np.nan, None, self.model)
        path = self.node_path(int(a_node), int(b_node))
        assert path is not None
        if len(path) == 1:
            line = LineString([a_xy[0], b_xy[0]])
            return Leg(seconds, float(line.length), line, self.model)
        metres = sum(self.graph.metres[self._edge(u, v)] for u, v in itertools.pairwise(path))
        line = LineString(np.vstack([a_xy, self.graph.xy[path], b_xy]))
        ends = self.access_metres(np.array([a_dist, b_dist])).sum()
        return Leg(seconds, float(metres + ends), line, self.model)

    def route(self, a: Points, b: Points) -> LineString | None:
        """The driven line from ``a`` to ``b``, or ``None`` when unreachable."""
        return self.leg(a, b).line


def _same_node(
    o_nodes: NDArray[np.int64], d_nodes: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row and column of every origin and destination that snapped to the same node."""
    i, j = np.nonzero(o_nodes[:, None] == d_nodes[None, :])
    return i, j


def _gap(
    origins: Points, destinations: Points, i: NDArray[np.intp], j: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Straight-line metres between origin ``i[k]`` and destination ``j[k]``."""
    a, b = as_points(origins)[i], as_points(destinations)[j]
    gap: NDArray[np.float64] = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
    return gap


def _usable(graph: RoadGraph, cost: NDArray[np.float64]) -> Prepared | None:
    """The graph's stored contraction, if ``cost`` differs from the graph's own times only on
    the ferry edges it leaves open (always, for the costs an adapter makes)."""
    prepared = graph.prepared
    if prepared is None:
        return None
    changed = np.flatnonzero(cost != graph.seconds)
    return prepared if np.isin(changed, prepared.open_edges).all() else None
