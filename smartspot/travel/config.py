"""Choosing the travel model per district: configuration, not code.

A district with a built road graph of its own (``<roads_dir>/<district-slug>.npz``, e.g. from
the Geofabrik Denmark extract, see the README) gets the road model. Otherwise the fallback land
model answers, with the small real OSM graphs laid over it where present: islands (Samsø,
Anholt, Tunø) for trips on them, and area graphs of part of the mainland (Aarhus C) inside
their area, joined to the fallback at their edge.
Nothing here reads the environment: the caller passes the folders.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import cached_regions
from smartspot.i18n import msg
from smartspot.resources import DATA_DIR
from smartspot.travel.composite import CompositeTravelTimes
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.ferries import load_timetables
from smartspot.travel.graph import RoadGraph
from smartspot.travel.land import (
    FallbackParams,
    LandGraph,
    Towns,
    build_land_graph,
    load_land_graph,
    save_land_graph,
)
from smartspot.travel.links import load_links
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import Leg
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.road_ferries import TimedFerries, timed_ferries

#: Where ``smartspot roads build --out NAME`` writes and the factory looks.
ROADS_DIR = DATA_DIR / "roads"

#: Real OSM graphs of islands inside a district, laid over the fallback (names in roads_dir).
ISLAND_GRAPHS: dict[str, tuple[str, ...]] = {
    "Østjyllands Politi": ("samsoe", "anholt", "tunoe"),
}

#: Real OSM graphs of parts of a district's mainland, joined to the fallback at their edges.
AREA_GRAPHS: dict[str, tuple[str, ...]] = {
    "Østjyllands Politi": ("aarhus_c_marselis",),
}

#: The cut-off a district gets by itself on a road graph that reaches far beyond it (a national
#: graph): the longest trip the shipped planning policies plan, an idle car's whole round trip
#: (``idle_budget_min = 60``; a homebound car's detour budget is 30 min, the coverage guard 20,
#: outlying 12). Trees then stay inside about an hour of the car instead of spanning the country
#: (a freed car 15 ms of CPU instead of 143 ms, ``benchmarks/RESULTS.md``). A car more than an
#: hour from its home station gets no proposal (``no_road_home``); set ``limit_s`` to change it.
NATIONAL_LIMIT_S = 3_600.0
#: A graph reaching this far beyond the district's bounding box on any side counts as national.
NATIONAL_MARGIN_M = 50_000.0


def auto_limit_s(
    graph_bounds: tuple[float, float, float, float],
    district_bounds: tuple[float, float, float, float],
) -> float:
    """:data:`NATIONAL_LIMIT_S` when the graph (``minx, miny, maxx, maxy``, EPSG:25832) reaches
    more than :data:`NATIONAL_MARGIN_M` beyond the district's bounds on any side, else ``inf``
    (a district's own graph, with its margin, answers uncut)."""
    gx0, gy0, gx1, gy1 = graph_bounds
    dx0, dy0, dx1, dy1 = district_bounds
    beyond = max(dx0 - gx0, dy0 - gy0, gx1 - dx1, gy1 - dy1)
    return NATIONAL_LIMIT_S if beyond > NATIONAL_MARGIN_M else float("inf")


AnyTravelTimes = RoadTravelTimes | CompositeTravelTimes


def district_slug(district: str) -> str:
    """File-name form of a politikreds name: ``Østjyllands Politi`` → ``oestjyllands-politi``."""
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-"})
    return district.lower().translate(table)


@dataclass(frozen=True, slots=True)
class TravelModelConfig:
    """Which travel model a district uses.

    Parameters
    ----------
    district
        Politikreds name, e.g. ``"Midt- og Vestjyllands Politi"``.
    road_graph
        A road graph covering the whole district: when set, the road model answers alone.
    island_graphs
        Road graphs of small areas laid over the fallback (ignored when ``road_graph`` is set).
    area_graphs
        Road graphs of parts of the mainland: used inside their outline and joined to the
        fallback at their edge (ignored when ``road_graph`` is set).
    options
        Ferries, wait, snapping, cut-off, cache.
    fallback
        Calibrated constants of the fallback.
    data_dir
        Where the DAGI polygons, GeoNames towns and ``fixed_links.csv`` are.
    cache_dir
        Where built fallback graphs are kept between runs (a few seconds saved per process);
        ``None``: build in memory every time.
    auto_limit
        On a ``road_graph`` reaching far beyond the district (a national graph) and with no
        cut-off in ``options``, cut trees at :data:`NATIONAL_LIMIT_S` (:func:`auto_limit_s`).
    """

    district: str
    road_graph: Path | None = None
    island_graphs: tuple[Path, ...] = ()
    area_graphs: tuple[Path, ...] = ()
    options: TravelOptions = field(default_factory=TravelOptions)
    fallback: FallbackParams = field(default_factory=FallbackParams)
    data_dir: Path = DATA_DIR
    cache_dir: Path | None = None
    auto_limit: bool = True

    def __post_init__(self) -> None:
        if not self.district.strip():
            raise InvalidInputError(msg("a travel model needs a district (politikreds) name"))

    @property
    def model(self) -> str:
        return "road" if self.road_graph is not None else "fallback"


def district_config(
    district: str | None,
    origin_xy: NDArray[np.float64] | None = None,
    *,
    options: TravelOptions | None = None,
    roads_dir: Path = ROADS_DIR,
    data_dir: Path = DATA_DIR,
    cache_dir: Path | None = None,
) -> TravelModelConfig:
    """The configuration the files on disk imply for ``district``.

    ``district=None`` takes the politikreds that ``origin_xy`` (EPSG:25832) lies in.

    Raises
    ------
    NotFoundError
        When the district name is unknown.
    """
    regions = cached_regions(data_dir)
    if district is None:
        if origin_xy is None:
            raise InvalidInputError(msg("give a district or a point to find it from"))
        from shapely.geometry import Point

        district = regions.locate(Point(origin_xy)).kommune.politikreds
    regions.kommuner_in(district)  # raises NotFoundError for an unknown name
    full = roads_dir / f"{district_slug(district)}.npz"

    def present(names: tuple[str, ...]) -> tuple[Path, ...]:
        return tuple(roads_dir / f"{n}.npz" for n in names if (roads_dir / f"{n}.npz").exists())

    return TravelModelConfig(
        district=district,
        road_graph=full if full.exists() else None,
        island_graphs=present(ISLAND_GRAPHS.get(district, ())),
        area_graphs=present(AREA_GRAPHS.get(district, ())),
        options=options or TravelOptions(),
        data_dir=data_dir,
        cache_dir=cache_dir,
    )


def load_towns(data_dir: Path) -> Towns:
    """GeoNames towns (``dk_places_geonames.csv``) as EPSG:25832 points with population."""
    with (data_dir / "dk_places_geonames.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    xy = lonlat_to_metric(
        np.array([float(r["longitude"]) for r in rows]),
        np.array([float(r["latitude"]) for r in rows]),
    )
    return Towns(xy=xy, population=np.array([float(r["population"]) for r in rows]))


LAND_CACHE_VERSION = 1
_LAND_INPUTS = ("dk_kommuner.geojson", "dk_places_geonames.csv", "fixed_links.csv")


def _land_key(district: str, params: FallbackParams, data_dir: Path) -> str:
    """What a cached land graph depends on: format, district, constants, input files."""
    stamp = [
        f"{n}:{(data_dir / n).stat().st_size}:{(data_dir / n).stat().st_mtime_ns}"
        for n in _LAND_INPUTS
    ]
    text = "|".join([str(LAND_CACHE_VERSION), district, repr(params), *stamp])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@lru_cache(maxsize=8)
def land_graph(
    district: str,
    params: FallbackParams,
    data_dir: Path = DATA_DIR,
    cache_dir: Path | None = None,
) -> LandGraph:
    """The fallback graph of a district, built once per process (a few seconds), or read from
    ``cache_dir`` when a graph built from the same data and constants is there."""
    regions = cached_regions(data_dir)
    if district not in regions.district_polygons:
        raise InvalidInputError(msg("unknown politikreds {district!r}", district=district))
    if cache_dir is not None:
        key = _land_key(district, params, data_dir)
        path = cache_dir / f"fallback-{district_slug(district)}.npz"
        cached = load_land_graph(path, key=key, params=params)
        if cached is not None:
            return cached
        land = _build_land(district, params, data_dir)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
            save_land_graph(land, partial, key=key)
            partial.replace(path)  # atomic: parallel workers never read half a file
        except OSError:
            pass  # a read-only cache only costs the rebuild next time
        return land
    return _build_land(district, params, data_dir)


def _build_land(district: str, params: FallbackParams, data_dir: Path) -> LandGraph:
    regions = cached_regions(data_dir)
    return build_land_graph(
        list(regions.polygons),
        load_towns(data_dir),
        load_links(data_dir / "fixed_links.csv"),
        area=regions.district_polygons[district],
        params=params,
    )


@lru_cache(maxsize=16)
def _road_graph(path: Path) -> RoadGraph:
    return RoadGraph.load(path)


@lru_cache(maxsize=16)
def _timed_ferries(path: Path, data_dir: Path) -> TimedFerries | None:
    """The graph's OSM ferries matched to the timetables in ``data_dir`` (once per process)."""
    table = data_dir / "ferry_timetables.csv"
    if not table.exists():
        return None
    links = load_links(data_dir / "fixed_links.csv")
    return timed_ferries(_road_graph(path), links, load_timetables(table))


def _road(path: Path, options: TravelOptions, data_dir: Path) -> RoadTravelTimes:
    return RoadTravelTimes(_road_graph(path), options, ferries=_timed_ferries(path, data_dir))


def road_options(config: TravelModelConfig) -> TravelOptions:
    """The options the district's road graph answers with: the configured ones, plus the
    automatic cut-off on a national graph (see :attr:`TravelModelConfig.auto_limit`)."""
    options = config.options
    if config.road_graph is None or not config.auto_limit or np.isfinite(options.limit_s):
        return options
    district = cached_regions(config.data_dir).district_polygons[config.district].bounds
    limit = auto_limit_s(_graph_bounds(config.road_graph), district)
    return replace(options, limit_s=limit) if np.isfinite(limit) else options


@lru_cache(maxsize=16)
def _graph_bounds(path: Path) -> tuple[float, float, float, float]:
    xy = _road_graph(path).xy
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def travel_times(config: TravelModelConfig) -> AnyTravelTimes:
    """The TravelTimes adapter ``config`` asks for (graphs are loaded once per process)."""
    if config.road_graph is not None:
        return _road(config.road_graph, road_options(config), config.data_dir)
    land = land_graph(config.district, config.fallback, config.data_dir, config.cache_dir)
    fallback = LandTravelTimes(land, config.options)
    roads = tuple(_road(p, config.options, config.data_dir) for p in config.island_graphs)
    areas = tuple(_road(p, config.options, config.data_dir) for p in config.area_graphs)
    return CompositeTravelTimes(fallback, roads, areas=areas)


def leg_between(config: TravelModelConfig, a: NDArray[np.float64], b: NDArray[np.float64]) -> Leg:
    """One trip with the configured model, as ``smartspot travel`` prints it."""
    return travel_times(config).leg(a, b)
