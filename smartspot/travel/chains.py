"""Find the chains of shape points in a directed graph, in whole-array steps (no Python loop
per node), so a national graph of millions of nodes contracts in seconds.

A *chain node* has exactly two neighbours and is passed straight through: two-way (in from and
out to both) or one-way (in from one, out to the other). Every other node is a *core* node.
A *traversal* starts at a core node along one of its edges and follows the chain to the next
core node. Each edge has at most one predecessor on a traversal (the graph keeps one edge per
ordered node pair), so the start and position of every edge follow by pointer doubling.
"""

from __future__ import annotations

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
    trav_ptr: NDArray[np.int64]
    trav_of: NDArray[np.int64]
    trav_pos: NDArray[np.float64]
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


def traverse(
    n: int,
    ptr: NDArray[np.int64],
    heads: NDArray[np.int64],
    cost: NDArray[np.float64],
) -> Traversals:
    """All traversals of the graph given as CSR (edges sorted by tail, then head).

    Rings of chain nodes with no core node on them are made core, so every node is reached.
    """
    m = len(heads)
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    core = ~chain_mask(n, tails, heads)
    if m == 0:
        core[:] = True
        none, empty = np.empty(0, dtype=np.int64), np.empty(0)
        slots_n, slots_c = -np.ones((n, 2), dtype=np.int64), np.full((n, 2), np.inf)
        return Traversals(
            core,
            none,
            none,
            empty,
            none,
            empty,
            np.zeros(1, dtype=np.int64),
            slots_n,
            slots_c,
            slots_n.copy(),
            slots_c.copy(),
            slots_n.copy(),
            slots_c.copy(),
        )
    edges = np.arange(m, dtype=np.int64)
    group = np.ones(m, dtype=bool)
    group[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    group_starts = np.flatnonzero(group)
    has_out = np.diff(ptr) > 0
    f0 = np.where(has_out, ptr[:-1], 0)
    # f1: the node's first edge to its other neighbour (or f0 when it has one neighbour)
    nxt_group = group_starts[np.minimum(np.searchsorted(group_starts, f0, "right"), m - 1)]
    f1 = np.where(has_out & (nxt_group < ptr[1:]) & (nxt_group > f0), nxt_group, f0)
    while True:
        b = heads
        successor = np.where(heads[f0[b]] == tails, f1[b], f0[b])
        succ = np.where(core[b] | ~has_out[b], -1, successor)
        pred = -np.ones(m, dtype=np.int64)
        valid = succ >= 0
        pred[succ[valid]] = edges[valid]
        start = core[tails]
        p = np.where(start, edges, pred)
        d = np.where(start, 0, 1).astype(np.int64)
        for _ in range(int(np.ceil(np.log2(max(m, 2)))) + 1):
            pp = p[np.maximum(p, 0)]
            if np.array_equal(pp, p):
                break
            d = d + np.where(p >= 0, d[np.maximum(p, 0)], 0)
            p = pp
        lost = ~start[np.maximum(p, 0)] | (p < 0)
        if not lost.any():
            break
        core[tails[lost]] = True  # a ring with no junction: keep its nodes whole
    order = np.lexsort((d, p))
    c = cost[order]
    head_o, p_o = heads[order], p[order]
    first = np.ones(m, dtype=bool)
    first[1:] = p_o[1:] != p_o[:-1]
    last = np.ones(m, dtype=bool)
    last[:-1] = first[1:]
    run = np.cumsum(first) - 1
    cs = np.cumsum(c)
    base = (cs - c)[first]
    prefix = cs - base[run]
    g_first, g_last = np.flatnonzero(first), np.flatnonzero(last)
    start_nodes = tails[order[g_first]]
    end_nodes = head_o[g_last]
    totals = prefix[g_last]
    inner = ~last  # every edge but a traversal's last ends at a chain node
    member_run = run[inner]
    long_runs = _sorted_unique(member_run)
    tid_of_run = -np.ones(len(g_first), dtype=np.int64)
    tid_of_run[long_runs] = np.arange(len(long_runs))
    members = head_o[inner]
    member_pos = prefix[inner]
    member_tid = tid_of_run[member_run]
    trav_ptr = np.concatenate([[0], np.cumsum(np.bincount(member_tid, minlength=len(long_runs)))])
    trav_of = -np.ones((n, 2), dtype=np.int64)
    trav_pos = np.full((n, 2), np.inf)
    entry_n = -np.ones((n, 2), dtype=np.int64)
    entry_c = np.full((n, 2), np.inf)
    exit_n = -np.ones((n, 2), dtype=np.int64)
    exit_c = np.full((n, 2), np.inf)
    by_node = np.argsort(members, kind="stable")
    sorted_nodes = members[by_node]
    new_node = np.ones(len(by_node), dtype=bool)
    new_node[1:] = sorted_nodes[1:] != sorted_nodes[:-1]
    node_start = np.maximum.accumulate(np.where(new_node, np.arange(len(by_node)), 0))
    slot = np.arange(len(by_node)) - node_start
    keep = slot < 2
    i, j = sorted_nodes[keep], slot[keep]
    k = by_node[keep]
    runs = member_run[k]
    trav_of[i, j] = member_tid[k]
    trav_pos[i, j] = member_pos[k]
    entry_n[i, j] = start_nodes[runs]
    entry_c[i, j] = member_pos[k]
    exit_n[i, j] = end_nodes[runs]
    exit_c[i, j] = totals[runs] - member_pos[k]
    return Traversals(
        core=core,
        start=start_nodes,
        end=end_nodes,
        total=totals,
        members=members,
        member_pos=member_pos,
        trav_ptr=trav_ptr.astype(np.int64),
        trav_of=trav_of,
        trav_pos=trav_pos,
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
