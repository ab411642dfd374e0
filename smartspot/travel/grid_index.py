"""A nearest-node index that needs no building on load: nodes sorted by square grid cell.

A KD-tree over the six million nodes of a national graph takes about a second of CPU to build
every time a process starts. The cell index is three arrays computed when the graph is built
and stored with it (:meth:`GridIndex.arrays`): the occupied cells' keys in order, where each
cell's nodes start, and the nodes themselves, cell by cell. A query looks at the block of
cells around each point, growing the block until the nearest node found is nearer than the
block's edge (so the answer is exact), up to the snapping distance; points with no node that
near are answered by a KD-tree built only then (rare: a point far from every road).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

CELL_M = 150.0
PREFIX = "grid_"


@dataclass(frozen=True, slots=True, eq=False)
class GridIndex:
    """Nodes ``nodes`` (ids into the graph's ``xy``) sorted by cell; cell ``keys[i]`` (row-major
    ``cy * width + cx`` from ``origin``) holds ``nodes[ptr[i]:ptr[i + 1]]``."""

    origin: NDArray[np.float64]
    cell_m: float
    width: int
    keys: NDArray[np.int64]
    ptr: NDArray[np.int64]
    nodes: NDArray[np.int64]
    _tree: list[cKDTree] = field(default_factory=list, repr=False)

    @classmethod
    def build(
        cls, xy: NDArray[np.float64], nodes: NDArray[np.int64], cell_m: float = CELL_M
    ) -> GridIndex:
        """The index of ``nodes`` (ids into ``xy``)."""
        pts = xy[nodes]
        origin = pts.min(axis=0) if len(pts) else np.zeros(2)
        cells = np.floor((pts - origin) / cell_m).astype(np.int64)
        width = int(cells[:, 0].max()) + 1 if len(pts) else 1
        key = cells[:, 1] * width + cells[:, 0]
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        ptr = np.append(starts, len(key)).astype(np.int64)
        return cls(origin, float(cell_m), width, key[starts], ptr, nodes[order].astype(np.int64))

    def arrays(self) -> dict[str, NDArray[np.generic]]:
        """Arrays to store with a graph (see :meth:`from_arrays`)."""
        return {
            PREFIX + "origin": self.origin,
            PREFIX + "shape": np.array([self.cell_m, self.width], dtype=np.float64),
            PREFIX + "keys": self.keys,
            PREFIX + "ptr": self.ptr,
            PREFIX + "nodes": self.nodes.astype(np.int32),
        }

    @classmethod
    def from_arrays(cls, data: Mapping[str, NDArray[np.generic]]) -> GridIndex | None:
        """The index stored by :meth:`arrays`, or ``None`` when there is none."""
        if PREFIX + "keys" not in data:
            return None
        cell_m, width = (float(v) for v in data[PREFIX + "shape"])
        return cls(
            np.asarray(data[PREFIX + "origin"], dtype=np.float64),
            cell_m,
            int(width),
            np.asarray(data[PREFIX + "keys"], dtype=np.int64),
            np.asarray(data[PREFIX + "ptr"], dtype=np.int64),
            np.asarray(data[PREFIX + "nodes"]),
        )

    def _block(
        self, q: NDArray[np.float64], r: int, xy: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Every (point, node, distance) with the node in the ``(2r+1)²`` cells around the
        point's cell."""
        cell = np.floor((q - self.origin) / self.cell_m).astype(np.int64)
        steps = np.arange(-r, r + 1)
        dx, dy = np.meshgrid(steps, steps)
        cx = cell[:, :1] + dx.ravel()[None, :]
        cy = cell[:, 1:] + dy.ravel()[None, :]
        ok = (cx >= 0) & (cx < self.width) & (cy >= 0)
        key = np.where(ok, cy * self.width + cx, -1)
        at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        hit = ok & (self.keys[at] == key)
        count = np.where(hit, self.ptr[at + 1] - self.ptr[at], 0).ravel()
        start = self.ptr[at].ravel()
        total = int(count.sum())
        owner = np.repeat(np.repeat(np.arange(len(q)), key.shape[1]), count)
        offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        node = self.nodes[np.repeat(start, count) + offset]
        gap = xy[node] - q[owner]
        return owner, node.astype(np.int64), np.hypot(gap[:, 0], gap[:, 1])

    def nearest(
        self,
        q: NDArray[np.float64],
        xy: NDArray[np.float64],
        within_m: float,
        *,
        beyond: bool = True,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Exact nearest node and distance for each point of ``q`` (``(m, 2)``): by growing
        blocks of cells up to ``within_m``, beyond that by a KD-tree made on first need; with
        ``beyond=False`` a point with no node within ``within_m`` gets node ``-1`` and an
        infinite distance instead (and one that far from the index's cells is not searched)."""
        node = np.full(len(q), -1, dtype=np.int64)
        dist = np.full(len(q), np.inf)
        todo = np.arange(len(q))
        if not beyond and len(self.keys):
            todo = todo[self._near_cells(q, within_m)]
        r = 1
        while len(todo) and len(self.keys):
            owner, cand, d = self._block(q[todo], r, xy)
            if len(d):  # candidates come grouped by point: the first minimum of each group
                new = np.ones(len(owner), dtype=bool)
                new[1:] = owner[1:] != owner[:-1]
                starts = np.flatnonzero(new)
                least = np.minimum.reduceat(d, starts)
                at = np.flatnonzero(d == np.repeat(least, np.diff(np.append(starts, len(d)))))
                first = np.ones(len(at), dtype=bool)
                first[1:] = owner[at[1:]] != owner[at[:-1]]
                pick = at[first]
                node[todo[owner[pick]]], dist[todo[owner[pick]]] = cand[pick], d[pick]
            sure = dist[todo] <= r * self.cell_m  # nothing outside the block can be nearer
            todo = todo[~sure]
            if r * self.cell_m >= within_m:
                break
            r *= 2
        if not beyond:  # a block reaches past within_m: what it found there is not asked
            far = dist > within_m
            node[far], dist[far] = -1, np.inf
        elif len(todo):
            if not self._tree:
                self._tree.append(cKDTree(xy[self.nodes]))
            d, k = self._tree[0].query(q[todo])
            node[todo], dist[todo] = self.nodes[k], d
        return node, dist

    def _near_cells(self, q: NDArray[np.float64], within_m: float) -> NDArray[np.bool_]:
        """Whether each point lies within ``within_m`` of the box of the occupied cells (a
        point farther out has no node that near: a district's small area graph is asked about
        every point of the district)."""
        low = self.origin
        high = self.origin + self.cell_m * np.array([self.width, self.keys[-1] // self.width + 1])
        return np.asarray(((q >= low - within_m) & (q <= high + within_m)).all(axis=1))

    def within(
        self, centre: NDArray[np.float64], radius: float, xy: NDArray[np.float64]
    ) -> NDArray[np.int64]:
        """Nodes within ``radius`` of ``centre``."""
        r = int(np.ceil(radius / self.cell_m)) + 1
        _, node, d = self._block(centre.reshape(1, 2), r, xy)
        return node[d <= radius]
