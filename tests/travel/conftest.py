"""Road graphs built once per session from the real OSM extracts in data/osm/."""

from __future__ import annotations

import numpy as np
import pytest

from smartspot.geo.crs import lonlat_to_metric
from smartspot.resources import DATA_DIR
from smartspot.travel.graph import RoadGraph
from smartspot.travel.osm import BuildOptions, build_graph

OSM_DIR = DATA_DIR / "osm"

# Real places, lon/lat (WGS84).
HOU_HARBOUR = (10.2591054, 55.9124582)  # the Hou end of the Hou–Sælvig ferry way in OSM
TRANEBJERG = (10.59723, 55.8326)  # Samsø's main town
NORDBY_SAMSOE = (10.5983, 55.9595)
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
