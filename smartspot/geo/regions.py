"""Which kommune and politikreds a place lies in.

Built from DAGI's generalised (1:500 000) kommune polygons. Because the coastline is
generalised, a point on a beach or a pier can fall a little outside every polygon: such a point
snaps to the nearest kommune within ``snap_m`` (2 km by default); farther out is an error.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.geo.crs import to_metric
from smartspot.i18n import msg

DEFAULT_SNAP_M = 2_000.0


@dataclass(frozen=True, slots=True)
class Kommune:
    """A municipality: the unit response times are reported by."""

    kode: str
    navn: str
    politikreds: str


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a geometry lies; ``snapped_m`` > 0 when it lay just outside the coastline."""

    kommune: Kommune
    snapped_m: float = 0.0

    def as_dict(self) -> dict[str, str]:
        return {
            "kommunekode": self.kommune.kode,
            "kommunenavn": self.kommune.navn,
            "politikreds": self.kommune.politikreds,
        }


class Regions:
    """Kommune polygons in EPSG:25832 with a spatial index.

    Parameters
    ----------
    kommuner
        The kommuner, in the same order as ``polygons``.
    polygons
        Their (multi)polygons in EPSG:25832.
    district_polygons
        Politikreds name → (multi)polygon in EPSG:25832, for maps and membership.
    """

    def __init__(
        self,
        kommuner: list[Kommune],
        polygons: list[BaseGeometry],
        district_polygons: dict[str, BaseGeometry],
        *,
        snap_m: float = DEFAULT_SNAP_M,
    ) -> None:
        if len(kommuner) != len(polygons):
            raise InvalidInputError(msg("each kommune needs exactly one polygon"))
        self.kommuner = tuple(kommuner)
        self.polygons = np.array(polygons, dtype=object)
        self.district_polygons = dict(district_polygons)
        self.snap_m = snap_m
        self._tree = shapely.STRtree(self.polygons)
        self._by_code = {k.kode: k for k in kommuner}

    def kommune(self, kode: str) -> Kommune:
        try:
            return self._by_code[kode]
        except KeyError:
            raise NotFoundError(
                msg("no kommune with code {kode!r}; codes are 4 digits, e.g. 0661", kode=kode)
            ) from None

    def kommuner_in(self, politikreds: str) -> list[Kommune]:
        found = [k for k in self.kommuner if k.politikreds == politikreds]
        if not found:
            names = sorted({k.politikreds for k in self.kommuner})
            raise NotFoundError(
                msg(
                    "no politikreds named {politikreds!r}; known: {names}",
                    politikreds=politikreds,
                    names=", ".join(names),
                )
            )
        return found

    def locate(self, geometry: BaseGeometry) -> Placement:
        """The kommune a metric geometry lies in (for a polygon: the one it overlaps most).

        Raises
        ------
        InvalidInputError
            When the geometry is more than ``snap_m`` from every kommune (e.g. in the sea).
        """
        hits = self._tree.query(geometry, predicate="intersects")
        if len(hits) == 1:
            return Placement(self.kommuner[int(hits[0])])
        if len(hits) > 1:
            overlaps = [shapely.intersection(self.polygons[i], geometry).area for i in hits]
            if max(overlaps) == 0.0:  # a point on a shared border: the first by code wins
                best = min(hits, key=lambda i: self.kommuner[int(i)].kode)
            else:
                best = hits[int(np.argmax(overlaps))]
            return Placement(self.kommuner[int(best)])
        nearest = self._tree.query_nearest(geometry, max_distance=self.snap_m, return_distance=True)
        indices, distances = nearest
        if len(indices) == 0:
            return self._too_far(geometry)
        return Placement(self.kommuner[int(indices[0])], snapped_m=float(distances[0]))

    def _too_far(self, geometry: BaseGeometry) -> Placement:
        index, distance = self._tree.query_nearest(geometry, return_distance=True)
        kommune = self.kommuner[int(index[0])]
        raise InvalidInputError(
            msg(
                "the place lies {distance:.1f} km outside Danish land (nearest kommune: {navn}); places must lie on land or within {snap_m:g} km of the coast",
                distance=float(distance[0]) / 1000,
                navn=kommune.navn,
                snap_m=self.snap_m / 1000,
            ),
            field="geometry",
        )


def _read_features(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return list(json.load(handle)["features"])


def load_regions(data_dir: Path, *, snap_m: float = DEFAULT_SNAP_M) -> Regions:
    """Read the DAGI kommune and politikreds polygons from ``data_dir``."""
    kommuner: list[Kommune] = []
    polygons: list[BaseGeometry] = []
    for feature in _read_features(data_dir / "dk_kommuner.geojson"):
        props = feature["properties"]
        assert isinstance(props, dict)
        kommuner.append(
            Kommune(
                kode=str(props["kommunekode"]),
                navn=str(props["kommunenavn"]),
                politikreds=str(props["politikreds_navn"]),
            )
        )
        polygons.append(to_metric(shape(feature["geometry"])))
    districts = {}
    for feature in _read_features(data_dir / "dk_politikredse.geojson"):
        props = feature["properties"]
        assert isinstance(props, dict)
        districts[str(props["politikreds_navn"])] = to_metric(shape(feature["geometry"]))
    _check_against_table(kommuner, data_dir / "kommune_politikreds.csv")
    return Regions(kommuner, polygons, districts, snap_m=snap_m)


def _check_against_table(kommuner: list[Kommune], table: Path) -> None:
    with table.open(encoding="utf-8", newline="") as handle:
        expected = {row["kommunekode"]: row["politikreds_navn"] for row in csv.DictReader(handle)}
    found = {k.kode: k.politikreds for k in kommuner}
    if found != expected:
        raise InvalidInputError(
            msg("{name} and dk_kommuner.geojson disagree on politikredse", name=table.name)
        )


def politikreds_names(data_dir: Path) -> tuple[str, ...]:
    """The names of the politikredse, sorted, from the light kommune table (no geometry)."""
    with (data_dir / "kommune_politikreds.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(sorted({row["politikreds_navn"] for row in csv.DictReader(handle)}))


@cache
def cached_regions(data_dir: Path) -> Regions:
    """:func:`load_regions` once per process and data folder."""
    return load_regions(data_dir)
