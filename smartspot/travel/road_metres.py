"""Driven metres along the road graph's fastest paths (for ``RoadTravelTimes.trips``).

One scipy Dijkstra with predecessors per distinct source (or, towards few destinations, per
destination on the reversed graph), then the metres summed along the tree by pointer doubling
(:meth:`~smartspot.travel.metres.EdgeMetres.along`). Turn-restriction copies are respected as
the times are: the metres *to* a junction are those of the fastest arrival at it or any of its
copies, and a reverse tree *to* a junction starts from all of them at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from smartspot.travel.graph import RoadGraph
from smartspot.travel.metres import EdgeMetres


class PathMetres:
    """Metres of the fastest paths on ``graph`` under ``cost`` (``inf`` = edge off)."""

    def __init__(self, graph: RoadGraph, cost: NDArray[np.float64]) -> None:
        self._edges = EdgeMetres(graph, cost)
        assert graph.original is not None
        self._original = graph.original
        self._copies = np.flatnonzero(graph.original != np.arange(graph.n_nodes))
        self.n = graph.n_nodes

    def _group(self, node: int) -> list[int]:
        return [node, *self._copies[self._original[self._copies] == node].tolist()]

    def matrix(
        self, sources: NDArray[np.int64], targets: NDArray[np.int64], *, limit: float = np.inf
    ) -> NDArray:  # type: ignore[type-arg]
        """Metres between graph nodes (``inf`` where unreachable or beyond ``limit`` seconds)."""
        out = np.full((len(sources), len(targets)), np.inf)
        if len(sources) == 0 or len(targets) == 0:
            return out
        edges = self._edges
        if len(np.unique(sources)) <= len(np.unique(targets)):
            for s in np.unique(sources).tolist():
                dist, pred = dijkstra(edges.csr, indices=s, return_predecessors=True, limit=limit)
                metres = edges.along(pred, dist, reverse=False)
                if len(self._copies):  # arrivals at a copy count for its junction
                    c = self._copies[dist[self._copies] < dist[self._original[self._copies]]]
                    c = c[np.argsort(-dist[c], kind="stable")]  # the nearest copy written last
                    dist[self._original[c]] = dist[c]
                    metres[self._original[c]] = metres[c]
                out[sources == s] = metres[targets]
            return out
        for t in np.unique(targets).tolist():
            dist, pred, _ = dijkstra(
                edges.csr_t,
                indices=self._group(t),
                min_only=True,
                return_predecessors=True,
                limit=limit,
            )
            out[:, targets == t] = edges.along(pred, dist, reverse=True)[sources][:, None]
        return out
