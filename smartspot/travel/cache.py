"""Single-source shortest-path rows, cached by snapped node.

The hot path asks for times *from* every station and *to* every open hotspot again and again.
A row of a shortest-path tree depends only on the node it starts from (and the graph), so rows
are kept per node: pinned rows (stations, warmed once) are never evicted, the rest live in an
LRU of bounded size. Rows are float32 seconds with ``inf`` for unreachable (0.8 MB per row on a
200,000-node graph).

A tree grown only to a cut-off answers only questions with that cut-off or a shorter one: each
row carries the cut-off it was computed with (``row.limit``; a full row, an array, is complete)
and a question with a longer one computes the tree again and keeps the longer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

Row = Any  # a cached tree: whatever ``compute`` returns and ``read`` understands


class RowCache:
    """Rows keyed by node; ``compute(nodes)`` fills the missing ones in one batch.

    Parameters
    ----------
    compute
        ``compute(nodes, limit)`` maps an array of ``k`` node indices to ``k`` trees grown to
        the cut-off ``limit`` (seconds).
    read
        ``read(trees, columns, limit)`` gives the seconds from each tree's node to ``columns``
        (``inf`` beyond ``limit``), one row per tree (several trees at once share the look-up
        of the columns).
    expand
        ``expand(tree)`` gives the form a pinned tree is kept in: the full row (seconds to
        every node, an array: reading it is one look-up) or a tree that reads faster.
    max_rows
        How many unpinned trees to keep.
    """

    def __init__(
        self,
        compute: Callable[[NDArray[np.int64], float], list[Row]],
        read: Callable[[list[Row], NDArray[np.int64], float], NDArray[np.float64]],
        max_rows: int,
        expand: Callable[[Row], Row] | None = None,
    ):
        if max_rows < 0:
            raise InvalidInputError(msg("max_rows must be zero or positive"))
        self._compute = compute
        self._read = read
        self._expand = expand
        self._max_rows = max_rows
        self._lru: OrderedDict[int, Row] = OrderedDict()
        self._pinned: dict[int, Row] = {}
        self._lock = threading.RLock()  # API worker threads share one adapter
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._lru) + len(self._pinned)

    def gather(
        self, nodes: NDArray[np.int64], columns: NDArray[np.int64], limit: float
    ) -> NDArray[np.float64]:
        """Seconds from each of ``nodes`` to each of ``columns`` (``inf`` beyond ``limit``),
        computing the trees that are missing or were cut off shorter than ``limit``."""
        found = self._fetch(nodes, limit, pin=False)
        out = np.empty((len(nodes), len(columns)))
        compact: list[int] = []
        for i, node in enumerate(nodes.tolist()):
            tree = found[node]
            if isinstance(tree, np.ndarray):
                row = tree[columns]
                out[i] = np.where(row > limit, np.inf, row)
            else:
                compact.append(i)
        if compact:
            trees = [found[int(nodes[i])] for i in compact]
            out[compact] = self._read(trees, columns, limit)
        return out

    def missing(self, nodes: NDArray[np.int64], limit: float) -> int:
        """How many trees :meth:`gather` would have to compute for ``nodes``."""
        with self._lock:
            count = 0
            for node in dict.fromkeys(int(n) for n in nodes):
                row = self._pinned.get(node)
                if row is None:
                    row = self._lru.get(node)
                count += row is None or not _covers(row, limit)
            return count

    def pin(self, nodes: NDArray[np.int64], limit: float) -> None:
        """Compute (if needed) and keep these trees, grown to ``limit``, for good."""
        self._fetch(nodes, limit, pin=True)

    def _fetch(self, nodes: NDArray[np.int64], limit: float, *, pin: bool) -> dict[int, Row]:
        with self._lock:
            return self._fetch_locked(nodes, limit, pin=pin)

    def _fetch_locked(self, nodes: NDArray[np.int64], limit: float, *, pin: bool) -> dict[int, Row]:
        found: dict[int, Row] = {}
        missing: list[int] = []
        for node in dict.fromkeys(int(n) for n in nodes):
            row = self._pinned.get(node)
            if row is None:
                row = self._lru.get(node)
                if row is not None:
                    self._lru.move_to_end(node)
            if row is None or not _covers(row, limit):
                missing.append(node)
            else:
                found[node] = row
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            computed = self._compute(np.array(missing, dtype=np.int64), limit)
            for node, row in zip(missing, computed, strict=True):
                found[node] = row
                self._store(node, row, pin=pin or node in self._pinned)
        if pin:
            for node in list(found):
                self._store(node, found[node], pin=True)
        return found

    def _store(self, node: int, row: Row, *, pin: bool) -> None:
        if pin:
            self._lru.pop(node, None)
            if self._expand is not None and not isinstance(row, np.ndarray):
                row = self._expand(row)
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
        with self._lock:
            self._invalidate_locked(nodes, pinned=pinned)

    def _invalidate_locked(self, nodes: Iterable[int] | None, *, pinned: bool) -> None:
        if nodes is None:
            self._lru.clear()
            if pinned:
                self._pinned.clear()
            return
        for node in nodes:
            self._lru.pop(int(node), None)
            if pinned:
                self._pinned.pop(int(node), None)


def _covers(row: Row, limit: float) -> bool:
    """Whether ``row`` answers a question cut off at ``limit`` (a full row always does)."""
    return isinstance(row, np.ndarray) or bool(row.limit >= limit)
