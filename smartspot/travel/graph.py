"""A compact directed road graph: CSR arrays in one ``.npz`` that loads in milliseconds.

Nodes carry EPSG:25832 coordinates; directed edges carry metres and seconds. Ferry edges are
flagged, and the first edge out of each ferry terminal carries the waiting time separately, so
one built file serves both "ferries on, 15 min wait" and "ferries off" without a rebuild.
Turn restrictions are built in by node splitting (:mod:`smartspot.travel.turns`): a copy of a
junction carries the turns allowed after one arrival, ``original`` maps it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.i18n import msg
from smartspot.travel.chains import ChainStructure, chain_structure
from smartspot.travel.grid_index import GridIndex
from smartspot.travel.prepared import Prepared, pinned_nodes, prepare

FORMAT_VERSION = 2
COMPRESS_MAX_NODES = 1_000_000
PREPARE_MIN_NODES = 1_000_000
#: scipy's shortest paths treat a stored 0 as "no edge" in some paths; keep every edge positive.
MIN_EDGE_S = 0.01


@dataclass(frozen=True, slots=True, eq=False)
class RoadGraph:
    """Directed graph in CSR form.

    Attributes
    ----------
    xy
        ``(N, 2)`` node coordinates in EPSG:25832 metres.
    indptr, heads
        CSR structure: the edges leaving node ``u`` are ``indptr[u]:indptr[u+1]``, going to
        ``heads[...]``. At most one edge per ordered pair of nodes (the fastest is kept).
    seconds, metres
        Per edge: driving time without any ferry wait, and length.
    ferry
        Per edge: ``True`` on ferry crossings.
    wait
        Per edge: ``True`` on the first ferry edge leaving a terminal; the configured waiting
        time is added there.
    snappable
        Per node: ``True`` where a point may join the network (road nodes and ferry terminals,
        never a node out on a ferry line at sea).
    source
        Where the graph was built from (file name), for provenance.
    ferry_wait_s
        The waiting time recorded at build time (``--ferry-wait-min``); adapters use it unless
        their options say otherwise.
    original
        Per node: the node it is a turn-restriction copy of, or itself (``None``: no copies).
    turns
        ``(k, 4)`` resolved restrictions as node indices ``u, via, w, only`` (for checks).
    chains
        The chain contraction's shape (:class:`~smartspot.travel.chains.ChainStructure`),
        computed once when the graph is made and stored with it. Both ends of every ferry edge
        are junctions, so a ferry's cost never runs along a chain.
    prepared
        The whole contraction under the graph's own times
        (:class:`~smartspot.travel.prepared.Prepared`): stored with graphs of more than
        :data:`PREPARE_MIN_NODES` nodes, so an adapter on a national graph is ready as soon as
        the file is read; ``None``: the adapter computes it (milliseconds on a district).
    grid
        The snappable nodes' cell index (:class:`~smartspot.travel.grid_index.GridIndex`),
        stored with the same large graphs; ``None``: the adapter builds it.
    """

    xy: NDArray[np.float64]
    indptr: NDArray[np.int64]
    heads: NDArray[np.int32]
    seconds: NDArray[np.float64]
    metres: NDArray[np.float64]
    ferry: NDArray[np.bool_]
    wait: NDArray[np.bool_]
    snappable: NDArray[np.bool_]
    source: str = ""
    ferry_wait_s: float = 900.0
    original: NDArray[np.int64] | None = None
    turns: NDArray[np.int64] | None = None
    chains: ChainStructure | None = None
    prepared: Prepared | None = None
    grid: GridIndex | None = None
    _tails: NDArray[np.int32] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.xy)
        m = len(self.heads)
        if self.xy.ndim != 2 or self.xy.shape[1] != 2:
            raise InvalidInputError(msg("xy must be (N, 2) EPSG:25832 coordinates"))
        if len(self.indptr) != n + 1 or int(self.indptr[-1]) != m:
            raise InvalidInputError(msg("indptr must have N + 1 entries ending at the edge count"))
        for name in ("seconds", "metres", "ferry", "wait"):
            if len(getattr(self, name)) != m:
                raise InvalidInputError(
                    msg("{name} must have one entry per edge ({m})", name=name, m=m)
                )
        if len(self.snappable) != n:
            raise InvalidInputError(msg("snappable must have one entry per node"))
        if m and (self.heads.min() < 0 or self.heads.max() >= n):
            raise InvalidInputError(msg("edge heads must be node indices"))
        if not 0 <= self.ferry_wait_s <= 6 * 3600:
            raise InvalidInputError(msg("ferry_wait_s must be between 0 and 21600 seconds"))
        if m and not (self.seconds > 0).all():
            raise InvalidInputError(msg("every edge must take a positive time"))
        if self.original is None:
            object.__setattr__(self, "original", np.arange(n, dtype=np.int64))
        elif len(self.original) != n:
            raise InvalidInputError(msg("original must have one entry per node"))
        if self.turns is None:
            object.__setattr__(self, "turns", np.empty((0, 4), dtype=np.int64))
        tails = np.repeat(np.arange(n, dtype=np.int32), np.diff(self.indptr))
        object.__setattr__(self, "_tails", tails)

    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        return len(self.heads)

    @property
    def copies(self) -> NDArray[np.int64]:
        """Indices of the turn-restriction copies (nodes whose ``original`` is another)."""
        assert self.original is not None
        return np.flatnonzero(self.original != np.arange(self.n_nodes))

    @property
    def tails(self) -> NDArray[np.int32]:
        """Per edge: the node it leaves."""
        return self._tails

    def edge_seconds(self, *, ferries: bool, ferry_wait_s: float) -> NDArray[np.float64]:
        """Per-edge cost in seconds; ``inf`` on ferry edges when ferries are off."""
        cost = self.seconds.copy()  # by index: a national graph has a few hundred ferry edges
        cost[np.flatnonzero(self.wait)] += ferry_wait_s
        if not ferries:
            cost[np.flatnonzero(self.ferry)] = np.inf
        return cost

    def csr(self, *, ferries: bool, ferry_wait_s: float) -> sp.csr_matrix:
        """The graph as a scipy CSR matrix of seconds (ferry edges dropped when off)."""
        cost = self.edge_seconds(ferries=ferries, ferry_wait_s=ferry_wait_s)
        keep = np.isfinite(cost)
        n = self.n_nodes
        return sp.csr_matrix((cost[keep], (self.tails[keep], self.heads[keep])), shape=(n, n))

    def save(self, path: Path) -> None:
        """Write an ``.npz``: compressed for small graphs (shipped in the repository),
        uncompressed above :data:`COMPRESS_MAX_NODES` nodes, where inflating the arrays would
        cost more load time than reading them (a national graph loads in about a second)."""
        write = np.savez_compressed if self.n_nodes <= COMPRESS_MAX_NODES else np.savez
        arrays: dict[str, Any] = dict(
            format_version=np.int64(FORMAT_VERSION),
            xy=self.xy,
            indptr=self.indptr,
            heads=self.heads,
            seconds=self.seconds.astype(np.float32),
            metres=self.metres.astype(np.float32),
            ferry=self.ferry,
            wait=self.wait,
            snappable=self.snappable,
            source=np.str_(self.source),
            ferry_wait_s=np.float64(self.ferry_wait_s),
            original=np.asarray(self.original, dtype=np.int32),
            turns=np.asarray(self.turns, dtype=np.int64),
        )
        prepared = self.prepared
        if prepared is None and self.n_nodes > PREPARE_MIN_NODES:
            prepared = self.with_prepared().prepared
        if prepared is not None:
            arrays.update(prepared.arrays())  # an adapter reads it instead of the chains
            grid = self.grid or GridIndex.build(self.xy, np.flatnonzero(self.snappable))
            arrays.update(grid.arrays())
        elif self.chains is not None:
            arrays.update(self.chains.arrays())
        write(path, **arrays)

    @property
    def open_edges(self) -> NDArray[np.bool_]:
        """Per edge: ``True`` where the cost depends on an adapter's options (the ferries)."""
        return self.ferry | self.wait

    def with_prepared(self) -> RoadGraph:
        """This graph with its contraction computed (:attr:`prepared`) under its own times as
        stored (float32), ferry ends made junctions."""
        pinned = pinned_nodes(self.n_nodes, self.tails, self.heads, self.open_edges)
        chains = chain_structure(self.n_nodes, self.indptr, self.heads, pinned)
        stored = self.seconds.astype(np.float32).astype(np.float64)
        done = prepare(self.indptr, self.heads, stored, chains, self.open_edges)
        return replace(self, seconds=stored, chains=chains, prepared=done)

    @classmethod
    def load(cls, path: Path) -> RoadGraph:
        """Read a graph written by :meth:`save`.

        Raises
        ------
        NotFoundError
            When the file does not exist (build it with ``smartspot roads build``).
        InvalidInputError
            When it is not a Smart Spot road graph of this format version.
        """
        if not path.exists():
            raise NotFoundError(
                msg(
                    "no road graph at {path}; build one with 'smartspot roads build FILE.osm.pbf --out NAME'",
                    path=path,
                )
            )
        with np.load(path, allow_pickle=False) as data:
            version = int(data["format_version"]) if "format_version" in data else -1
            if version != FORMAT_VERSION:
                raise InvalidInputError(
                    msg(
                        "{name} is road-graph format {version}, expected {FORMAT_VERSION}; rebuild it with 'smartspot roads build'",
                        name=path.name,
                        version=version,
                        FORMAT_VERSION=FORMAT_VERSION,
                    )
                )
            return cls(
                xy=np.asarray(data["xy"], dtype=np.float64),
                indptr=np.asarray(data["indptr"], dtype=np.int64),
                heads=np.asarray(data["heads"], dtype=np.int32),
                seconds=data["seconds"].astype(np.float64),
                metres=data["metres"].astype(np.float64),
                ferry=np.asarray(data["ferry"], dtype=bool),
                wait=np.asarray(data["wait"], dtype=bool),
                snappable=np.asarray(data["snappable"], dtype=bool),
                source=str(data["source"]),
                ferry_wait_s=float(data["ferry_wait_s"]),
                original=data["original"].astype(np.int64),
                turns=data["turns"].astype(np.int64),
                chains=ChainStructure.from_arrays(data) if "chain_core" in data else None,
                prepared=Prepared.from_arrays(data),
                grid=GridIndex.from_arrays(data),
            )


def from_edges(
    xy: NDArray[np.float64],
    tails: NDArray[np.int64],
    heads: NDArray[np.int64],
    seconds: NDArray[np.float64],
    metres: NDArray[np.float64],
    ferry: NDArray[np.bool_],
    wait: NDArray[np.bool_],
    snappable: NDArray[np.bool_],
    *,
    source: str = "",
    ferry_wait_s: float = 900.0,
    original: NDArray[np.int64] | None = None,
    turns: NDArray[np.int64] | None = None,
) -> RoadGraph:
    """Build a :class:`RoadGraph` from an edge list; parallel edges keep the fastest."""
    seconds = np.maximum(np.asarray(seconds, dtype=np.float64), MIN_EDGE_S)
    order = np.lexsort((seconds, heads, tails))
    tails, heads = tails[order], heads[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    keep = order[first]
    tails, heads = tails[first], heads[first]
    counts = np.bincount(tails, minlength=len(xy))
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    ferry = np.asarray(ferry, dtype=bool)[keep]
    wait = np.asarray(wait, dtype=bool)[keep]
    pinned = pinned_nodes(len(xy), tails, heads, ferry | wait)
    chains = chain_structure(len(xy), indptr, heads, pinned)
    return RoadGraph(
        xy=np.asarray(xy, dtype=np.float64),
        indptr=indptr,
        heads=heads.astype(np.int32),
        seconds=seconds[keep],
        metres=np.asarray(metres, dtype=np.float64)[keep],
        ferry=ferry,
        wait=wait,
        snappable=np.asarray(snappable, dtype=bool),
        source=source,
        ferry_wait_s=ferry_wait_s,
        original=original,
        turns=turns,
        chains=chains,
    )
