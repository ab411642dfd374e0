"""Shortest-path trees on a contracted road graph: the chains of shape points taken out.

About four in five OSM road nodes only shape a road between two junctions. Dijkstra needs
only the junctions ("core" nodes): each chain of shape points between two junctions becomes
one edge. A tree from any node (a car stopped mid-road, a hotspot on a country lane) is then
one Dijkstra on the core graph from a virtual source joined to the chain's ends, and the time to
every shape node is read off its chain: ``min(time to the chain's entry junction + offset)``,
or straight along the chain when source and target share it. Exact, and several times faster.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from smartspot.travel.chains import ChainStructure
from smartspot.travel.prepared import Prepared, core_csr, prepare

INF = np.inf
SPARSE_SHARE = 8  # a tree reaching at most 1/8 of the junctions is kept sparse
START_S = 1e-6  # the virtual source's edges: positive, as scipy may drop a stored zero


@dataclass(eq=False)
class _Side:
    """One direction of the contracted graph: CSR over core nodes plus one virtual row."""

    csr: sp.csr_matrix
    # per original node, up to two (core index, cost) *starts*: for the forward side the
    # junctions a node exits to; for the backward side the junctions that enter it
    start_node: NDArray[np.int64]
    start_cost: NDArray[np.float64]
    # and up to two (core index, cost) *reads*: how a node's time is read from core times
    read_node: NDArray[np.int64]
    read_cost: NDArray[np.float64]


class ContractedGraph:
    """Exact single-source trees over a directed graph given as CSR arrays and edge costs.

    Parameters
    ----------
    indptr, heads, cost
        The graph: edges leaving ``u`` are ``indptr[u]:indptr[u+1]`` with ``heads`` and
        ``cost`` (seconds; ``inf`` = edge absent), sorted by head, at most one edge per
        ordered pair of nodes (as :class:`~smartspot.travel.graph.RoadGraph` keeps them).
    structure
        The graph's :class:`~smartspot.travel.chains.ChainStructure` if already known (stored
        with a built graph); computed here otherwise.
    prepared
        The contraction's arrays stored with a large graph
        (:class:`~smartspot.travel.prepared.Prepared`): then ``cost`` may differ from the
        prepared costs only on its open (ferry) edges, and nothing but the junctions-only
        graph is computed here.
    max_sources
        The most nodes one tree may start from at once (a junction and its turn-restriction
        copies, see :meth:`tree`).
    """

    def __init__(
        self,
        indptr: NDArray[np.int64],
        heads: NDArray[np.int32],
        cost: NDArray[np.float64],
        *,
        max_sources: int = 1,
        structure: ChainStructure | None = None,
        prepared: Prepared | None = None,
    ) -> None:
        n = len(indptr) - 1
        self.n = n
        self._slots = 2 * max(max_sources, 1)
        # the virtual source row is edited per tree: one tree at a time (API worker threads)
        self._lock = threading.Lock()
        if prepared is None:
            prepared = prepare(indptr, heads, cost, structure)
            total = prepared.total
        else:
            total = prepared.totals(cost)
        p = prepared
        k = p.n_core
        self.core_ids, self.core_index = p.core_ids, p.core_index
        self._trav_of, self._trav_pos = p.trav_of, p.trav_pos
        self._members, self._member_pos, self._trav_ptr = p.members, p.member_pos, p.trav_ptr
        self._member_gone, self._trav_gone = p.member_gone, p.trav_gone
        fwd_csr = core_csr(p.start, p.end, total, p.fwd_order, k, self._slots)
        bwd_csr = core_csr(p.end, p.start, total, p.bwd_order, k, self._slots)
        self._fwd = _Side(fwd_csr, p.exit_n, p.exit_c, p.entry_n, p.entry_c)
        self._bwd = _Side(bwd_csr, p.entry_n, p.entry_c, p.exit_n, p.exit_c)

    @property
    def n_core(self) -> int:
        return len(self.core_ids)

    def trees(self, sources: NDArray[np.int64], *, reverse: bool, limit: float) -> NDArray:  # type: ignore[type-arg]
        """Seconds from each source to every node (to, when ``reverse``); ``inf`` unreachable."""
        everything = np.arange(self.n)
        rows = np.empty((len(sources), self.n))
        for r, s in enumerate(np.asarray(sources, dtype=np.int64).tolist()):
            tree = self.tree(s, reverse=reverse, limit=limit)
            rows[r] = self.read(tree, everything, reverse=reverse, limit=limit)
        return rows

    def tree(self, s: int | list[int], *, reverse: bool, limit: float) -> Tree:
        """The compact tree of one source (or the nearest of several): core times plus the
        source's own chain."""
        sources = [s] if isinstance(s, int) else s
        side = self._bwd if reverse else self._fwd
        k = self.n_core
        csr = side.csr
        if len(sources) == 1 and self.core_index[sources[0]] >= 0:
            core_d = dijkstra(
                csr, directed=True, indices=int(self.core_index[sources[0]]), limit=limit
            )
            return self._finish(core_d, sources, reverse=reverse, limit=limit)
        if len(sources) > self._slots // 2:
            raise ValueError(f"at most {self._slots // 2} sources per tree")
        starts, costs = [], []
        for x in sources:
            if self.core_index[x] >= 0:
                starts.append(np.array([self.core_index[x]]))
                costs.append(np.array([START_S]))
            else:
                valid = side.start_node[x] >= 0
                starts.append(side.start_node[x][valid])
                costs.append(np.maximum(side.start_cost[x][valid], START_S))
        heads, cost = np.concatenate(starts), np.concatenate(costs)
        if len(heads) == 0:
            heads, cost = np.array([k]), np.array([1.0])  # nowhere to go
        pad = self._slots - len(heads)
        heads = np.concatenate([heads, np.repeat(heads[:1], pad)])
        cost = np.concatenate([cost, np.repeat(cost[:1], pad)])
        order = np.argsort(heads, kind="stable")
        with self._lock:
            # point the virtual node (row k) at the sources' junctions, then grow from it
            csr.indices[-self._slots :] = heads[order]
            csr.data[-self._slots :] = cost[order]
            core_d = dijkstra(csr, directed=True, indices=k, limit=limit)
        return self._finish(core_d, sources, reverse=reverse, limit=limit)

    def _finish(
        self, core_d: NDArray[np.float64], sources: list[int], *, reverse: bool, limit: float
    ) -> Tree:
        k = self.n_core
        reached = np.flatnonzero(core_d[:k] < INF)
        if len(reached) <= k // SPARSE_SHARE:
            # a cut-off tree reaches a small part of a national graph: keep only what it
            # reached (a dense row of a million junctions costs fresh memory per tree)
            core = None
            times = core_d[reached].astype(np.float32)
        else:
            core = np.empty(k + 1, dtype=np.float32)  # one pass, no float64 temporary
            core[:k] = core_d[:k]
            core[k] = INF  # index -1 (no junction) reads inf
            # fresh empty arrays: a view such as reached[:0] would keep the whole index of
            # reached junctions alive (170 kB a tree on a district's fallback)
            reached, times = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        # along each source's own chain, without touching a junction
        own_nodes = [np.array(sources, dtype=np.int64)]
        own_gaps = [np.zeros(len(sources))]
        for s in sources:
            for j in range(2):
                tid = int(self._trav_of[s, j])
                if tid < 0:
                    continue
                lo, hi = self._trav_ptr[tid], self._trav_ptr[tid + 1]
                nodes, pos = self._members[lo:hi], self._member_pos[lo:hi]
                here = self._trav_pos[s, j]
                ahead = pos <= here if reverse else pos >= here
                # an absent edge (ferries off) between the two: not along the chain
                apart = self._member_gone[lo:hi][ahead] != self._trav_gone[s, j]
                own_nodes.append(nodes[ahead])
                own_gaps.append(np.where(apart, INF, np.abs(pos[ahead] - here)))
        nodes_all, gaps_all = np.concatenate(own_nodes), np.concatenate(own_gaps)
        # sorted by node, the nearer first: a node on two sources' chains keeps the nearer
        order = np.lexsort((gaps_all, nodes_all))
        nodes_all, gaps_all = nodes_all[order], gaps_all[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = nodes_all[1:] != nodes_all[:-1]
        return Tree(core, reached, times, nodes_all[first], gaps_all[first], limit)

    def dense(self, tree: Tree) -> Tree:
        """The same tree with a dense row of junction times (for trees kept for good and read
        often, such as the stations')."""
        if tree.core is not None:
            return tree
        core = np.full(self.n_core + 1, INF, dtype=np.float32)
        core[tree.reached] = tree.times
        nothing = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)  # not views
        return Tree(core, *nothing, tree.own_nodes, tree.own_gaps, tree.limit)

    def read(
        self, tree: Tree, columns: NDArray[np.int64], *, reverse: bool, limit: float
    ) -> NDArray[np.float64]:
        """Seconds from the tree's source to ``columns`` (to the source, when ``reverse``)."""
        return self.read_many([tree], columns, reverse=reverse, limit=limit)[0]

    def read_many(
        self, trees: list[Tree], columns: NDArray[np.int64], *, reverse: bool, limit: float
    ) -> NDArray[np.float64]:
        """:meth:`read` for several trees of one side at once, ``(len(trees), len(columns))``:
        how each column is read off the junctions is looked up once for all of them."""
        side = self._bwd if reverse else self._fwd
        node, cost = side.read_node[columns], side.read_cost[columns].astype(np.float64)
        first, second = node[:, 0], node[:, 1]
        out = np.empty((len(trees), len(columns)))
        dense = [r for r, tree in enumerate(trees) if tree.core is not None]
        if len(dense) > 1:  # the dense rows side by side: each element as one tree gives it
            cores = np.stack([trees[r].core for r in dense])  # type: ignore[misc]
            out[dense] = np.minimum(cores[:, first] + cost[:, 0], cores[:, second] + cost[:, 1])
        for r, tree in enumerate(trees):
            if tree.core is None or len(dense) <= 1:
                out[r] = np.minimum(tree.at(first) + cost[:, 0], tree.at(second) + cost[:, 1])
        _own_chains(trees, columns, out)
        out[out > limit] = INF
        return out


def _own_chains(trees: list[Tree], columns: NDArray[np.int64], out: NDArray[np.float64]) -> None:
    """The few columns on each tree's own chain (the source's): the lesser of the junctions'
    way and the chain's own gap, every tree's chain matched at once (a chain's nodes are
    distinct, so each tree and column meet at most once)."""
    counts = np.array([len(t.own_nodes) for t in trees], dtype=np.int64)
    if not counts.any():
        return
    owner = np.repeat(np.arange(len(trees)), counts)
    own = np.concatenate([t.own_nodes for t in trees])
    gaps = np.concatenate([t.own_gaps for t in trees])
    order = np.argsort(columns, kind="stable")
    lo = np.searchsorted(columns[order], own, side="left")
    many = np.searchsorted(columns[order], own, side="right") - lo
    if not many.any():
        return
    rows = np.repeat(owner, many)
    at = np.repeat(lo, many) + np.arange(int(many.sum())) - np.repeat(np.cumsum(many) - many, many)
    cols = order[at]
    out[rows, cols] = np.minimum(out[rows, cols], np.repeat(gaps, many))


@dataclass(frozen=True, slots=True, eq=False)
class Tree:
    """One source's shortest-path tree in compact form: the junctions' times (a dense row,
    about a fifth of a full one, or only the junctions a cut-off tree reached) plus the
    source's own chain."""

    core: NDArray[np.float32] | None  # dense: per junction, with inf at index -1; or None
    reached: NDArray[np.int64]  # sparse: the junctions reached, sorted, and their times
    times: NDArray[np.float32]
    own_nodes: NDArray[np.int64]  # sorted
    own_gaps: NDArray[np.float64]
    limit: float  # the cut-off it was grown to: it knows nothing farther

    @property
    def nbytes(self) -> int:
        """Memory its arrays take (what a cache sized by memory counts)."""
        arrays = (self.core, self.reached, self.times, self.own_nodes, self.own_gaps)
        return sum(a.nbytes for a in arrays if a is not None)

    def at(self, junctions: NDArray[np.int64]) -> NDArray[np.float32]:
        """Seconds to these junction indices (``-1``, no junction, and unreached: inf)."""
        if self.core is not None:
            return self.core[junctions]
        if len(self.reached) == 0:
            return np.full(len(junctions), INF, dtype=np.float32)
        at = np.minimum(np.searchsorted(self.reached, junctions), len(self.reached) - 1)
        return np.where(self.reached[at] == junctions, self.times[at], np.float32(INF))
