"""Road graphs built once per session from the real OSM extracts in data/osm/."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from smartspot.geo.crs import lonlat_to_metric
from smartspot.resources import DATA_DIR
from smartspot.travel.config import land_graph
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.graph import RoadGraph
from smartspot.travel.land import FallbackParams, LandGraph
from smartspot.travel.osm import BuildOptions, build_graph

OSM_DIR = DATA_DIR / "osm"

# Real places, lon/lat (WGS84).
HOU_HARBOUR = (10.2591054, 55.9124582)  # the Hou end of the Hou–Sælvig ferry way in OSM
TRANEBJERG = (10.59723, 55.8326)  # Samsø's main town
NORDBY_SAMSOE = (10.5647, 55.9622)  # Nordby, Samsø (a road node in the village)
KATTEGAT = (10.85, 55.95)  # open sea east of Samsø


def xy(lon: float, lat: float) -> np.ndarray:
    """One WGS84 point as a (1, 2) EPSG:25832 array."""
    return lonlat_to_metric(np.array([lon]), np.array([lat]))


@pytest.fixture(scope="session")
def samsoe() -> RoadGraph:
    return build_graph(OSM_DIR / "samsoe.osm.pbf")


@pytest.fixture(scope="session")
def samsoe_no_ferries() -> RoadGraph:
    return build_graph(OSM_DIR / "samsoe.osm.pbf", BuildOptions(ferries=False))


@pytest.fixture(scope="session")
def aarhus() -> RoadGraph:
    return build_graph(OSM_DIR / "aarhus_c_marselis.osm.pbf")


@pytest.fixture(scope="session")
def mvj_fallback() -> LandTravelTimes:
    """The fallback of Midt- og Vestjyllands Politi (built once per process)."""
    return LandTravelTimes(land_graph("Midt- og Vestjyllands Politi", FallbackParams()))


@pytest.fixture(scope="session")
def oej_land() -> LandGraph:
    return land_graph("Østjyllands Politi", FallbackParams())


def town(name: str) -> np.ndarray:
    """A GeoNames town point as a (1, 2) EPSG:25832 array."""
    with (DATA_DIR / "dk_places_geonames.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["name"] == name:
                return xy(float(row["longitude"]), float(row["latitude"]))
    raise KeyError(name)


OEJ_TOWNS = ("Århus", "Odder", "Skanderborg", "Hørning", "Beder", "Malling", "Solbjerg")


def around(names: tuple[str, ...], seed: int, per_town: int = 6) -> np.ndarray:
    """Points within a few km of each town (many of them within the direct lines' reach)."""
    rng = np.random.default_rng(seed)
    centres = np.vstack([town(n) for n in names])
    return np.vstack([c + rng.uniform(-3_000, 3_000, size=(per_town, 2)) for c in centres])
