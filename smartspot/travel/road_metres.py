"""Driven metres along the road graph's fastest paths (for ``RoadTravelTimes.trips``).

One scipy Dijkstra with predecessors per distinct source (or, towards few destinations, per
destination on the reversed graph), then the metres summed along the tree by pointer doubling
(``log2(depth)`` vectorised passes). Turn-restriction copies are respected as the times are:
the metres *to* a junction are those of the fastest arrival at it or any of its copies, and a
reverse tree *to* a junction starts from all of them at once.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from smartspot.travel.graph import RoadGraph


class PathMetres:
    """Metres of the fastest paths on ``graph`` under ``cost`` (``inf`` = edge off)."""

    def __init__(self, graph: RoadGraph, cost: NDArray[np.float64]) -> None:
        n = graph.n_nodes
        keep = np.isfinite(cost)
        tails, heads = graph.tails[keep].astype(np.int64), graph.heads[keep].astype(np.int64)
        self._csr = sp.csr_matrix((cost[keep], (tails, heads)), shape=(n, n))
        self._csr_t = self._csr.T.tocsr()
        key = tails * n + heads  # one edge per ordered pair (from_edges keeps the fastest)
        order = np.argsort(key)
        self._keys, self._metres = key[order], graph.metres[keep][order]
        assert graph.original is not None
        self._original = graph.original
        copies = np.flatnonzero(graph.original != np.arange(n))
        self._copies = copies
        self.n = n

    def _edge_metres(self, tails: NDArray[np.int64], heads: NDArray[np.int64]) -> NDArray:  # type: ignore[type-arg]
        code = tails * self.n + heads
        at = np.minimum(np.searchsorted(self._keys, code), len(self._keys) - 1)
        return np.where(self._keys[at] == code, self._metres[at], 0.0)

    def _along(self, pred: NDArray[np.int64], dist: NDArray[np.float64], reverse: bool) -> NDArray:  # type: ignore[type-arg]
        nodes = np.arange(self.n)
        up = pred.astype(np.int64)
        has = up >= 0
        step = np.zeros(self.n)
        t, h = (nodes[has], up[has]) if reverse else (up[has], nodes[has])
        step[has] = self._edge_metres(t, h)
        total, anc = step, np.where(has, up, -1)
        while (anc >= 0).any():
            ok = anc >= 0
            safe = np.where(ok, anc, 0)
            total = total + np.where(ok, total[safe], 0.0)
            anc = np.where(ok, anc[safe], -1)
        total[~np.isfinite(dist)] = np.inf
        return total

    def _group(self, node: int) -> list[int]:
        return [node, *self._copies[self._original[self._copies] == node].tolist()]

    def matrix(
        self, sources: NDArray[np.int64], targets: NDArray[np.int64], *, limit: float = np.inf
    ) -> NDArray:  # type: ignore[type-arg]
        """Metres between graph nodes (``inf`` where unreachable or beyond ``limit`` seconds)."""
        out = np.full((len(sources), len(targets)), np.inf)
        if len(sources) == 0 or len(targets) == 0:
            return out
        if len(np.unique(sources)) <= len(np.unique(targets)):
            for s in np.unique(sources).tolist():
                dist, pred = dijkstra(self._csr, indices=s, return_predecessors=True, limit=limit)
                metres = self._along(pred, dist, reverse=False)
                if len(self._copies):  # arrivals at a copy count for its junction
                    c = self._copies[dist[self._copies] < dist[self._original[self._copies]]]
                    c = c[np.argsort(-dist[c], kind="stable")]  # the nearest copy written last
                    dist[self._original[c]] = dist[c]
                    metres[self._original[c]] = metres[c]
                out[sources == s] = metres[targets]
            return out
        for t in np.unique(targets).tolist():
            dist, pred, _ = dijkstra(
                self._csr_t,
                indices=self._group(t),
                min_only=True,
                return_predecessors=True,
                limit=limit,
            )
            out[:, targets == t] = self._along(pred, dist, reverse=True)[sources][:, None]
        return out
