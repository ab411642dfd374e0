"""Reproduce the spatial figures in ``scenarios/calibration_notes.md``.

Run from the repository root::

    .venv/bin/python scenarios/calibration_check.py

For each demo district it samples 60,000 callout places (fixed seed): each kommune gets a share
proportional to its population (``KOMMUNE_POP_2017``, an approximation, see the notes); within a
kommune a part lands at GeoNames towns (weighted by town population, scattered with a standard
deviation of 300 m × sqrt(population / 1000)) and the rest uniformly on the kommune's land (the
"rural share": the kommune population GeoNames' towns do not account for, at least 10 %). It
prints the straight-line distance from those places to the nearest station in the district's
``stations.csv`` and each station's share of the places nearest to it. Straight lines only: no
road network, no travel time.
"""

from __future__ import annotations

import csv

import numpy as np
import shapely
from numpy.typing import NDArray

from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import cached_regions
from smartspot.resources import DATA_DIR, SCENARIOS_DIR

#: Approximate population on 1 January 2017 per kommune. NOT from the repository's data: recalled
#: from Statistics Denmark's FOLK1A table and rounded to 100; they sum to within 1.3 % of the
#: district totals in data/calibration_facts.csv. Verify before relying on them.
KOMMUNE_POP_2017 = {
    "0657": 87_600,  # Herning
    "0661": 58_300,  # Holstebro
    "0756": 40_900,  # Ikast-Brande
    "0665": 20_300,  # Lemvig
    "0773": 20_600,  # Morsø
    "0760": 57_000,  # Ringkøbing-Skjern
    "0740": 91_600,  # Silkeborg
    "0779": 46_000,  # Skive
    "0671": 21_300,  # Struer
    "0787": 43_800,  # Thisted
    "0791": 96_000,  # Viborg
    "0751": 335_700,  # Aarhus
    "0730": 97_500,  # Randers
    "0710": 48_000,  # Favrskov
    "0707": 37_700,  # Norddjurs
    "0706": 42_000,  # Syddjurs
    "0727": 22_600,  # Odder
    "0741": 3_700,  # Samsø
}
#: GeoNames rows that carry a namesake town's population (see calibration_notes.md).
DUPLICATE_TOWNS = {"2620287", "2617175", "2619859"}
DISTRICTS = {
    "midt_vestjylland": "Midt- og Vestjyllands Politi",
    "oestjylland": "Østjyllands Politi",
}
SAMPLES = 60_000
MIN_RURAL_SHARE = 0.10


def _xy(rows: list[dict[str, str]], lon: str, lat: str) -> NDArray[np.float64]:
    return lonlat_to_metric(
        np.array([float(r[lon]) for r in rows]), np.array([float(r[lat]) for r in rows])
    )


def _uniform_on(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    minx, miny, maxx, maxy = poly.bounds
    found: list[NDArray[np.float64]] = []
    count = 0
    while count < n:
        x = rng.uniform(minx, maxx, 20_000)
        y = rng.uniform(miny, maxy, 20_000)
        inside = shapely.contains_xy(poly, x, y)
        found.append(np.column_stack([x[inside], y[inside]]))
        count += int(inside.sum())
    return np.vstack(found)[:n]


def district(folder: str, rng: np.random.Generator) -> None:
    politikreds = DISTRICTS[folder]
    regions = cached_regions(DATA_DIR)
    polygons = {k.kode: regions.polygons[i] for i, k in enumerate(regions.kommuner)}
    with (SCENARIOS_DIR / folder / "stations.csv").open(encoding="utf-8", newline="") as handle:
        stations = list(csv.DictReader(handle))
    with (DATA_DIR / "dk_places_geonames.csv").open(encoding="utf-8", newline="") as handle:
        towns = [
            r
            for r in csv.DictReader(handle)
            if r["politikreds_navn"] == politikreds and r["geonameid"] not in DUPLICATE_TOWNS
        ]
    codes = sorted(k.kode for k in regions.kommuner_in(politikreds))
    total = sum(KOMMUNE_POP_2017[c] for c in codes)
    print(f"\n{politikreds}: approx. population {total:,}")
    print("kode  kommune             pop      share  geonames_towns  rural_share")
    places, kommune_of = [], []
    for code in codes:
        here = [t for t in towns if t["kommunekode"] == code]
        weights = np.array([float(t["population"]) for t in here])
        rural = max(MIN_RURAL_SHARE, 1 - weights.sum() / KOMMUNE_POP_2017[code])
        n = round(SAMPLES * KOMMUNE_POP_2017[code] / total)
        n_rural = round(n * rural)
        pick = rng.choice(len(here), n - n_rural, p=weights / weights.sum())
        spread = 300 * np.sqrt(weights[pick] / 1000)
        at_towns = (
            _xy(here, "longitude", "latitude")[pick]
            + rng.normal(size=(len(pick), 2)) * (spread[:, None])
        )
        places += [at_towns, _uniform_on(polygons[code], n_rural, rng)]
        kommune_of += [code] * n
        print(
            f"{code}  {regions.kommune(code).navn:18s} {KOMMUNE_POP_2017[code]:7,d}  "
            f"{KOMMUNE_POP_2017[code] / total:.3f}  {int(weights.sum()):14,d}  {rural:.2f}"
        )
    xy = np.vstack(places)
    kommune = np.array(kommune_of)
    station_xy = _xy(stations, "lon", "lat")
    distance = np.hypot(
        xy[:, None, 0] - station_xy[None, :, 0], xy[:, None, 1] - station_xy[None, :, 1]
    )
    nearest = distance.argmin(axis=1)
    km = distance.min(axis=1) / 1000
    print(
        f"nearest station, straight line: mean {km.mean():.1f} km, median {np.median(km):.1f}, "
        f"p90 {np.percentile(km, 90):.1f}"
    )
    for code in codes:
        print(f"  {regions.kommune(code).navn:18s} mean {km[kommune == code].mean():5.1f} km")
    print("share of places nearest to each station:")
    for i, row in enumerate(stations):
        print(f"  {row['station_id']}  {row['station_name'][:40]:40s} {np.mean(nearest == i):.3f}")


def main() -> None:
    rng = np.random.default_rng(7)
    for folder in DISTRICTS:
        district(folder, rng)


if __name__ == "__main__":
    main()
