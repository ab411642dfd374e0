"""Driven metres along the fastest paths of a graph (for ``TravelTrips.trips``).

The times come from the cached shortest-path trees; the metres need the paths themselves. One
scipy Dijkstra with predecessors per distinct source (or target, on the reversed graph) gives
the fastest-path tree, and the metres along it follow by pointer doubling
(:meth:`EdgeMetres.along`: ``log2(depth)`` vectorised passes, not a Python walk per node). Any
:class:`~smartspot.travel.graph.RoadGraph` works: the fallback uses :class:`PathMetres`, the
road graph, with its turn-restriction copies, :mod:`smartspot.travel.road_metres`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from smartspot.travel.graph import RoadGraph


class EdgeMetres:
    """A graph's open edges under ``cost`` (seconds, ``inf`` = switched off, e.g. ferries off):
    the CSR for the searches (and its transpose), and each edge's metres by (tail, head)."""

    def __init__(self, graph: RoadGraph, cost: NDArray[np.float64]) -> None:
        n = graph.n_nodes
        keep = np.isfinite(cost)
        tails, heads = graph.tails[keep].astype(np.int64), graph.heads[keep].astype(np.int64)
        self.csr = sp.csr_matrix((cost[keep], (tails, heads)), shape=(n, n))
        self.csr_t = self.csr.T.tocsr()
        key = tails * n + heads  # one edge per ordered pair (from_edges keeps the fastest)
        order = np.argsort(key)
        self._keys, self._metres = key[order], graph.metres[keep][order]
        self.n = n

    def of(self, tails: NDArray[np.int64], heads: NDArray[np.int64]) -> NDArray[np.float64]:
        """Metres of the edges ``tails[k] → heads[k]`` (0 where there is none)."""
        code = tails * self.n + heads
        at = np.minimum(np.searchsorted(self._keys, code), len(self._keys) - 1)
        found: NDArray[np.float64] = np.where(self._keys[at] == code, self._metres[at], 0.0)
        return found

    def along(
        self, pred: NDArray[np.int64], dist: NDArray[np.float64], *, reverse: bool
    ) -> NDArray[np.float64]:
        """Metres from the tree's root to every node (to the root, when ``reverse``) along
        the predecessor tree ``pred`` of one search (``inf`` where ``dist`` is)."""
        nodes = np.arange(self.n)
        up = pred.astype(np.int64)
        has = up >= 0
        step = np.zeros(self.n)
        # forward tree: edge pred → v; reverse tree: edge v → pred (the next node on)
        t, h = (nodes[has], up[has]) if reverse else (up[has], nodes[has])
        step[has] = self.of(t, h)
        total, anc = step, np.where(has, up, -1)
        while (anc >= 0).any():  # pointer doubling: 2^j edges per pass
            ok = anc >= 0
            safe = np.where(ok, anc, 0)
            total = total + np.where(ok, total[safe], 0.0)
            anc = np.where(ok, anc[safe], -1)
        total[~np.isfinite(dist)] = np.inf
        return total


class PathMetres:
    """Metres of the fastest paths on ``graph`` under the per-edge ``cost`` (seconds, ``inf``
    where an edge is switched off, e.g. ferries off)."""

    def __init__(self, graph: RoadGraph, cost: NDArray[np.float64]) -> None:
        self._edges = EdgeMetres(graph, cost)
        self.n = graph.n_nodes

    def rows(self, sources: NDArray[np.int64], *, reverse: bool = False) -> NDArray[np.float64]:
        """Metres from each source to every node (to it, when ``reverse``); ``inf`` where
        unreachable."""
        return self._rows(sources, reverse=reverse)[1]

    def _rows(
        self, sources: NDArray[np.int64], *, reverse: bool = False, limit: float = np.inf
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        csr = self._edges.csr_t if reverse else self._edges.csr
        dist, pred = dijkstra(
            csr, directed=True, indices=sources, return_predecessors=True, limit=limit
        )
        dist, pred = dist.reshape(len(sources), -1), pred.reshape(len(sources), -1)
        out = np.empty(dist.shape)
        for r in range(len(sources)):
            out[r] = self._edges.along(pred[r], dist[r], reverse=reverse)
        return dist, out

    def matrix(
        self, sources: NDArray[np.int64], targets: NDArray[np.int64], *, limit: float = np.inf
    ) -> NDArray:  # type: ignore[type-arg]
        """Metres between graph nodes (``inf`` beyond ``limit`` seconds), solving whichever
        side has fewer distinct nodes."""
        return self.both(sources, targets, limit=limit)[1]

    def both(
        self, sources: NDArray[np.int64], targets: NDArray[np.int64], *, limit: float = np.inf
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Cost (``inf`` where unreachable or beyond ``limit``) and metres between graph nodes
        from the same Dijkstra, solving whichever side has fewer distinct nodes: a caller that
        needs both pays for one search, not two."""
        if len(sources) == 0 or len(targets) == 0:
            empty = np.empty((len(sources), len(targets)))
            return empty, empty.copy()
        if len(np.unique(sources)) <= len(np.unique(targets)):
            uniq, inverse = np.unique(sources, return_inverse=True)
            dist, metres = self._rows(uniq, limit=limit)
            return dist[inverse][:, targets], metres[inverse][:, targets]
        uniq, inverse = np.unique(targets, return_inverse=True)
        dist, metres = self._rows(uniq, reverse=True, limit=limit)
        return dist[inverse][:, sources].T, metres[inverse][:, sources].T
