"""Build a :class:`~smartspot.travel.graph.RoadGraph` from an OpenStreetMap ``.osm.pbf``.

Reads with pyosmium in one pass over the ways (node locations resolved by osmium's location
index, so a whole-country extract works too). Drivable ways, speeds and one-way rules come from
:mod:`smartspot.travel.speeds`. Ferries (``route=ferry``) take their ``duration`` tag (or
20 km/h over their length when it is missing) and are left out when cars may not board
(``motor_vehicle=no``/``motorcar=no``) or when the build is asked for no ferries. A ferry
terminal that does not share a node with a road is joined to the nearest road node within
``terminal_join_m``; if there is none (the far shore of a ferry in a small extract), the
terminal stays a node of its own that points can snap to. Turn restrictions
(``type=restriction``) are read in a first, cheap pass over the relations and built in by node
splitting (:mod:`smartspot.travel.turns`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
from scipy.spatial import cKDTree

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.i18n import msg
from smartspot.travel.graph import RoadGraph, from_edges
from smartspot.travel.speeds import oneway_direction, parse_duration_s, way_speed_kmh
from smartspot.travel.turns import (
    RawRestriction,
    TurnReport,
    parse_restriction,
    resolve,
    split_nodes,
)

FERRY_FALLBACK_KMH = 20.0
TERMINAL_JOIN_KMH = 10.0  # harbour lanes and queues between a ferry berth and the road


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to turn an OSM extract into a road graph.

    Parameters
    ----------
    ferries
        Include car ferries. When off, no ferry edge is written at all.
    terminal_join_m
        Join a ferry terminal to the nearest road node within this distance.
    ferry_wait_s
        Default waiting time at each ferry departure, stored with the graph.
    turn_restrictions
        Honour ``type=restriction`` relations (off only to measure what they change).
    """

    ferries: bool = True
    terminal_join_m: float = 500.0
    ferry_wait_s: float = 900.0
    turn_restrictions: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.ferry_wait_s <= 6 * 3600:
            raise InvalidInputError(msg("ferry_wait_s must be between 0 and 21600 seconds (6 h)"))
        if not 0 <= self.terminal_join_m <= 5_000:
            raise InvalidInputError(msg("terminal_join_m must be between 0 and 5000 metres"))


def _car_ferry(tags: Mapping[str, str]) -> bool:
    if tags.get("route") != "ferry":
        return False
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        if key in tags:
            return tags[key] not in ("no", "private")
    return True  # untagged ferries are assumed to take cars, as OSM routers do


class _Collector:
    def __init__(self, wanted_ways: set[int] | None = None) -> None:
        self.wanted_ways = wanted_ways or set()
        self.chains: dict[int, list[int]] = {}  # drivable ways named by a restriction
        self.node_index: dict[int, int] = {}
        self.lon: list[float] = []
        self.lat: list[float] = []
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.kmh: list[float] = []
        self.is_ferry: list[bool] = []
        self.ferry_s: list[float] = []  # whole-crossing duration, per edge (nan on roads)
        self.crossing: list[int] = []  # per edge: which directed ferry crossing, -1 on roads
        self.road_nodes: set[int] = set()
        self.ferry_ends: list[tuple[int, int]] = []
        self.n_crossings = 0

    def node(self, ref: int, lon: float, lat: float) -> int:
        index = self.node_index.get(ref)
        if index is None:
            index = len(self.lon)
            self.node_index[ref] = index
            self.lon.append(lon)
            self.lat.append(lat)
        return index

    def add_way(self, way: osmium.osm.Way, tags: dict[str, str], *, ferries: bool) -> None:
        is_ferry = _car_ferry(tags)
        speed = None if is_ferry else way_speed_kmh(tags)
        if (is_ferry and not ferries) or (not is_ferry and speed is None):
            return
        try:
            located = [(n.ref, n.lon, n.lat) for n in way.nodes]
        except osmium.InvalidLocationError:
            return  # a way with nodes outside the extract: skip it, as routers do
        if len(located) < 2:
            return
        chain = [self.node(*node) for node in located]
        if is_ferry:
            duration = parse_duration_s(tags.get("duration"))
            self._add_chain(chain, oneway_direction(tags), np.nan, True, duration)
            self.ferry_ends.append((chain[0], chain[-1]))
            return
        assert speed is not None
        if way.id in self.wanted_ways:
            self.chains[way.id] = chain
        self.road_nodes.update(chain)
        self._add_chain(chain, oneway_direction(tags), speed, False, None)

    def _add_chain(
        self, chain: list[int], direction: int, kmh: float, ferry: bool, duration: float | None
    ) -> None:
        pairs = list(itertools.pairwise(chain))
        if direction == -1:
            pairs = [(b, a) for a, b in reversed(pairs)]
        directed = [pairs] if direction != 0 else [pairs, [(b, a) for a, b in reversed(pairs)]]
        for path in directed:
            if ferry:
                self.n_crossings += 1
            for a, b in path:
                self.tails.append(a)
                self.heads.append(b)
                self.kmh.append(kmh)
                self.is_ferry.append(ferry)
                self.ferry_s.append(np.nan if duration is None else duration)
                self.crossing.append(self.n_crossings if ferry else -1)


def build_graph(path: Path, options: BuildOptions | None = None) -> RoadGraph:
    """Read ``path`` (``.osm.pbf`` or ``.osm``) and return its drivable network.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InvalidInputError
        When the file holds no drivable road.
    """
    return build_graph_with_report(path, options)[0]


def read_restrictions(path: Path) -> list[RawRestriction]:
    """The car turn restrictions of an extract (a pass over its relations only)."""
    processor = osmium.FileProcessor(str(path), osmium.osm.RELATION).with_filter(
        osmium.filter.TagFilter(("type", "restriction"))
    )
    raws = []
    for rel in processor:
        if not isinstance(rel, osmium.osm.Relation):
            continue
        members = [(m.type, m.ref, m.role) for m in rel.members]
        raw = parse_restriction(rel.id, dict(rel.tags), members)
        if raw is not None:
            raws.append(raw)
    return raws


def build_graph_with_report(
    path: Path, options: BuildOptions | None = None
) -> tuple[RoadGraph, TurnReport]:
    """:func:`build_graph`, plus what became of the extract's turn restrictions."""
    options = options or BuildOptions()
    if not path.exists():
        raise NotFoundError(msg("no OSM file at {path}", path=path))
    raws = read_restrictions(path) if options.turn_restrictions else []
    wanted = {w for r in raws for w in (*r.from_ways, *r.to_ways)}
    collector = _Collector(wanted)
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway", "route"))
    )
    for way in processor:
        if isinstance(way, osmium.osm.Way):
            collector.add_way(way, dict(way.tags), ferries=options.ferries)
    if not collector.road_nodes:
        raise InvalidInputError(
            msg("{name} holds no drivable road (highway=residential, …)", name=path.name)
        )
    turns, report = resolve(raws, collector.chains, collector.node_index)
    collector.chains.clear()
    return _assemble(collector, options, turns, source=path.name), report


def _assemble(c: _Collector, options: BuildOptions, turns: list, *, source: str) -> RoadGraph:  # type: ignore[type-arg]
    xy = lonlat_to_metric(np.array(c.lon), np.array(c.lat))
    del c.lon[:], c.lat[:]
    tails = np.array(c.tails, dtype=np.int64)
    heads = np.array(c.heads, dtype=np.int64)
    metres = np.hypot(*(xy[heads] - xy[tails]).T)
    kmh = np.array(c.kmh)
    ferry = np.array(c.is_ferry, dtype=bool)
    seconds = metres / (np.nan_to_num(kmh, nan=FERRY_FALLBACK_KMH) / 3.6)
    wait = np.zeros(len(tails), dtype=bool)
    # A ferry crossing takes its published duration, shared over its segments by length; the
    # wait sits on its first segment. Edges of one crossing were appended in driving order.
    crossing = np.array(c.crossing, dtype=np.int64)
    ferry_s = np.array(c.ferry_s)
    on = np.flatnonzero(crossing >= 0)
    if len(on):
        ids, first = np.unique(crossing[on], return_index=True)
        k = np.searchsorted(ids, crossing[on])
        total = np.bincount(k, weights=metres[on], minlength=len(ids))
        duration = ferry_s[on[first]][k]
        timed = np.isfinite(duration)
        share = metres[on] / np.maximum(total[k], 1.0)
        seconds[on[timed]] = (duration * share)[timed]
        wait[on[first]] = True
    snappable = np.zeros(len(xy), dtype=bool)
    snappable[list(c.road_nodes)] = True
    extra = _join_terminals(c, xy, options.terminal_join_m, snappable)
    if extra:
        et, eh, em = (np.array(v) for v in zip(*extra, strict=True))
        tails = np.concatenate([tails, et])
        heads = np.concatenate([heads, eh])
        metres = np.concatenate([metres, em])
        seconds = np.concatenate([seconds, em / (TERMINAL_JOIN_KMH / 3.6)])
        ferry = np.concatenate([ferry, np.zeros(len(et), dtype=bool)])
        wait = np.concatenate([wait, np.zeros(len(et), dtype=bool)])
    split = split_nodes(len(xy), tails, heads, turns)
    e = split.source_edge
    return from_edges(
        xy[split.original],
        split.tails,
        split.heads,
        seconds[e],
        metres[e],
        ferry[e],
        wait[e],
        np.concatenate([snappable, np.zeros(split.n_nodes - len(xy), dtype=bool)]),
        source=source,
        ferry_wait_s=options.ferry_wait_s,
        original=split.original,
        turns=np.array([[t.u, t.via, t.w, t.only] for t in turns], dtype=np.int64).reshape(-1, 4),
    )


def _join_terminals(
    c: _Collector, xy: np.ndarray, join_m: float, snappable: np.ndarray
) -> list[tuple[int, int, float]]:
    """Short two-way edges from ferry terminals to the nearest road node; flags terminals."""
    road = np.array(sorted(c.road_nodes))
    tree = cKDTree(xy[road])
    extra: list[tuple[int, int, float]] = []
    for end in {e for pair in c.ferry_ends for e in pair}:
        snappable[end] = True
        if end in c.road_nodes:
            continue
        distance, k = tree.query(xy[end])
        if distance <= join_m:
            near = int(road[k])
            length = max(float(distance), 1.0)
            extra += [(end, near, length), (near, end, length)]
    return extra
