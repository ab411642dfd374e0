"""Single-source shortest-path trees, cached by snapped node.

The hot path asks for times *from* every station and *to* every open hotspot again and again.
A tree depends only on the node it starts from (and the graph), so trees are kept per node in
three tiers:

* *pinned* (stations, warmed once): never evicted, kept in the form that reads fastest;
* *kept* (the open hotspots of a district, :meth:`RowCache.keep`): the set a caller names, held
  until it names another (then the ones left out go back to the LRU);
* the rest in an LRU bounded by the memory its trees take (and, if asked, by a count).

A tree grown only to a cut-off answers only questions with that cut-off or a shorter one: each
tree carries the cut-off it was grown to (``row.limit``; a full row, an array, is complete) and
a question with a longer one grows it again and keeps the longer, in the same tier. Grown
again, it is grown to the question's cut-off rounded up to a multiple of ``regrow_step_s``
(capped at ``max_limit``): the cars of a district's clears are each a little further from home
than the last, and a car's longer question grew a district's kept hotspot trees again at each
such clear (a tree answers a shorter question exactly as one grown to that cut-off).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

Row = Any  # a cached tree: whatever ``compute`` returns and ``read`` understands


def row_bytes(row: Row) -> int:
    """Memory a cached tree's arrays take: a full row's bytes, or the tree's ``nbytes``."""
    return int(row.nbytes)


class RowCache:
    """Trees keyed by node; ``compute(nodes)`` fills the missing ones in one batch.

    Parameters
    ----------
    compute
        ``compute(nodes, limit)`` maps an array of ``k`` node indices to ``k`` trees grown to
        the cut-off ``limit`` (seconds).
    read
        ``read(trees, columns, limit)`` gives the seconds from each tree's node to ``columns``
        (``inf`` beyond ``limit``), one row per tree (several trees at once share the look-up
        of the columns).
    max_rows
        How many trees the LRU keeps at most (``None``: bounded by memory only).
    expand
        ``expand(tree)`` gives the form a pinned tree is kept in: the full row (seconds to
        every node, an array: reading it is one look-up) or a tree that reads faster.
    max_bytes
        How much memory the LRU's trees may take (pinned and kept trees are not counted:
        their callers chose them).
    regrow_step_s, max_limit
        A tree held but cut off shorter than a question is grown again to the question's
        cut-off rounded up to a multiple of ``regrow_step_s`` (0: the question's own), at most
        ``max_limit``.
    """

    def __init__(
        self,
        compute: Callable[[NDArray[np.int64], float], list[Row]],
        read: Callable[[list[Row], NDArray[np.int64], float], NDArray[np.float64]],
        max_rows: int | None = None,
        expand: Callable[[Row], Row] | None = None,
        *,
        max_bytes: float = float("inf"),
        regrow_step_s: float = 0.0,
        max_limit: float = math.inf,
    ):
        if max_rows is not None and max_rows < 0:
            raise InvalidInputError(msg("max_rows must be zero or positive"))
        if not max_bytes >= 0:
            raise InvalidInputError(msg("cache_mb must be zero or positive"))
        self._compute = compute
        self._read = read
        self._expand = expand
        self._max_rows = max_rows
        self._max_bytes = max_bytes
        self._regrow_step_s = regrow_step_s
        self._max_limit = max_limit
        self._lru: OrderedDict[int, Row] = OrderedDict()
        self._lru_bytes = 0
        self._kept: dict[int, Row] = {}
        self._pinned: dict[int, Row] = {}
        self._lock = threading.RLock()  # API worker threads share one adapter
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._lru) + len(self._kept) + len(self._pinned)

    @property
    def nbytes(self) -> int:
        """Memory of every tree held (pinned, kept and the LRU's)."""
        with self._lock:
            held = [*self._pinned.values(), *self._kept.values()]
            return self._lru_bytes + sum(row_bytes(r) for r in held)

    def gather(
        self, nodes: NDArray[np.int64], columns: NDArray[np.int64], limit: float
    ) -> NDArray[np.float64]:
        """Seconds from each of ``nodes`` to each of ``columns`` (``inf`` beyond ``limit``),
        computing the trees that are missing or were cut off shorter than ``limit``."""
        found = self._fetch(nodes, limit, tier="lru")
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

    def _held(self, node: int) -> Row | None:
        row = self._pinned.get(node)
        if row is None:
            row = self._kept.get(node)
        if row is None:
            row = self._lru.get(node)
        return row

    def missing(self, nodes: NDArray[np.int64], limit: float, *, stop: int | None = None) -> int:
        """How many trees :meth:`gather` would have to compute for ``nodes``; with ``stop``,
        counted only up to that many (a caller that only compares the count with another)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        # whether any is missing needs no distinct nodes: the first one missing answers it
        distinct = nodes.tolist() if stop == 1 else np.unique(nodes).tolist()
        with self._lock:
            count = 0
            for node in distinct:
                row = self._held(node)
                count += row is None or not _covers(row, limit)
                if stop is not None and count >= stop:
                    break
            return count

    def pin(self, nodes: NDArray[np.int64], limit: float) -> None:
        """Compute (if needed) and keep these trees, grown to ``limit``, for good."""
        self._fetch(nodes, limit, tier="pinned")

    def keep(self, nodes: NDArray[np.int64], limit: float) -> None:
        """Compute (if needed) and hold these trees, grown to at least ``limit``, until the
        next call names another set: the trees a caller reads on every question (the open
        hotspots). Kept trees no longer named go back to the LRU (and age out there)."""
        with self._lock:
            wanted = {int(n) for n in nodes}
            for node in [n for n in self._kept if n not in wanted]:
                self._to_lru(node, self._kept.pop(node))
            self._fetch_locked(nodes, limit, tier="kept")

    def _fetch(self, nodes: NDArray[np.int64], limit: float, *, tier: str) -> dict[int, Row]:
        with self._lock:
            return self._fetch_locked(nodes, limit, tier=tier)

    def _fetch_locked(self, nodes: NDArray[np.int64], limit: float, *, tier: str) -> dict[int, Row]:
        found: dict[int, Row] = {}
        missing: list[int] = []
        short: list[int] = []  # held, but cut off shorter than ``limit``
        for node in dict.fromkeys(np.asarray(nodes, dtype=np.int64).tolist()):
            row = self._held(node)
            if row is not None and node in self._lru:
                self._lru.move_to_end(node)
            if row is None:
                missing.append(node)
            elif not _covers(row, limit):
                short.append(node)
            else:
                found[node] = row
        self.hits += len(found)
        self.misses += len(missing) + len(short)
        for grow, cut_off in ((missing, limit), (short, self._regrown(limit))):
            if not grow:
                continue
            computed = self._compute(np.array(grow, dtype=np.int64), cut_off)
            for node, row in zip(grow, computed, strict=True):
                found[node] = row
                self._store(node, row, tier=tier)
        if tier != "lru":
            for node in list(found):
                if node not in self._pinned and (tier == "pinned" or node not in self._kept):
                    self._store(node, found[node], tier=tier)
        return found

    def _regrown(self, limit: float) -> float:
        """The cut-off a tree too short for ``limit`` is grown to again."""
        step = self._regrow_step_s
        if not step > 0 or not math.isfinite(limit):
            return limit
        return max(limit, min(math.ceil(limit / step) * step, self._max_limit))

    def _store(self, node: int, row: Row, *, tier: str) -> None:
        """Hold ``row`` in ``tier``, or in a better one the node already has (a tree grown
        longer for a pinned or kept node stays pinned or kept)."""
        if tier == "pinned" or node in self._pinned:
            self._drop_lru(node)
            self._kept.pop(node, None)
            if self._expand is not None and not isinstance(row, np.ndarray):
                row = self._expand(row)
            self._pinned[node] = row
        elif tier == "kept" or node in self._kept:
            self._drop_lru(node)
            self._kept[node] = row
        else:
            self._to_lru(node, row)

    def _to_lru(self, node: int, row: Row) -> None:
        self._drop_lru(node)
        self._lru[node] = row
        self._lru_bytes += row_bytes(row)
        while self._lru and (
            self._lru_bytes > self._max_bytes
            or (self._max_rows is not None and len(self._lru) > self._max_rows)
        ):
            _, old = self._lru.popitem(last=False)
            self._lru_bytes -= row_bytes(old)

    def _drop_lru(self, node: int) -> None:
        old = self._lru.pop(node, None)
        if old is not None:
            self._lru_bytes -= row_bytes(old)

    def invalidate(self, nodes: Iterable[int] | None = None, *, pinned: bool = False) -> None:
        """Forget trees of ``nodes`` (all unpinned trees, kept ones too, when ``None``; pinned
        ones too if asked)."""
        with self._lock:
            self._invalidate_locked(nodes, pinned=pinned)

    def _invalidate_locked(self, nodes: Iterable[int] | None, *, pinned: bool) -> None:
        if nodes is None:
            self._lru.clear()
            self._lru_bytes = 0
            self._kept.clear()
            if pinned:
                self._pinned.clear()
            return
        for node in nodes:
            self._drop_lru(int(node))
            self._kept.pop(int(node), None)
            if pinned:
                self._pinned.pop(int(node), None)


def _covers(row: Row, limit: float) -> bool:
    """Whether ``row`` answers a question cut off at ``limit`` (a full row always does)."""
    return isinstance(row, np.ndarray) or bool(row.limit >= limit)
