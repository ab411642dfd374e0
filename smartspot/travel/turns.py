"""Turn restrictions (OSM ``type=restriction`` relations) as plain graph structure.

A restriction with a *via node* ``V`` forbids (``no_*``) or prescribes (``only_*``) the turn
from the last segment ``u → V`` of its ``from`` way onto the first segment ``V → w`` of its
``to`` way. It is built into the graph by **node splitting**: every restricted arrival
``u → V`` is redirected to a copy ``V'`` of ``V`` whose outgoing edges are only the turns
allowed after that arrival (all but the forbidden ones for ``no_*``; just ``V → w`` for
``only_*``). Shortest paths on the split graph are then exactly the shortest paths that make
no forbidden turn, and an ordinary Dijkstra (and the chain contraction of
:mod:`smartspot.travel.contract`) keeps its speed. A copy is not snappable and has ``V``'s
coordinates; ``RoadGraph.original`` maps it back, so a trip *to* ``V`` counts arrivals at any
copy. A car *starting* at ``V`` starts at ``V`` itself and may turn anywhere.

Read: ``restriction`` or ``restriction:motorcar`` (``:motor_vehicle``), not those only for
other vehicles (``restriction:hgv``, ``:bus``, ``:bicycle``), not those that ``except`` cars,
and not the time-dependent ``restriction:conditional``. **Via-way restrictions** (a ``via``
that is a way, e.g. "no U-turn across the central reserve") are counted and left out: they
need a chain of copies along the via way, and are rare (one of eight in the Aarhus C extract).
Restrictions whose via node is not an end of both the from and the to way are malformed for
routing and left out too, as OSRM and Valhalla do.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

CAR_KEYS = ("restriction:motorcar", "restriction:motor_vehicle", "restriction")
CAR_EXCEPTIONS = frozenset({"motorcar", "motor_vehicle", "vehicle"})


@dataclass(frozen=True, slots=True)
class RawRestriction:
    """One relation as read: its kind (``no_left_turn`` …) and member OSM ids."""

    relation: int
    kind: str
    from_ways: tuple[int, ...]
    via_nodes: tuple[int, ...]
    via_ways: tuple[int, ...]
    to_ways: tuple[int, ...]


def parse_restriction(
    relation: int, tags: Mapping[str, str], members: Sequence[tuple[str, int, str]]
) -> RawRestriction | None:
    """The restriction a relation sets for cars, or ``None`` when it sets none.

    ``members`` are ``(type, ref, role)`` with type ``"n"``/``"w"``/``"r"``.
    """
    if tags.get("type") != "restriction":
        return None
    kind = next((tags[k] for k in CAR_KEYS if k in tags), None)
    if kind is None or not kind.startswith(("no_", "only_")):
        return None
    excepted = {v.strip() for v in tags.get("except", "").split(";")}
    if excepted & CAR_EXCEPTIONS:
        return None
    role = defaultdict(list)
    for kind_of, ref, name in members:
        role[(kind_of, name)].append(ref)
    return RawRestriction(
        relation=relation,
        kind=kind,
        from_ways=tuple(role[("w", "from")]),
        via_nodes=tuple(role[("n", "via")]),
        via_ways=tuple(role[("w", "via")]),
        to_ways=tuple(role[("w", "to")]),
    )


@dataclass(frozen=True, slots=True)
class Turn:
    """A resolved restriction on graph node indices: arriving ``u → via``, then ``via → w``."""

    u: int
    via: int
    w: int
    only: bool


@dataclass(slots=True)
class TurnReport:
    """What became of the restrictions of one extract."""

    used: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def _neighbour(chain: Sequence[int], via: int) -> int | None:
    """The node next to ``via`` on a way that starts or ends there; ``None`` otherwise."""
    if len(chain) >= 2 and chain[0] == via:
        return chain[1]
    if len(chain) >= 2 and chain[-1] == via:
        return chain[-2]
    return None


def resolve(
    raws: Sequence[RawRestriction],
    chains: Mapping[int, list[int]],
    node_index: Mapping[int, int],
) -> tuple[list[Turn], TurnReport]:
    """Turn relations into :class:`Turn` s on graph nodes.

    ``chains`` maps a drivable way's OSM id to its graph node indices in way order; a member
    way missing there is not drivable (or outside the extract) and the restriction is moot.
    """
    report = TurnReport()
    turns: list[Turn] = []
    for raw in raws:
        if raw.via_ways:
            report.skipped["via way"] += 1
            continue
        if len(raw.via_nodes) != 1 or not raw.from_ways or not raw.to_ways:
            report.skipped["incomplete"] += 1
            continue
        via = node_index.get(raw.via_nodes[0])
        froms = [chains.get(w) for w in raw.from_ways]
        tos = [chains.get(w) for w in raw.to_ways]
        if via is None or any(c is None for c in froms + tos):
            report.skipped["not drivable here"] += 1
            continue
        us = [_neighbour(c, via) for c in froms if c is not None]
        ws = [_neighbour(c, via) for c in tos if c is not None]
        if None in us or None in ws:
            report.skipped["via not at a way end"] += 1
            continue
        only = raw.kind.startswith("only_")
        if only and len(ws) != 1:
            report.skipped["only_ with several to ways"] += 1
            continue
        turns += [Turn(u, via, w, only) for u in us if u is not None for w in ws if w is not None]
        report.used += 1
    return turns, report


@dataclass(frozen=True, slots=True)
class Split:
    """The edge list after node splitting."""

    n_nodes: int
    original: NDArray[np.int64]  # per node (copies included): the node it copies, or itself
    tails: NDArray[np.int64]
    heads: NDArray[np.int64]
    source_edge: NDArray[np.int64]  # per new edge: which input edge it copies


def split_nodes(
    n_nodes: int, tails: NDArray[np.int64], heads: NDArray[np.int64], turns: Sequence[Turn]
) -> Split:
    """Apply ``turns`` by node splitting (see the module docstring).

    Arrivals ``u → via`` that exist as edges get a copy of ``via`` each; a turn whose arrival
    edge does not exist (a one-way street the other way) changes nothing.
    """
    n = max(n_nodes, 1)
    codes = tails * n + heads
    arrivals = np.array([t.u * n + t.via for t in turns], dtype=np.int64)
    exists = np.isin(arrivals, codes)
    forbidden: dict[tuple[int, int], set[int]] = defaultdict(set)
    allowed: dict[tuple[int, int], set[int]] = {}
    for t, ok in zip(turns, exists.tolist(), strict=True):
        key = (t.u, t.via)
        if not ok:
            continue
        if t.only:
            allowed[key] = allowed.get(key, {t.w}) & {t.w}
        else:
            forbidden[key].add(t.w)
    keys = sorted(set(forbidden) | set(allowed))
    copy_of = {key: n_nodes + j for j, key in enumerate(keys)}
    original = np.concatenate(
        [np.arange(n_nodes, dtype=np.int64), np.array([v for _, v in keys], dtype=np.int64)]
    )
    if not keys:
        return Split(n_nodes, original, tails, heads, np.arange(len(tails), dtype=np.int64))

    key_codes = np.array([u * n + v for u, v in keys], dtype=np.int64)  # sorted, as keys

    def redirect(t: int, h: int) -> int:
        return copy_of.get((t, h), h)

    at = np.minimum(np.searchsorted(key_codes, codes), len(keys) - 1)
    new_heads = np.where(key_codes[at] == codes, n_nodes + at, heads)
    out_edges: dict[int, list[int]] = defaultdict(list)
    vias = {v for _, v in keys}
    for e in np.flatnonzero(np.isin(tails, list(vias))).tolist():
        out_edges[int(tails[e])].append(e)
    extra_t: list[int] = []
    extra_h: list[int] = []
    extra_src: list[int] = []
    for (_u, v), node in copy_of.items():
        for e in out_edges[v]:
            w = int(heads[e])
            if (_u, v) in allowed and w not in allowed[(_u, v)]:
                continue
            if w in forbidden.get((_u, v), ()):
                continue
            extra_t.append(node)
            extra_h.append(redirect(v, w))
            extra_src.append(e)
    return Split(
        n_nodes=n_nodes + len(keys),
        original=original,
        tails=np.concatenate([tails, np.array(extra_t, dtype=np.int64)]),
        heads=np.concatenate([new_heads.astype(np.int64), np.array(extra_h, dtype=np.int64)]),
        source_edge=np.concatenate(
            [np.arange(len(tails), dtype=np.int64), np.array(extra_src, dtype=np.int64)]
        ),
    )
