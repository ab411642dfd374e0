"""The land graph behind the fallback model: where no OSM road network is loaded.

Nodes are a square grid over land (the DAGI kommune polygons, merged into landmasses), the
GeoNames towns and the end points of fixed links and ferries. Two nodes are joined when they
are close (within ``reach`` grid steps) *and* the straight segment between them stays on land,
checked at ``sample_m`` intervals; so the graph bends round fjords and never crosses the sea.
Water is crossed only over the links of ``data/fixed_links.csv``. An edge's time is its length
× ``circuity`` at the urban speed for the share of it inside a town's built-up radius and the
rural speed elsewhere. The numbers are calibrated in ``benchmarks/calibrate_fallback.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.i18n import msg
from smartspot.travel.graph import RoadGraph, from_edges
from smartspot.travel.land_edges import (
    Towns,
    _anchor_pairs,
    _check_segments,
    _link_edges,
    _link_ends,
    _onto_land,
    _part_of,
    _spit_chains,
    _trunk_around,
    _trunk_pairs,
    _within,
    built_up,
)
from smartspot.travel.landmask import LandMask, rasterise
from smartspot.travel.links import Link

MIN_LANDMASS_M2 = 100_000.0  # smaller islets have no road worth modelling
SLIVER_M = 2.0  # spikes of the outline narrower than twice this are dropped


@dataclass(frozen=True, slots=True)
class FallbackParams:
    """Calibrated constants of the fallback model (see ``benchmarks/RESULTS.md``).

    Parameters
    ----------
    circuity
        Road length over the length of the land graph's path (or the straight line of a direct
        short trip). The grid's own path is already a few per cent longer than the straight
        line and bends round water, so this is below the 1.21 median road/straight ratio on
        Samsø's OSM roads; 1.15 is calibrated against the measured Aarhus routes and the town
        pairs (``benchmarks/calibrate_fallback.py``).
    rural_kmh, urban_kmh
        Average driving speed along the road outside and inside a town's core. The core is
        small (town streets to and from the centre, 25 km/h), so arterial and ring roads
        through a city's outer parts run at the rural speed, as the measured Aarhus routes do.
    town_radius_m, town_radius_per_sqrt_pop_m, town_core_min_population
        Core radius of a GeoNames town of at least ``town_core_min_population`` inhabitants:
        ``town_radius_m + k * sqrt(population)`` (Aarhus 2.97 km, Holstebro 1.25 km). Smaller
        towns (villages, and the suburbs GeoNames lists apart, such as Tilst or Viby) have no
        slow core: the motorways and ring roads that pass them are driven at the rural speed
        (calibrated on a training half of the measured Aarhus routes, see ``benchmarks/RESULTS.md``).
    trunk_kmh, trunk_circuity, trunk_town_s, trunk_min_population, trunk_max_m
        The main-road network between towns: towns of at least ``trunk_min_population`` are
        joined directly when less than ``trunk_max_m`` apart and the line stays on land
        (water is allowed within 2 km of a harbour town's point), at ``trunk_kmh`` over
        ``trunk_circuity`` × the distance plus ``trunk_town_s`` to get out of each of the two
        towns. Without it long trips, which use motorways and main roads, come out too slow.
    grid_m
        Spacing of the land grid.
    reach
        Join nodes up to ``reach * grid_m`` apart (2.3 gives the 16 nearest grid neighbours).
    sample_m
        Spacing of the on-land test along a candidate edge; narrower water is not seen.
    water_gap_m
        An edge may cross water this narrow (``water_gap_m // sample_m`` consecutive wet
        samples): slivers and lagoons of the 1:500 000 outline that cut necks such as
        Thyholm's. Every crossing with a link is wider (252 m and more).
    margin_m
        Land beyond the district's outline that the graph still covers.
    direct_max_m
        Two points closer than this whose straight line stays on land (the land raster) are
        also timed directly: the line × ``circuity`` at the urban/rural speed of its ends and
        middle, without the detour to grid nodes; the faster of that and the graph counts.
    direct_fast_from_m
        Outside the cores a direct trip longer than this is driven faster, rising linearly from
        ``rural_kmh`` here to the main roads' ``trunk_kmh`` at ``direct_max_m``
        (:func:`direct_kmh`): the longer a trip, the more of it runs on ring roads, motorways
        and main roads. Chosen on the training half of the measured Aarhus routes
        (``benchmarks/RESULTS.md``); ``direct_max_m`` or more switches it off.
    """

    circuity: float = 1.15
    rural_kmh: float = 85.0
    urban_kmh: float = 25.0
    town_radius_m: float = 300.0
    town_radius_per_sqrt_pop_m: float = 5.0
    town_core_min_population: float = 10_000.0
    trunk_kmh: float = 107.0
    trunk_circuity: float = 1.15
    trunk_town_s: float = 405.0
    trunk_min_population: float = 10_000.0
    trunk_max_m: float = 120_000.0
    grid_m: float = 1_000.0
    reach: float = 2.3
    sample_m: float = 100.0
    water_gap_m: float = 150.0
    margin_m: float = 25_000.0
    direct_max_m: float = 10_000.0
    direct_fast_from_m: float = 1_500.0

    def __post_init__(self) -> None:
        checks = (
            (1.0 <= self.circuity <= 3.0, msg("circuity must be between 1 and 3")),
            (10 <= self.rural_kmh <= 130, msg("rural_kmh must be between 10 and 130")),
            (5 <= self.urban_kmh <= self.rural_kmh, msg("urban_kmh must be 5..rural_kmh")),
            (0 <= self.town_radius_m <= 10_000, msg("town_radius_m must be 0..10000")),
            (0 <= self.town_radius_per_sqrt_pop_m <= 100, msg("town radius factor must be 0..100")),
            (self.town_core_min_population >= 0, msg("town_core_min_population must be >= 0")),
            (10 <= self.trunk_kmh <= 130, msg("trunk_kmh must be between 10 and 130")),
            (1.0 <= self.trunk_circuity <= 3.0, msg("trunk_circuity must be between 1 and 3")),
            (0 <= self.trunk_town_s <= 3_600, msg("trunk_town_s must be 0..3600")),
            (self.trunk_min_population >= 0, msg("trunk_min_population must not be negative")),
            (0 <= self.trunk_max_m <= 300_000, msg("trunk_max_m must be 0..300000")),
            (200 <= self.grid_m <= 10_000, msg("grid_m must be 200..10000")),
            (1.5 <= self.reach <= 4, msg("reach must be 1.5..4 grid steps")),
            (10 <= self.sample_m <= self.grid_m / 2, msg("sample_m must be 10..grid_m/2")),
            (0 <= self.water_gap_m < 250, msg("water_gap_m must be 0..250 (links cross 252 m)")),
            (0 <= self.margin_m <= 200_000, msg("margin_m must be 0..200000")),
            (0 <= self.direct_max_m <= 50_000, msg("direct_max_m must be 0..50000")),
            (self.direct_fast_from_m >= 0, msg("direct_fast_from_m must not be negative")),
        )
        for ok, message in checks:
            if not ok:
                raise InvalidInputError(message)


@dataclass(frozen=True, slots=True, eq=False)
class LandGraph:
    """A land graph and, per node, the landmass (index into ``parts``) it lies on.

    ``mask`` is the land raster for direct short trips, ``towns`` the built-up places (for
    their speeds), and ``crossings`` one row per directed link edge: ``(tail node, head node,
    index into link_ids, 0 when it leaves the link's end a else 1)`` — how a ferry edge finds
    its timetable.
    """

    graph: RoadGraph
    landmass: NDArray[np.int64]
    parts: tuple[BaseGeometry, ...]
    params: FallbackParams
    mask: LandMask
    towns: Towns
    crossings: NDArray[np.int64]
    link_ids: tuple[str, ...]


def direct_kmh(metres: NDArray[np.float64], p: FallbackParams) -> NDArray[np.float64]:
    """Speed outside the town cores of a direct trip ``metres`` long (straight line): the
    rural speed up to ``direct_fast_from_m``, then rising linearly to the main roads' speed at
    ``direct_max_m`` (a longer trip runs more of its way on ring roads and main roads)."""
    span = p.direct_max_m - p.direct_fast_from_m
    if span <= 0:
        return np.full(np.shape(metres), p.rural_kmh)
    rise = np.clip((np.asarray(metres) - p.direct_fast_from_m) / span, 0.0, 1.0)
    return p.rural_kmh + rise * max(p.trunk_kmh - p.rural_kmh, 0.0)


def _window(area: BaseGeometry | None, links: Sequence[Link], margin: float) -> tuple[float, ...]:
    if area is None:
        return (-math.inf, -math.inf, math.inf, math.inf)
    x0, y0, x1, y1 = area.bounds
    x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
    for link in links:  # a link leaving the window pulls its far shore in
        ends = lonlat_to_metric(np.array([link.a[0], link.b[0]]), np.array([link.a[1], link.b[1]]))
        inside = (ends[:, 0] >= x0) & (ends[:, 0] <= x1) & (ends[:, 1] >= y0) & (ends[:, 1] <= y1)
        if inside.any():
            x0, y0 = min(x0, ends[:, 0].min() - 5_000), min(y0, ends[:, 1].min() - 5_000)
            x1, y1 = max(x1, ends[:, 0].max() + 5_000), max(y1, ends[:, 1].max() + 5_000)
    return (x0, y0, x1, y1)


def landmasses(polygons: Sequence[BaseGeometry], window: tuple[float, ...]) -> list[BaseGeometry]:
    """Merge polygons into connected landmasses inside ``window`` (largest first).

    The union is opened by ``SLIVER_M`` (shrunk, then grown back): kommune outlines that meet
    along a sound's midline leave zero-width spikes out in the water, which would otherwise
    catch a ferry berth or harbour town moved "onto the coast" in mid-sound.
    """
    land = shapely.union_all(np.array(polygons, dtype=object))
    if all(math.isfinite(v) for v in window):
        land = shapely.clip_by_rect(land, *window)
    land = shapely.buffer(shapely.buffer(land, -SLIVER_M), SLIVER_M)
    parts = [p for p in shapely.get_parts(land) if p.area >= MIN_LANDMASS_M2]
    return sorted(parts, key=lambda p: -p.area)


def build_land_graph(
    polygons: Sequence[BaseGeometry],
    towns: Towns,
    links: Sequence[Link],
    *,
    area: BaseGeometry | None = None,
    params: FallbackParams | None = None,
) -> LandGraph:
    """Build the fallback graph over the land near ``area`` (everywhere when ``None``)."""
    p = params or FallbackParams()
    window = _window(area, links, p.margin_m)
    parts = landmasses(polygons, window)
    if not parts:
        raise InvalidInputError(msg("no land inside the area asked for"))
    tree = shapely.STRtree(np.array(parts, dtype=object))
    land = shapely.union_all(np.array(parts, dtype=object))
    shapely.prepare(land)

    # 1. grid nodes on land, then one node for any landmass the grid missed
    x0, y0, x1, y1 = land.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, p.grid_m), np.arange(y0, y1, p.grid_m))
    inside = shapely.contains_xy(land, gx.ravel(), gy.ravel())
    nodes = [np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])]
    anchors: list[NDArray[np.float64]] = []
    node_part = [_part_of(tree, nodes[0])]
    missed = sorted(set(range(len(parts))) - set(node_part[0].tolist()))
    for k in missed:
        point = parts[k].representative_point()
        nodes.append(np.array([[point.x, point.y]]))
        node_part.append(np.array([k]))

    # 2. towns and link end points, moved onto their landmass when just off the coast
    in_window = _within(towns.xy, window)
    first_town = sum(len(n) for n in nodes)
    town_part, town_xy = _onto_land(tree, parts, towns.xy[in_window])
    town_population = towns.population[in_window][town_part >= 0]
    link_part, link_xy = _onto_land(tree, parts, _link_ends(links, window))
    for part_ids, moved in ((town_part, town_xy), (link_part, link_xy)):
        keep = part_ids >= 0
        anchors.append(moved[keep])
        nodes.append(moved[keep])
        node_part.append(part_ids[keep])
    xy_all = np.vstack(nodes)
    part = np.concatenate(node_part).astype(np.int64)
    n_grid = len(xy_all) - sum(len(a) for a in anchors)

    # 3. candidate edges between near nodes of one landmass, kept where they stay on land
    pairs = cKDTree(xy_all).query_pairs(p.reach * p.grid_m, output_type="ndarray")
    pairs = pairs[part[pairs[:, 0]] == part[pairs[:, 1]]]
    on_land, urban_share = _check_segments(land, xy_all, pairs, towns, p)
    # anchors sit on the generalised coastline: always join them to their nearest grid nodes
    anchor_pairs = _anchor_pairs(land, xy_all, part, n_grid, p)
    xy_all, part, anchor_pairs = _spit_chains(xy_all, part, anchor_pairs, p)
    keep_pairs = np.vstack([pairs[on_land], anchor_pairs])
    ends = [xy_all[anchor_pairs[:, 0]], xy_all[anchor_pairs[:, 1]]]
    ends.insert(1, (ends[0] + ends[1]) / 2)
    flags = [built_up(q[:, 0], q[:, 1], towns, p) for q in ends]
    anchor_share = (flags[0] + 2 * flags[1] + flags[2]) / 4
    shares = np.concatenate([urban_share[on_land], anchor_share])
    metres = np.hypot(*(xy_all[keep_pairs[:, 0]] - xy_all[keep_pairs[:, 1]]).T)
    per_m = p.circuity * (shares / (p.urban_kmh / 3.6) + (1 - shares) / (p.rural_kmh / 3.6))
    seconds = metres * per_m
    # 4. links: the only edges across water
    link_t, link_h, link_s, link_m, link_f, link_k = _link_edges(links, window, tree, parts, xy_all)

    # 5. main roads between the bigger towns: straight where the line stays on land, else
    # along the land graph (over bridges, round fjords) as the main road runs
    trunk_pairs, trunk_metres = _trunk_pairs(land, xy_all, part, first_town, town_population, p)
    bridges = ~link_f
    around_pairs, around_metres = _trunk_around(
        xy_all,
        np.vstack([keep_pairs, keep_pairs[:, ::-1], np.column_stack([link_t, link_h])[bridges]]),
        np.concatenate([metres, metres, link_m[bridges]]),
        first_town + np.flatnonzero(town_population >= p.trunk_min_population),
        trunk_pairs,
        p,
    )
    keep_pairs = np.vstack([keep_pairs, trunk_pairs, around_pairs])
    trunk_road_m = np.concatenate([trunk_metres * p.trunk_circuity, around_metres])
    trunk_s = 2 * p.trunk_town_s + trunk_road_m / (p.trunk_kmh / 3.6)
    seconds = np.concatenate([seconds, trunk_s])
    metres = np.concatenate([metres * p.circuity, trunk_road_m])
    tails = np.concatenate([keep_pairs[:, 0], keep_pairs[:, 1], link_t])
    heads = np.concatenate([keep_pairs[:, 1], keep_pairs[:, 0], link_h])
    road_metres = metres
    graph = from_edges(
        xy_all,
        tails,
        heads,
        np.concatenate([seconds, seconds, link_s]),
        np.concatenate([road_metres, road_metres, link_m]),
        np.concatenate([np.zeros(2 * len(seconds), dtype=bool), link_f]),
        np.concatenate([np.zeros(2 * len(seconds), dtype=bool), link_f]),
        np.ones(len(xy_all), dtype=bool),
        source="fallback land graph (DAGI land, GeoNames towns, data/fixed_links.csv)",
    )
    crossings = np.column_stack([link_t, link_h, link_k // 2, link_k % 2]).astype(np.int64)
    return LandGraph(
        graph=graph,
        landmass=part,
        parts=tuple(parts),
        params=p,
        mask=rasterise(land),
        towns=Towns(towns.xy[in_window], towns.population[in_window]),
        crossings=crossings.reshape(-1, 4),
        link_ids=tuple(link.id for link in links),
    )


def save_land_graph(land: LandGraph, path: Path, *, key: str) -> None:
    """Write a land graph to ``path`` (``.npz``), tagged with the ``key`` it was built for."""
    g = land.graph
    wkb = [shapely.to_wkb(part) for part in land.parts]
    offsets = np.cumsum([0, *(len(w) for w in wkb)])
    np.savez_compressed(
        path,
        key=np.str_(key),
        xy=g.xy,
        indptr=g.indptr,
        heads=g.heads,
        seconds=g.seconds,
        metres=g.metres,
        ferry=g.ferry,
        wait=g.wait,
        landmass=land.landmass,
        parts=np.frombuffer(b"".join(wkb), dtype=np.uint8),
        part_offsets=offsets,
        mask=np.packbits(land.mask.land),
        mask_shape=np.array(land.mask.land.shape),
        mask_origin=np.array([land.mask.x0, land.mask.y0, land.mask.cell]),
        town_xy=land.towns.xy,
        town_population=land.towns.population,
        crossings=land.crossings,
        link_ids=np.array(land.link_ids, dtype=np.str_),
    )


def load_land_graph(path: Path, *, key: str, params: FallbackParams) -> LandGraph | None:
    """The land graph saved at ``path``, or ``None`` when absent, unreadable or built for
    another ``key`` (other data files or constants)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return None
            raw = data["parts"].tobytes()
            offsets = data["part_offsets"]
            parts = tuple(
                shapely.from_wkb(raw[offsets[i] : offsets[i + 1]]) for i in range(len(offsets) - 1)
            )
            graph = RoadGraph(
                xy=data["xy"],
                indptr=data["indptr"],
                heads=data["heads"],
                seconds=data["seconds"],
                metres=data["metres"],
                ferry=data["ferry"],
                wait=data["wait"],
                snappable=np.ones(len(data["xy"]), dtype=bool),
                source="fallback land graph (cached)",
            )
            shape = tuple(int(v) for v in data["mask_shape"])
            raster = np.unpackbits(data["mask"], count=shape[0] * shape[1]).reshape(shape)
            x0, y0, cell = (float(v) for v in data["mask_origin"])
            return LandGraph(
                graph=graph,
                landmass=data["landmass"],
                parts=parts,
                params=params,
                mask=LandMask(x0=x0, y0=y0, cell=cell, land=raster.astype(bool)),
                towns=Towns(data["town_xy"], data["town_population"]),
                crossings=data["crossings"].reshape(-1, 4),
                link_ids=tuple(str(v) for v in data["link_ids"]),
            )
    except (OSError, KeyError, ValueError):
        return None
