"""Shared fixtures: the real Danish regions, loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.regions import Regions, cached_regions
from smartspot.resources import DATA_DIR
from tests.pg_cluster import SUPERUSER, Cluster, server_bindir

HOLSTEBRO_STATION = (8.624585, 56.370607)
SAMSOE_TRANEBJERG = (10.59723, 55.8326)
AARHUS_STATION = (10.210838, 56.152924)
NORTH_SEA = (7.95, 56.3)


@pytest.fixture(scope="session")
def regions() -> Regions:
    return cached_regions(DATA_DIR)


def metric_point(lon: float, lat: float) -> Point:
    return Point(lonlat_to_metric(np.array([lon]), np.array([lat]))[0])


# -- the store under test: SQLite, and PostGIS where it matters ---------------------------------
#
# Every test that asks for ``database`` (directly or through a fixture) gets a fresh, empty
# database: an SQLite file in its tmp_path, or a new database in the session's throwaway
# PostGIS cluster (tests/pg_cluster.py). Tests under tests/store, tests/live and tests/api run
# on both; a module without store behaviour of its own (the map's static pages, the browser
# runs, the schema contract, the CLI's embedded file) or a test about one backend's own
# machinery is marked ``sqlite_only``, with its reason. Elsewhere a module opts in with
# ``pytestmark = pytest.mark.both_backends``.

BOTH_DIRS = ("store", "live", "api")
BACKENDS = ("sqlite", "postgis")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    folder = Path(str(metafunc.definition.path)).parent.name
    marks = {mark.name for mark in metafunc.definition.iter_markers()}
    both = (folder in BOTH_DIRS or "both_backends" in marks) and "sqlite_only" not in marks
    metafunc.parametrize("backend", BACKENDS if both else BACKENDS[:1])


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bindir = server_bindir()
    if bindir is None:
        reason = "PostgreSQL with PostGIS is not installed (scripts/setup.d/50-postgis.sh)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI installs it: a missing server there is a broken set-up
        pytest.skip(reason)
    cluster = Cluster(bindir, spares=2)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str | Path]:
    """A fresh database: an SQLite file path, or a PostgreSQL URL."""
    if backend == "sqlite":
        yield tmp_path / "smartspot.db"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = cluster.new_database()
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def empty_database(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str | Path]:
    """A database without any schema yet, for migration tests: an SQLite file path, or the
    URL of an empty PostgreSQL database as its owner (who may migrate it)."""
    if backend == "sqlite":
        yield tmp_path / "empty.db"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = cluster.empty_database()
    yield cluster.url(name, user=SUPERUSER)
    cluster.drop_database(name)
