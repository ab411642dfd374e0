"""Reference points of the kommuner for the coverage guard: each kommune's most populous
GeoNames town (where a car must stay within reach). Used alike by the live service and the
simulation."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from smartspot.geo.crs import lonlat_to_metric


def kommune_points(
    towns_csv: Path, kommuner: dict[str, str], *, exclude: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], NDArray[np.float64]]:
    """Kommune names and ``(k, 2)`` EPSG:25832 points, one per kommune with a listed town.

    Parameters
    ----------
    towns_csv
        ``data/dk_places_geonames.csv``.
    kommuner
        Kommune code → name, in the order wanted.
    exclude
        GeoNames ids to leave out.
    """
    best: dict[str, tuple[float, float, float]] = {}
    with towns_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kode = row["kommunekode"]
            if kode not in kommuner or row["geonameid"] in exclude:
                continue
            population = float(row["population"])
            if kode not in best or population > best[kode][0]:
                best[kode] = (population, float(row["longitude"]), float(row["latitude"]))
    codes = [k for k in kommuner if k in best]
    if not codes:
        return (), np.empty((0, 2))
    lonlat = np.array([best[k][1:] for k in codes])
    xy = lonlat_to_metric(lonlat[:, 0], lonlat[:, 1])
    return tuple(kommuner[k] for k in codes), np.asarray(xy, dtype=np.float64).reshape(-1, 2)
