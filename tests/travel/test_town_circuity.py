"""A structural check of the fallback over every town pair that matters.

Every pair of GeoNames towns of at least 1,000 inhabitants in the two districts, on one
landmass and under 80 km apart: the driven metres over the straight line stay at most 1.6,
unless ``data/circuity_exceptions.csv`` names the pair with the water that explains it.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from smartspot.geo.crs import lonlat_to_metric
from smartspot.resources import DATA_DIR
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import LandGraph

BOUND = 1.6
DISTRICTS = ("Midt- og Vestjyllands Politi", "Østjyllands Politi")


def _exceptions() -> dict[tuple[str, frozenset[str]], str]:
    with (DATA_DIR / "circuity_exceptions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {(r["district"], frozenset((r["from"], r["to"]))): r["reason"] for r in rows}


def town_ratios(model: LandTravelTimes, district: str) -> dict[frozenset[str], float]:
    """Driven metres / straight line of every qualifying town pair of ``district``."""
    with (DATA_DIR / "dk_places_geonames.csv").open(encoding="utf-8") as handle:
        towns = [
            r
            for r in csv.DictReader(handle)
            if r["politikreds_navn"] == district and float(r["population"]) >= 1_000
        ]
    xy = lonlat_to_metric(
        np.array([float(r["longitude"]) for r in towns]),
        np.array([float(r["latitude"]) for r in towns]),
    )
    part = model._landmass(xy, "towns", list(range(len(xy))))
    metres = model.trips(xy, xy).metres
    straight = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    i, j = np.triu_indices(len(xy), 1)
    keep = (part[i] == part[j]) & (straight[i, j] < 80_000) & (straight[i, j] > 0)
    return {
        frozenset((towns[a]["name"], towns[b]["name"])): float(metres[a, b] / straight[a, b])
        for a, b in zip(i[keep], j[keep], strict=True)
    }


@pytest.fixture(scope="module")
def ratios(mvj_fallback: LandTravelTimes, oej_land: LandGraph) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        DISTRICTS[0]: town_ratios(mvj_fallback, DISTRICTS[0]),
        DISTRICTS[1]: town_ratios(LandTravelTimes(oej_land), DISTRICTS[1]),
    }


def test_every_exception_names_its_reason() -> None:
    exceptions = _exceptions()
    assert exceptions
    assert all(len(reason) > 10 for reason in exceptions.values())


@pytest.mark.parametrize("district", DISTRICTS)
def test_no_town_pair_detours_beyond_the_bound_without_a_named_reason(
    district: str, ratios: dict[str, dict[frozenset[str], float]]
) -> None:
    pairs = ratios[district]
    assert len(pairs) > 500  # all pairs were routed, none unreachable
    assert all(np.isfinite(r) for r in pairs.values())
    exceptions = {pair for (d, pair) in _exceptions() if d == district}
    over = {pair for pair, r in pairs.items() if r > BOUND}
    assert over - exceptions == set(), sorted(tuple(sorted(p)) for p in over - exceptions)


@pytest.mark.parametrize("district", DISTRICTS)
def test_every_listed_exception_is_still_a_long_detour(
    district: str, ratios: dict[str, dict[frozenset[str], float]]
) -> None:
    listed = [pair for (d, pair) in _exceptions() if d == district]
    assert all(ratios[district][pair] > 1.4 for pair in listed)
