"""Find the chains of shape points in a directed graph, in whole-array steps (no Python loop
per node), so a national graph of millions of nodes contracts in seconds.

A *chain node* has exactly two neighbours and is passed straight through: two-way (in from and
out to both) or one-way (in from one, out to the other). Every other node is a *core* node.
A *traversal* starts at a core node along one of its edges and follows the chain to the next
core node. Each edge has at most one predecessor on a traversal (the graph keeps one edge per
ordered node pair), so the start and position of every edge follow by pointer doubling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True, eq=False)
class Traversals:
    """The contracted structure, as :class:`~smartspot.travel.contract.ContractedGraph` reads it.

    ``core`` flags core nodes. Per traversal ``g``: ``start[g]`` (core node), ``end[g]`` (core
    node) and ``total[g]`` (cost). Traversals that pass chain nodes are numbered ``tid`` and list
    them in order: ``members[trav_ptr[tid]:trav_ptr[tid + 1]]`` at ``member_pos`` (cost from the
    start). Per node and slot (a chain node lies on at most two traversals): ``trav_of`` (tid or
    -1), ``trav_pos``, ``entry_n``/``entry_c`` (the start junction, cost from it) and
    ``exit_n``/``exit_c`` (the end junction, cost to it).
    """

    core: NDArray[np.bool_]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    total: NDArray[np.float64]
    members: NDArray[np.int64]
    member_pos: NDArray[np.float64]
    member_gone: NDArray[np.int64]
    trav_ptr: NDArray[np.int64]
    trav_of: NDArray[np.int64]
    trav_pos: NDArray[np.float64]
    trav_gone: NDArray[np.int64]
    entry_n: NDArray[np.int64]
    entry_c: NDArray[np.float64]
    exit_n: NDArray[np.int64]
    exit_c: NDArray[np.float64]


def chain_mask(n: int, tails: NDArray[np.int64], heads: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Per node: ``True`` for a chain node. Edges must be sorted by (tail, head), no loops."""
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    t, h = tails[first], heads[first]
    n_out = np.bincount(t, minlength=n)
    n_in = np.bincount(h, minlength=n)
    pairs = _sorted_unique(np.concatenate([t * n + h, h * n + t]))
    n_union = np.bincount(pairs // n, minlength=n)
    two_way = (n_out == 2) & (n_in == 2)
    one_way = (n_out == 1) & (n_in == 1)
    return np.asarray((n_union == 2) & (two_way | one_way))


@dataclass(frozen=True, slots=True, eq=False)
class ChainStructure:
    """Which nodes are core and how the edges line up into traversals: the part of the
    contraction that depends only on the graph's shape, not on its costs (so it is computed
    once, at build time, and serves ferries on and off alike: an absent edge is an ``inf``
    cost on its traversal).

    ``order`` lists edge ids traversal by traversal in driving order, ``first`` marks each
    traversal's first edge; ``member_at`` (positions in ``order``) are the edges that end at a
    chain node, ``member_slot`` which of the node's two slots that traversal takes (2: none).
    """

    core: NDArray[np.bool_]
    order: NDArray[np.int64]
    first: NDArray[np.bool_]
    member_at: NDArray[np.int64]
    member_slot: NDArray[np.int64]

    def arrays(self) -> dict[str, NDArray[np.generic]]:
        """The arrays to store with a graph (see :meth:`from_arrays`)."""
        return {
            "chain_core": self.core,
            "chain_order": self.order.astype(np.int32),
            "chain_first": self.first,
            "chain_member_at": self.member_at.astype(np.int32),
            "chain_member_slot": self.member_slot.astype(np.int8),
        }

    @classmethod
    def from_arrays(cls, data: Mapping[str, NDArray[np.generic]]) -> ChainStructure:
        """The structure stored by :meth:`arrays` (e.g. an open ``.npz``)."""
        get = data.__getitem__
        return cls(
            core=np.asarray(get("chain_core"), dtype=bool),
            order=np.asarray(get("chain_order"), dtype=np.int64),
            first=np.asarray(get("chain_first"), dtype=bool),
            member_at=np.asarray(get("chain_member_at"), dtype=np.int64),
            member_slot=np.asarray(get("chain_member_slot"), dtype=np.int64),
        )


def chain_structure(
    n: int,
    ptr: NDArray[np.integer],
    heads: NDArray[np.integer],
    pinned: NDArray[np.bool_] | None = None,
) -> ChainStructure:
    """The traversals of a graph given as CSR (edges sorted by tail, then head; at most one
    edge per ordered pair). Self-loops are in no traversal. Rings of chain nodes with no core
    node on them are made core, so every node is reached; so are the ``pinned`` nodes."""
    heads = np.asarray(heads, dtype=np.int64)
    m = len(heads)
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    loop = tails == heads
    core = ~chain_mask(n, tails[~loop], heads[~loop])
    if pinned is not None:
        core |= pinned
    none = np.empty(0, dtype=np.int64)
    if m == 0 or loop.all():
        return ChainStructure(np.ones(n, dtype=bool), none, np.zeros(0, dtype=bool), none, none)
    edges = np.arange(m, dtype=np.int64)
    group = np.ones(m, dtype=bool)
    group[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    group &= ~loop
    group_starts = np.flatnonzero(group)
    out_deg = np.bincount(tails[~loop], minlength=n)
    has_out = out_deg > 0
    # f0, f1: a node's first edge to its first and to its other neighbour (loops skipped)
    f0 = group_starts[np.minimum(np.searchsorted(group_starts, ptr[:-1]), len(group_starts) - 1)]
    nxt_group = group_starts[
        np.minimum(np.searchsorted(group_starts, f0, "right"), len(group_starts) - 1)
    ]
    f1 = np.where(has_out & (nxt_group < ptr[1:]) & (nxt_group > f0), nxt_group, f0)
    while True:
        b = heads
        successor = np.where(heads[f0[b]] == tails, f1[b], f0[b])
        succ = np.where(core[b] | ~has_out[b] | loop, -1, successor)
        pred = -np.ones(m, dtype=np.int64)
        valid = succ >= 0
        pred[succ[valid]] = edges[valid]
        start = core[tails] & ~loop
        p = np.where(start, edges, pred)
        d = np.where(start, 0, 1).astype(np.int64)
        for _ in range(int(np.ceil(np.log2(max(m, 2)))) + 1):
            pp = p[np.maximum(p, 0)]
            if np.array_equal(pp, p):
                break
            d = d + np.where(p >= 0, d[np.maximum(p, 0)], 0)
            p = pp
        lost = (~start[np.maximum(p, 0)] | (p < 0)) & ~loop
        if not lost.any():
            break
        core[tails[lost]] = True  # a ring with no junction: keep its nodes whole
    on = ~loop
    order = edges[on][np.lexsort((d[on], p[on]))]
    p_o = p[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = p_o[1:] != p_o[:-1]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = first[1:]
    member_at = np.flatnonzero(~last)  # every edge but a traversal's last ends at a chain node
    nodes = heads[order[member_at]]
    by_node = np.argsort(nodes, kind="stable")
    sorted_nodes = nodes[by_node]
    new_node = np.ones(len(by_node), dtype=bool)
    new_node[1:] = sorted_nodes[1:] != sorted_nodes[:-1]
    node_start = np.maximum.accumulate(np.where(new_node, np.arange(len(by_node)), 0))
    slot = np.empty(len(by_node), dtype=np.int64)
    slot[by_node] = np.minimum(np.arange(len(by_node)) - node_start, 2)
    return ChainStructure(core, order, first, member_at, slot)


def traverse(
    n: int,
    ptr: NDArray[np.integer],
    heads: NDArray[np.integer],
    cost: NDArray[np.float64],
    structure: ChainStructure | None = None,
) -> Traversals:
    """All traversals with their costs (``inf`` edges are absent: a traversal through one
    does not exist, and the chain nodes beyond it are reached from the other side only)."""
    s = structure if structure is not None else chain_structure(n, ptr, heads)
    head: NDArray[np.int64] = np.asarray(heads, dtype=np.int64)
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    c = cost[s.order]
    gone = ~np.isfinite(c)
    run = np.cumsum(s.first) - 1
    g_first = np.flatnonzero(s.first)
    last = np.ones(len(s.order), dtype=bool)
    last[:-1] = s.first[1:]
    g_last = np.flatnonzero(last)
    # segmented prefix sums, with a count of absent edges so far instead of inf arithmetic
    cs = np.cumsum(np.where(gone, 0.0, c))
    ci = np.cumsum(gone)
    base, base_i = (cs - np.where(gone, 0.0, c))[g_first], (ci - gone)[g_first]
    prefix = cs - base[run]
    prefix_i = ci - base_i[run]
    total, total_i = prefix[g_last], prefix_i[g_last]
    start_nodes = tails[s.order[g_first]]
    end_nodes = head[s.order[g_last]]
    totals = np.where(total_i > 0, np.inf, total)
    k = s.member_at
    m_run = run[k]
    to_here = np.where(prefix_i[k] > 0, np.inf, prefix[k])
    from_here = np.where(total_i[m_run] - prefix_i[k] > 0, np.inf, total[m_run] - prefix[k])
    long_runs = _sorted_unique(m_run)
    tid_of_run = -np.ones(len(g_first), dtype=np.int64)
    tid_of_run[long_runs] = np.arange(len(long_runs))
    members = head[s.order[k]]
    member_tid = tid_of_run[m_run]
    trav_ptr = np.concatenate([[0], np.cumsum(np.bincount(member_tid, minlength=len(long_runs)))])
    trav_of = -np.ones((n, 2), dtype=np.int64)
    trav_pos = np.full((n, 2), np.inf)
    trav_gone = np.zeros((n, 2), dtype=np.int64)
    entry_n = -np.ones((n, 2), dtype=np.int64)
    entry_c = np.full((n, 2), np.inf)
    exit_n = -np.ones((n, 2), dtype=np.int64)
    exit_c = np.full((n, 2), np.inf)
    keep = s.member_slot < 2
    i, j = members[keep], s.member_slot[keep]
    trav_of[i, j] = member_tid[keep]
    trav_pos[i, j] = prefix[k][keep]
    trav_gone[i, j] = prefix_i[k][keep]
    entry_n[i, j] = start_nodes[m_run[keep]]
    entry_c[i, j] = to_here[keep]
    exit_n[i, j] = end_nodes[m_run[keep]]
    exit_c[i, j] = from_here[keep]
    return Traversals(
        core=s.core,
        start=start_nodes,
        end=end_nodes,
        total=totals,
        members=members,
        member_pos=prefix[k],
        member_gone=prefix_i[k],
        trav_ptr=trav_ptr.astype(np.int64),
        trav_of=trav_of,
        trav_pos=trav_pos,
        trav_gone=trav_gone,
        entry_n=entry_n,
        entry_c=entry_c,
        exit_n=exit_n,
        exit_c=exit_c,
    )


def _sorted_unique(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """``np.unique`` by one sort (numpy's hash-based unique is several times slower here)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]
