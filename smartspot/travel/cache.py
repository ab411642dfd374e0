"""Single-source shortest-path rows, cached by snapped node.

The hot path asks for times *from* every station and *to* every open hotspot again and again.
A row of a shortest-path tree depends only on the node it starts from (and the graph), so rows
are kept per node: pinned rows (stations, warmed once) are never evicted, the rest live in an
LRU of bounded size. Rows are float32 seconds with ``inf`` for unreachable (0.8 MB per row on a
200,000-node graph).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError

Row = NDArray[np.float32]


class RowCache:
    """Rows keyed by node; ``compute(nodes)`` fills the missing ones in one batch.

    Parameters
    ----------
    compute
        Maps an array of ``k`` node indices to a ``(k, N)`` array of seconds.
    max_rows
        How many unpinned rows to keep.
    """

    def __init__(self, compute: Callable[[NDArray[np.int64]], NDArray[np.float64]], max_rows: int):
        if max_rows < 0:
            raise InvalidInputError("max_rows must be zero or positive")
        self._compute = compute
        self._max_rows = max_rows
        self._lru: OrderedDict[int, Row] = OrderedDict()
        self._pinned: dict[int, Row] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._lru) + len(self._pinned)

    def rows(self, nodes: NDArray[np.int64], *, pin: bool = False) -> NDArray[np.float32]:
        """A ``(len(nodes), N)`` array of rows, computing only the ones not cached."""
        found: dict[int, Row] = {}
        missing: list[int] = []
        for node in dict.fromkeys(int(n) for n in nodes):
            row = self._pinned.get(node)
            if row is None:
                row = self._lru.get(node)
                if row is not None:
                    self._lru.move_to_end(node)
            if row is None:
                missing.append(node)
            else:
                found[node] = row
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            computed = self._compute(np.array(missing, dtype=np.int64)).astype(np.float32)
            for node, row in zip(missing, computed, strict=True):
                found[node] = row
                self._store(node, row, pin=pin)
        if pin:
            for node in list(found):
                self._store(node, found[node], pin=True)
        if not len(nodes):
            return np.empty((0, 0), dtype=np.float32)
        return np.stack([found[int(n)] for n in nodes])

    def _store(self, node: int, row: Row, *, pin: bool) -> None:
        if pin:
            self._lru.pop(node, None)
            self._pinned[node] = row
            return
        if self._max_rows == 0:
            return
        self._lru[node] = row
        self._lru.move_to_end(node)
        while len(self._lru) > self._max_rows:
            self._lru.popitem(last=False)

    def invalidate(self, nodes: Iterable[int] | None = None, *, pinned: bool = False) -> None:
        """Forget rows of ``nodes`` (all unpinned rows when ``None``; pinned ones too if asked)."""
        if nodes is None:
            self._lru.clear()
            if pinned:
                self._pinned.clear()
            return
        for node in nodes:
            self._lru.pop(int(node), None)
            if pinned:
                self._pinned.pop(int(node), None)
