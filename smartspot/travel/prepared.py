"""The contraction's arrays for one set of edge costs, computed once and stored with a graph.

:class:`~smartspot.travel.contract.ContractedGraph` needs, per node, how its time is read from
the junctions' times, and the junctions-only graph itself. On a national graph computing them
takes several seconds of CPU, so ``smartspot roads build`` stores them in the graph file
(:meth:`Prepared.arrays`) and an adapter is ready as soon as the file is read.

What may change between adapters is only the ferries (on or off, the wait, timetabled crossings
closed). A graph built by :func:`~smartspot.travel.graph.from_edges` makes both ends of every
ferry edge a junction, so a ferry edge is a junction-to-junction edge of its own and no chain
runs over it: its cost moves only that one edge of the junctions-only graph
(``open_runs``/``open_edges``), and every stored chain array serves every ferry option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from smartspot.travel.chains import ChainStructure, chain_structure, traverse

INF = np.inf
PREFIX = "prep_"


@dataclass(frozen=True, slots=True, eq=False)
class Prepared:
    """The contraction of a graph under one cost vector (see the module docstring).

    ``core_ids``/``core_index`` map junctions to their index in the junctions-only graph.
    Per traversal (a chain from junction to junction): ``start``/``end`` (junction indices),
    ``total`` (cost), sorted once by (start, end) in ``fwd_order`` and by (end, start) in
    ``bwd_order``. Chain members and per-node slots as in
    :class:`~smartspot.travel.chains.Traversals`, with ``exit_n``/``entry_n`` already junction
    indices and a junction reading itself. ``open_runs`` are the one-edge traversals of
    ``open_edges`` (the ferry edges) whose cost an adapter sets from its own options.
    """

    core_ids: NDArray[np.int64]
    core_index: NDArray[np.int64]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    total: NDArray[np.float64]
    fwd_order: NDArray[np.int64]
    bwd_order: NDArray[np.int64]
    members: NDArray[np.int64]
    member_pos: NDArray[np.float64]
    member_gone: NDArray[np.int64]
    trav_ptr: NDArray[np.int64]
    trav_of: NDArray[np.int64]
    trav_pos: NDArray[np.float64]
    trav_gone: NDArray[np.int64]
    exit_n: NDArray[np.int64]
    exit_c: NDArray[np.float64]
    entry_n: NDArray[np.int64]
    entry_c: NDArray[np.float64]
    open_runs: NDArray[np.int64]
    open_edges: NDArray[np.int64]

    @property
    def n_core(self) -> int:
        return len(self.core_ids)

    def totals(self, cost: NDArray[np.float64]) -> NDArray[np.float64]:
        """Traversal costs under ``cost``, which may differ from the prepared one only on
        ``open_edges``."""
        total = self.total.copy()
        total[self.open_runs] = cost[self.open_edges]
        return total

    def arrays(self) -> dict[str, NDArray[np.generic]]:
        """Compact arrays to store in a graph file (node ids as int32, chain costs float32;
        the absent-edge counts only when any is not zero)."""
        small = {
            "core_ids": np.int32,
            "core_index": np.int32,
            "start": np.int32,
            "end": np.int32,
            "total": np.float64,
            "fwd_order": np.int32,
            "bwd_order": np.int32,
            "members": np.int32,
            "member_pos": np.float32,
            "trav_ptr": np.int64,
            "trav_of": np.int32,
            "trav_pos": np.float32,
            "exit_n": np.int32,
            "exit_c": np.float32,
            "entry_n": np.int32,
            "entry_c": np.float32,
            "open_runs": np.int64,
            "open_edges": np.int64,
        }
        out: dict[str, NDArray[np.generic]] = {
            PREFIX + name: np.asarray(getattr(self, name)).astype(kind, copy=False)
            for name, kind in small.items()
        }
        for name in ("member_gone", "trav_gone"):
            values = getattr(self, name)
            if values.any():
                out[PREFIX + name] = values.astype(np.int32)
        return out

    @classmethod
    def from_arrays(cls, data: Mapping[str, NDArray[np.generic]]) -> Prepared | None:
        """The arrays stored by :meth:`arrays`, or ``None`` when there are none."""
        if PREFIX + "core_ids" not in data:
            return None
        get = {f.removeprefix(PREFIX): data[f] for f in data if f.startswith(PREFIX)}
        n = len(get["core_index"])
        gone = {
            "member_gone": get.get("member_gone", np.zeros(len(get["members"]), dtype=np.int32)),
            "trav_gone": get.get("trav_gone", np.zeros((n, 2), dtype=np.int32)),
        }
        stored = {f.name: get[f.name] for f in fields(cls) if f.name not in gone}
        return cls(**stored, **gone)  # type: ignore[arg-type]  # int32 and float32 as stored


def pinned_nodes(
    n: int, tails: NDArray[np.integer], heads: NDArray[np.integer], open_edges: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Per node: ``True`` at either end of an edge whose cost depends on the options."""
    pinned = np.zeros(n, dtype=bool)
    pinned[np.asarray(tails)[open_edges]] = True
    pinned[np.asarray(heads)[open_edges]] = True
    return pinned


def prepare(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int32],
    cost: NDArray[np.float64],
    structure: ChainStructure | None = None,
    open_edges: NDArray[np.bool_] | None = None,
) -> Prepared:
    """The contraction's arrays under ``cost``. ``open_edges`` (per edge) may be given only
    when each of them is a traversal of its own (both its ends are junctions in ``structure``,
    as :func:`~smartspot.travel.graph.from_edges` makes the ferry edges)."""
    n = len(indptr) - 1
    s = structure if structure is not None else chain_structure(n, indptr, heads)
    tr = traverse(n, indptr, heads, cost, s)
    core_ids = np.flatnonzero(tr.core)
    index = -np.ones(n, dtype=np.int64)
    index[core_ids] = np.arange(len(core_ids))
    start, end = index[tr.start], index[tr.end]
    exit_n, exit_c, entry_n, entry_c = tr.exit_n, tr.exit_c, tr.entry_n, tr.entry_c
    exit_n = np.where(exit_n >= 0, index[np.maximum(exit_n, 0)], -1)
    entry_n = np.where(entry_n >= 0, index[np.maximum(entry_n, 0)], -1)
    own = index >= 0
    for arr_n, arr_c in ((exit_n, exit_c), (entry_n, entry_c)):
        arr_n[own, 0], arr_c[own, 0] = index[own], 0.0
        arr_n[own, 1], arr_c[own, 1] = -1, INF
    runs = np.empty(0, dtype=np.int64)
    edges = np.empty(0, dtype=np.int64)
    if open_edges is not None and open_edges.any():
        run_of = -np.ones(len(heads), dtype=np.int64)
        run_of[s.order] = np.cumsum(s.first) - 1
        edges = np.flatnonzero(open_edges & (run_of >= 0))
        runs = run_of[edges]
        if len(np.unique(runs)) != len(runs) or not tr.core[np.asarray(heads)[edges]].all():
            raise ValueError("open edges must each be a traversal of their own")
    return Prepared(
        core_ids=core_ids,
        core_index=index,
        start=start,
        end=end,
        total=tr.total,
        fwd_order=np.lexsort((end, start)),
        bwd_order=np.lexsort((start, end)),
        members=tr.members,
        member_pos=tr.member_pos,
        member_gone=tr.member_gone,
        trav_ptr=tr.trav_ptr,
        trav_of=tr.trav_of,
        trav_pos=tr.trav_pos,
        trav_gone=tr.trav_gone,
        exit_n=exit_n,
        exit_c=exit_c,
        entry_n=entry_n,
        entry_c=entry_c,
        open_runs=runs,
        open_edges=edges,
    )


def core_csr(
    tails: NDArray[np.int64],
    heads: NDArray[np.int64],
    cost: NDArray[np.float64],
    order: NDArray[np.int64],
    k: int,
    slots: int,
) -> sp.csr_matrix:
    """Junctions-only graph of ``k`` nodes plus row ``k`` with ``slots`` editable edges at the
    end (the virtual source). ``order`` sorts the edges by (tail, head); parallel edges keep
    the cheapest, absent (``inf``) ones are dropped."""
    t, h, c = tails[order], heads[order], cost[order]
    ok = np.isfinite(c)
    t, h, c = t[ok], h[ok], c[ok]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    at = np.flatnonzero(first)
    if len(c):
        c = np.minimum.reduceat(c, at)
    t, h = t[at], h[at]
    counts = np.bincount(t, minlength=k + 1)
    counts[k] = slots
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    indices = np.concatenate([h, np.zeros(slots)]).astype(np.int32)
    data = np.concatenate([c, np.ones(slots)])
    csr = sp.csr_matrix((data, indices, indptr), shape=(k + 1, k + 1))
    csr.has_canonical_format = True
    return csr
