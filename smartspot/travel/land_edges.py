"""Edges of the fallback's land graph: what joins which node, and at what built-up share.

Helpers of :func:`smartspot.travel.land.build_land_graph`, kept apart so each module reads in
one sitting: the on-land test of candidate edges, town cores, main-road (trunk) edges, the
joins of towns and link berths to the grid, and the link edges across water.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from smartspot.geo.crs import lonlat_to_metric
from smartspot.travel.landmask import no_wide_water
from smartspot.travel.links import Link

if TYPE_CHECKING:
    from smartspot.travel.land import FallbackParams


@dataclass(frozen=True, slots=True)
class Towns:
    """Town points (EPSG:25832) and populations."""

    xy: NDArray[np.float64]
    population: NDArray[np.float64]


def _within(xy: NDArray[np.float64], window: tuple[float, ...]) -> NDArray[np.bool_]:
    x0, y0, x1, y1 = window
    return (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)


def _part_of(tree: shapely.STRtree, xy: NDArray[np.float64]) -> NDArray[np.int64]:
    result = np.full(len(xy), -1, dtype=np.int64)
    if len(xy):
        inputs, hits = tree.query(shapely.points(xy), predicate="within")
        result[inputs] = hits
    return result


def _onto_land(
    tree: shapely.STRtree,
    parts: Sequence[BaseGeometry],
    xy: NDArray[np.float64],
    max_m: float = 3_000.0,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Landmass of each point; points just off the coast are moved onto it (else -1)."""
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64), np.empty((0, 2))
    part = _part_of(tree, xy)
    moved = xy.copy()
    for i in np.flatnonzero(part < 0):
        point = shapely.Point(xy[i])
        near, _ = tree.query_nearest(point, max_distance=max_m, return_distance=True)
        if len(near):
            k = int(near[0])
            on_edge = shapely.shortest_line(point, parts[k]).coords[-1]
            part[i], moved[i] = k, on_edge
    return part, moved


def _link_ends(links: Sequence[Link], window: tuple[float, ...]) -> NDArray[np.float64]:
    if not links:
        return np.empty((0, 2))
    lon = np.array([c for link in links for c in (link.a[0], link.b[0])])
    lat = np.array([c for link in links for c in (link.a[1], link.b[1])])
    xy = lonlat_to_metric(lon, lat)
    return xy[_within(xy, window)]


def _check_segments(
    land: BaseGeometry,
    xy: NDArray[np.float64],
    pairs: NDArray[np.int64],
    towns: Towns,
    p: FallbackParams,
    *,
    wet_ends_m: float = 0.0,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Per pair: does the segment stay on land, and what share of it is built-up.

    Water within ``wet_ends_m`` of either end is allowed (a harbour town's point may sit on a
    generalised coastline), never in the middle of the segment.
    """
    a, b = xy[pairs[:, 0]], xy[pairs[:, 1]]
    length = np.hypot(*(b - a).T)
    count = np.maximum(np.ceil(length / p.sample_m).astype(np.int64), 1) + 1
    owner = np.repeat(np.arange(len(pairs)), count)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    frac = step / np.repeat(count - 1, count)
    sx = a[owner, 0] + frac * (b[owner, 0] - a[owner, 0])
    sy = a[owner, 1] + frac * (b[owner, 1] - a[owner, 1])
    wet = ~shapely.contains_xy(land, sx, sy)
    if wet_ends_m > 0:
        along = frac * length[owner]
        wet &= (along > wet_ends_m) & (length[owner] - along > wet_ends_m)
    on_land = no_wide_water(wet, owner, len(pairs), int(p.water_gap_m // p.sample_m))
    # built-up share from both ends and the middle (sampling every point costs seconds)
    mid = (a + b) / 2
    flags = [built_up(q[:, 0], q[:, 1], towns, p) for q in (a, mid, b)]
    share = (flags[0] + 2 * flags[1] + flags[2]) / 4
    return on_land, share


def town_cores(towns: Towns, p: FallbackParams) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centres and radii of the slow town cores: towns of at least
    ``p.town_core_min_population`` inhabitants (a village or a suburb has no core of its own;
    the main roads past it run at the rural speed, as the measured Aarhus routes do)."""
    keep = towns.population >= p.town_core_min_population
    radius = p.town_radius_m + p.town_radius_per_sqrt_pop_m * np.sqrt(towns.population[keep])
    return towns.xy[keep].reshape(-1, 2), radius


def built_up(
    x: NDArray[np.float64], y: NDArray[np.float64], towns: Towns, p: FallbackParams
) -> NDArray[np.float64]:
    """1.0 where a point lies within a town's core (see :func:`town_cores`)."""
    xy, radius = town_cores(towns, p)
    if len(xy) == 0 or len(x) == 0:
        return np.zeros(len(x))
    distance, index = cKDTree(xy).query(np.column_stack([x, y]), k=min(4, len(xy)))
    distance = distance.reshape(len(x), -1)
    index = index.reshape(len(x), -1)
    return (distance < radius[index]).any(axis=1).astype(np.float64)


def _trunk_pairs(
    land: BaseGeometry,
    xy: NDArray[np.float64],
    part: NDArray[np.int64],
    first_town: int,
    population: NDArray[np.float64],
    p: FallbackParams,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Direct town-to-town edges between the bigger towns, where the line stays on land."""
    big = first_town + np.flatnonzero(population >= p.trunk_min_population)
    if len(big) < 2 or p.trunk_max_m == 0:
        return np.empty((0, 2), dtype=np.int64), np.empty(0)
    local = cKDTree(xy[big]).query_pairs(p.trunk_max_m, output_type="ndarray")
    pairs = big[local]
    pairs = pairs[part[pairs[:, 0]] == part[pairs[:, 1]]]
    no_towns = Towns(np.empty((0, 2)), np.empty(0))
    on_land, _ = _check_segments(land, xy, pairs, no_towns, p, wet_ends_m=2_000.0)
    pairs = pairs[on_land]
    return pairs, np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)


def _trunk_around(
    xy: NDArray[np.float64],
    pairs: NDArray[np.int64],
    metres: NDArray[np.float64],
    big: NDArray[np.int64],
    straight: NDArray[np.int64],
    p: FallbackParams,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Main-road edges between big towns whose straight line crosses water: the length of the
    shortest land path (grid edges and bridges, no ferries), which already bends round the
    fjord as the road does. Thisted–Struer over Oddesundbroen is the case in point."""
    if len(big) < 2 or p.trunk_max_m == 0:
        return np.empty((0, 2), dtype=np.int64), np.empty(0)
    n = len(xy)
    graph = sp.csr_matrix((metres, (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    dist = dijkstra(graph, directed=True, indices=big, limit=1.5 * p.trunk_max_m)
    done = {(int(a), int(b)) for a, b in straight} | {(int(b), int(a)) for a, b in straight}
    out: list[tuple[int, int]] = []
    length: list[float] = []
    for i, j in cKDTree(xy[big]).query_pairs(p.trunk_max_m, output_type="ndarray"):
        a, b = int(big[i]), int(big[j])
        if (a, b) not in done and np.isfinite(dist[i, b]):
            out.append((a, b))
            length.append(float(dist[i, b]))
    return np.array(out, dtype=np.int64).reshape(-1, 2), np.array(length)


def _anchor_pairs(
    land: BaseGeometry,
    xy: NDArray[np.float64],
    part: NDArray[np.int64],
    n_grid: int,
    p: FallbackParams,
) -> NDArray[np.int64]:
    """Join each anchor (town, link end) to its 3 nearest grid nodes on its landmass.

    The segment must stay on land beyond one sample from the anchor (an anchor off the coast
    was moved onto the outline, where the test point itself may read as water), so a harbour
    town or a ferry berth is never joined across a sound. An anchor on a spit narrower than the grid looks farther
    out (its 24 nearest grid nodes); only when none of those is reachable on land is it joined
    to the nearest one as before.
    """
    anchors = np.arange(n_grid, len(xy))
    if len(anchors) == 0 or n_grid == 0:
        return np.empty((0, 2), dtype=np.int64)
    k = min(24, n_grid)
    distance, index = cKDTree(xy[:n_grid]).query(xy[anchors], k=k)
    distance, index = distance.reshape(len(anchors), k), index.reshape(len(anchors), k)
    cand = np.column_stack([np.repeat(anchors, k), index.ravel()]).astype(np.int64)
    same = part[cand[:, 0]] == part[cand[:, 1]]
    slack = np.full(len(cand), p.sample_m)
    ok = np.zeros(len(cand), dtype=bool)
    ok[same] = _on_land_from(land, xy, cand[same], slack[same], p.sample_m)
    pairs: list[NDArray[np.int64]] = []
    for r in range(len(anchors)):
        rows = slice(r * k, (r + 1) * k)
        good = np.flatnonzero(ok[rows])
        near = good[distance[r, good] <= p.reach * p.grid_m][:3]
        if len(near) == 0:
            near = good[:1]  # a spit: the nearest grid node reachable on land
        if len(near) == 0:
            near = np.flatnonzero(same[rows])[:1]  # nothing on land: the nearest, as before
        pairs.append(cand[rows][near])
    return np.vstack(pairs) if pairs else np.empty((0, 2), dtype=np.int64)


def _spit_chains(
    xy: NDArray[np.float64],
    part: NDArray[np.int64],
    pairs: NDArray[np.int64],
    p: FallbackParams,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Nodes every half grid step along anchor edges longer than the grid's reach.

    A ferry berth or bridge end at the tip of a spit narrower than the grid (Oddesund's two
    ends) is joined to a grid node kilometres away; without nodes in between, a point on the
    spit would have to drive to that far node and back.
    """
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    long = np.flatnonzero(length > p.reach * p.grid_m)
    if len(long) == 0:
        return xy, part, pairs
    new_xy: list[NDArray[np.float64]] = []
    new_part: list[int] = []
    chains: list[tuple[int, int]] = []
    next_id = len(xy)
    for k in long:
        a, b = int(pairs[k, 0]), int(pairs[k, 1])
        steps = int(np.ceil(length[k] / (p.grid_m / 2)))
        ids = [a]
        for f in np.arange(1, steps) / steps:
            new_xy.append(xy[a] + f * (xy[b] - xy[a]))
            new_part.append(int(part[a]))
            ids.append(next_id)
            next_id += 1
        ids.append(b)
        chains += list(itertools.pairwise(ids))
    keep = np.ones(len(pairs), dtype=bool)
    keep[long] = False
    return (
        np.vstack([xy, np.array(new_xy)]),
        np.concatenate([part, np.array(new_part, dtype=np.int64)]),
        np.vstack([pairs[keep], np.array(chains, dtype=np.int64)]),
    )


def _on_land_from(
    land: BaseGeometry,
    xy: NDArray[np.float64],
    pairs: NDArray[np.int64],
    wet_start_m: NDArray[np.float64],
    sample_m: float,
) -> NDArray[np.bool_]:
    """Per pair: does the segment stay on land beyond ``wet_start_m`` from its first node."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    a, b = xy[pairs[:, 0]], xy[pairs[:, 1]]
    length = np.hypot(*(b - a).T)
    count = np.maximum(np.ceil(length / sample_m).astype(np.int64), 1) + 1
    owner = np.repeat(np.arange(len(pairs)), count)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    frac = step / np.repeat(count - 1, count)
    sx = a[owner, 0] + frac * (b[owner, 0] - a[owner, 0])
    sy = a[owner, 1] + frac * (b[owner, 1] - a[owner, 1])
    wet = ~shapely.contains_xy(land, sx, sy) & (frac * length[owner] > wet_start_m[owner])
    return np.bincount(owner, weights=wet, minlength=len(pairs)) == 0


def _link_edges(
    links: Sequence[Link],
    window: tuple[float, ...],
    tree: shapely.STRtree,
    parts: Sequence[BaseGeometry],
    xy: NDArray[np.float64],
) -> tuple[np.ndarray, ...]:
    node_of = cKDTree(xy)
    tails, heads, seconds, metres, ferry, which = [], [], [], [], [], []
    for k, link in enumerate(links):
        ends = lonlat_to_metric(np.array([link.a[0], link.b[0]]), np.array([link.a[1], link.b[1]]))
        if not _within(ends, window).all():
            continue
        _, moved = _onto_land(tree, parts, ends)
        _, (i, j) = node_of.query(moved)
        length = float(np.hypot(*(ends[0] - ends[1])))
        for direction, (u, v) in enumerate(((i, j), (j, i))):
            which.append(2 * k + direction)
            tails.append(int(u))
            heads.append(int(v))
            seconds.append(link.crossing_s)
            metres.append(max(length, 1.0))
            ferry.append(link.is_ferry)
    return (
        np.array(tails, dtype=np.int64),
        np.array(heads, dtype=np.int64),
        np.array(seconds, dtype=np.float64),
        np.array(metres, dtype=np.float64),
        np.array(ferry, dtype=bool),
        np.array(which, dtype=np.int64),
    )
