"""The fixed facts of a simulated district: stations, towns, land, kommuner and hotspots.

Built once per run (or once per worker process) from the scenario and the bundled data, so a
replication only draws random numbers and moves cars.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from smartspot.domain import (
    DEFAULT_MINUTES_ON_SITE,
    Category,
    HandlingInstruction,
    Hotspot,
    Location,
    Source,
    Station,
)
from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.fulfilment import Target
from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import Regions
from smartspot.geo.stations import load_stations
from smartspot.geo.validate import check_hotspot_geometry
from smartspot.i18n import msg
from smartspot.outlying import is_outlying, station_round_trips
from smartspot.sim.scenario import Scenario, StationCars
from smartspot.travel.port import TravelTimes
from smartspot.windows import LOCAL_TZ, ActiveWindow


@dataclass(frozen=True, slots=True)
class Towns:
    """GeoNames towns of the district: points, populations and kommune codes."""

    names: tuple[str, ...]
    xy: NDArray[np.float64]
    population: NDArray[np.float64]
    kommunekode: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class District:
    """Everything about a district that does not change during a run."""

    scenario: Scenario
    regions: Regions
    polygon: BaseGeometry
    stations: tuple[Station, ...]  # in scenario order
    station_xy: NDArray[np.float64]
    towns: Towns
    hotspots: tuple[Hotspot, ...]
    hotspot_xy: NDArray[np.float64]
    hotspot_station_km: NDArray[np.float64]  # straight line to the nearest station
    car_homes: tuple[NDArray[np.float64], ...] = ()  # per station: (max_cars, 2) posts
    kommune_polygons: Mapping[str, BaseGeometry] = field(default_factory=dict)
    #: round trip from the nearest station by the run's travel model (see
    #: :meth:`with_station_times`); ``None`` until a travel model is known
    hotspot_round_trip_s: NDArray[np.float64] | None = None

    def with_station_times(self, travel: TravelTimes) -> District:
        """This district with its hotspots' station round trips timed by ``travel`` (what
        "outlying" is computed from; :mod:`smartspot.outlying`)."""
        trips = station_round_trips(travel, self.station_xy, self.hotspot_xy)
        return replace(self, hotspot_round_trip_s=trips)

    def home_of(self, station: int, car: int) -> NDArray[np.float64]:
        """Where car number ``car`` of a station waits when free (its post, or the station)."""
        if self.car_homes:
            return self.car_homes[station][car]
        return self.station_xy[station]

    @property
    def hotspot_outlying(self) -> NDArray[np.bool_]:
        """Outlying (yderområde) per hotspot: its nearest station is more than the policy's
        ``outlying_min`` away by road. Computed, never typed."""
        if self.hotspot_round_trip_s is None:
            raise ValueError("station times not known: use District.with_station_times(travel)")
        return is_outlying(self.hotspot_round_trip_s, self.scenario.policy.outlying_min)

    def fulfilment_targets(self) -> tuple[Target, ...]:
        """The hotspots as fulfilment counts them: desired visits, outlying, kommune, and
        validity from local midnight of ``valid_from`` to the end of ``valid_to``."""
        targets = []
        for hotspot, outlying in zip(self.hotspots, self.hotspot_outlying.tolist(), strict=True):
            until = hotspot.valid_to + timedelta(days=1) if hotspot.valid_to else None
            targets.append(
                Target(
                    hotspot=hotspot.id,
                    visits_per_week=hotspot.visits_per_week,
                    outlying=bool(outlying),
                    kommunekode=hotspot.location.kommunekode,
                    kommunenavn=hotspot.location.kommunenavn,
                    title=hotspot.title,
                    valid_from=datetime.combine(hotspot.valid_from, time(0), tzinfo=LOCAL_TZ),
                    valid_to=datetime.combine(until, time(0), tzinfo=LOCAL_TZ) if until else None,
                )
            )
        return tuple(targets)

    @property
    def kommuner(self) -> list[str]:
        return sorted(k.kode for k in self.regions.kommuner_in(self.scenario.politikreds))

    def kommune_name(self, kode: str) -> str:
        return self.regions.kommune(kode).navn

    def kommune_points(self) -> tuple[tuple[str, ...], NDArray[np.float64]]:
        """One reference point per kommune (its most populous GeoNames town), for the
        coverage guard: the live service's own rule, less the scenario's excluded towns."""
        from smartspot.geo.coverage import kommune_points
        from smartspot.resources import DATA_DIR

        names = {kode: self.kommune_name(kode) for kode in self.kommuner}
        exclude = frozenset(self.scenario.callouts.exclude_towns)
        return kommune_points(DATA_DIR / "dk_places_geonames.csv", names, exclude=exclude)


def _load_towns(path: Path, politikreds: str, kommuner: set[str], exclude: set[str]) -> Towns:
    names, lon, lat, pop, kode = [], [], [], [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kommunekode"] not in kommuner or row["geonameid"] in exclude:
                continue
            names.append(row["name"])
            lon.append(float(row["longitude"]))
            lat.append(float(row["latitude"]))
            pop.append(float(row["population"]))
            kode.append(row["kommunekode"])
    if not names:
        raise InvalidInputError(
            msg("no GeoNames towns found in {politikreds}", politikreds=politikreds),
            field="politikreds",
        )
    return Towns(
        tuple(names),
        lonlat_to_metric(np.array(lon), np.array(lat)),
        np.array(pop),
        tuple(kode),
    )


def _posts(
    entry: StationCars, station_xy: NDArray[np.float64], towns: Towns
) -> NDArray[np.float64]:
    """Car k of a station waits at post ``k`` (cycling), the station itself when none are set."""
    if not entry.posts:
        return np.repeat(station_xy.reshape(1, 2), max(1, entry.max_cars), axis=0)
    points = []
    for name in entry.posts:
        if name == "station":
            points.append(station_xy)
            continue
        if name not in towns.names:
            raise InvalidInputError(
                msg(
                    "scenario: stations.{station_id}.posts: no GeoNames town {name!r} in the district; known towns include {names} …",
                    station_id=entry.station_id,
                    name=name,
                    names=", ".join(sorted(towns.names)[:12]),
                ),
                field="posts",
            )
        points.append(towns.xy[towns.names.index(name)])
    return np.array([points[k % len(points)] for k in range(max(1, entry.max_cars))])


def load_hotspots(path: Path, regions: Regions, *, today: date | None = None) -> list[Hotspot]:
    """Read a hotspot GeoJSON file (the shared property contract) into domain hotspots.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InvalidInputError
        When a feature breaks the contract; the message names the feature.
    """
    if not path.is_file():
        raise NotFoundError(msg("no hotspot file at {path}", path=path))
    features = json.loads(path.read_text(encoding="utf-8")).get("features", [])
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    hotspots = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        ident = str(props.get("id") or f"h{number:04d}")
        try:
            geometry = check_hotspot_geometry(shape(feature["geometry"]))
            placement = regions.locate(geometry)
            instruction_text = str(props.get("instruction") or props.get("title") or "visit")
            hotspots.append(
                Hotspot(
                    id=ident,
                    title=str(props.get("title", ident)),
                    category=Category(props.get("category", "other")),
                    description=str(props.get("description") or props.get("title") or ident),
                    instruction=HandlingInstruction(
                        instruction_text,
                        tuple(str(s) for s in props.get("steps", [])),
                        int(props.get("minutes_on_site", DEFAULT_MINUTES_ON_SITE)),
                    ),
                    priority=int(props.get("priority", 3)),
                    geometry=geometry,  # type: ignore[arg-type]
                    location=Location(**placement.as_dict()),
                    source=Source(props.get("source", "analysis")),
                    valid_from=date.fromisoformat(str(props.get("valid_from", "2020-01-01"))),
                    valid_to=(
                        date.fromisoformat(str(props["valid_to"]))
                        if props.get("valid_to")
                        else None
                    ),
                    visits_per_week=float(props.get("visits_per_week", 1.0)),
                    windows=tuple(ActiveWindow.parse(w) for w in props.get("windows", [])),
                    source_ref=str(props.get("source_ref", "")),
                    created_by="scenario",
                    created_at=moment,
                    updated_by="scenario",
                    updated_at=moment,
                )
            )
        except (InvalidInputError, KeyError, TypeError, ValueError) as error:
            raise InvalidInputError(
                msg("{name}: hotspot {ident}: {error}", name=path.name, ident=ident, error=error)
            ) from None
    if today is not None:
        hotspots = [h for h in hotspots if h.valid_on(today)]
    return hotspots


def build_district(
    scenario: Scenario, regions: Regions, data_dir: Path, *, with_hotspots: bool = True
) -> District:
    """Gather the district's stations, towns and hotspots for ``scenario``.

    Raises
    ------
    NotFoundError
        When a station id or the hotspot file named by the scenario does not exist.
    InvalidInputError
        When a station or hotspot lies outside the scenario's politikreds.
    """
    kommuner = {k.kode for k in regions.kommuner_in(scenario.politikreds)}
    polygon = regions.district_polygons[scenario.politikreds]
    by_id = {s.id: s for s in load_stations(data_dir / "police_stations.csv", regions)}
    stations = []
    for entry in scenario.stations:
        if entry.station_id not in by_id:
            raise NotFoundError(
                msg(
                    "scenario: station {station_id!r} is not in police_stations.csv (or has no coordinate)",
                    station_id=entry.station_id,
                )
            )
        station = by_id[entry.station_id]
        if station.location.politikreds != scenario.politikreds:
            raise InvalidInputError(
                msg(
                    "scenario: station {id} ({name}) lies in {politikreds}, not {politikreds2}",
                    id=station.id,
                    name=station.name,
                    politikreds=station.location.politikreds,
                    politikreds2=scenario.politikreds,
                ),
                field="stations",
            )
        stations.append(station)
    station_xy = np.array([[s.position.x, s.position.y] for s in stations])
    towns = _load_towns(
        data_dir / "dk_places_geonames.csv",
        scenario.politikreds,
        kommuner,
        set(scenario.callouts.exclude_towns),
    )
    hotspots: list[Hotspot] = []
    if with_hotspots and scenario.hotspots_path is not None:
        hotspots = [
            h
            for h in load_hotspots(scenario.hotspots_path, regions, today=scenario.start.date())
            if h.location.politikreds == scenario.politikreds and h.is_open
        ]
    if hotspots:
        points = [h.geometry.representative_point() for h in hotspots]
        hotspot_xy = np.array([[p.x, p.y] for p in points])
        gaps = shapely.distance(
            np.array(shapely.points(station_xy))[:, None], np.array(points)[None, :]
        )
        station_km = np.asarray(gaps, dtype=np.float64).min(axis=0) / 1000.0
    else:
        hotspot_xy = np.zeros((0, 2))
        station_km = np.zeros(0)
    car_homes = tuple(
        _posts(entry, station_xy[s], towns) for s, entry in enumerate(scenario.stations)
    )
    kommune_polygons = {
        k.kode: poly
        for k, poly in zip(regions.kommuner, regions.polygons, strict=True)
        if k.kode in kommuner
    }
    unknown = {kode for kode, _ in scenario.callouts.kommune_population} - kommuner
    if unknown:
        raise InvalidInputError(
            msg(
                "scenario: callouts.kommune_population names kommuner outside {politikreds}: {unknown}",
                politikreds=scenario.politikreds,
                unknown=", ".join(sorted(unknown)),
            ),
            field="kommune_population",
        )
    return District(
        scenario=scenario,
        car_homes=car_homes,
        kommune_polygons=kommune_polygons,
        regions=regions,
        polygon=polygon,
        stations=tuple(stations),
        station_xy=station_xy,
        towns=towns,
        hotspots=tuple(hotspots),
        hotspot_xy=hotspot_xy,
        hotspot_station_km=station_km,
    )
