"""The offline base layer: roads per level of detail from the shipped OSM extracts, towns."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import shape

from smartspot.errors import InvalidInputError
from smartspot.geo.basemap import LEVELS, Road, level_named, read_roads, road_layer, town_layer
from smartspot.resources import DATA_DIR

AARHUS_C = DATA_DIR / "osm" / "aarhus_c_marselis.osm.pbf"


@pytest.fixture(scope="module")
def roads() -> list[Road]:
    return read_roads([AARHUS_C, DATA_DIR / "osm" / "tunoe.osm.pbf"])


def test_levels_cover_every_zoom_once() -> None:
    covered = [z for level in LEVELS for z in range(level.min_zoom, level.max_zoom + 1)]
    assert covered == list(range(0, 23))
    with pytest.raises(InvalidInputError, match="overview, area, street"):
        level_named("satellite")


def test_each_level_adds_detail_and_keeps_the_main_roads(roads: list[Road]) -> None:
    layers = {level.name: road_layer(roads, level) for level in LEVELS}
    kinds = {name: {f["properties"]["kind"] for f in fc["features"]} for name, fc in layers.items()}
    assert kinds["overview"] <= {"major", "ferry"}
    assert "minor" in kinds["area"] and "path" not in kinds["area"]
    assert {"major", "minor", "service", "path"} <= kinds["street"]
    counts = [len(layers[level.name]["features"]) for level in LEVELS]
    assert counts == sorted(counts) and counts[0] > 0
    names = {f["properties"].get("name") for f in layers["street"]["features"]}
    assert "Marselis Boulevard" in names


def test_roads_are_wgs84_inside_their_extract_and_simplified(roads: list[Road]) -> None:
    street = road_layer(roads, level_named("street"))
    overview = road_layer(roads, level_named("overview"))
    bounds = shapely.GeometryCollection([shape(f["geometry"]) for f in street["features"]]).bounds
    # Aarhus C (10.20-10.24 E) and Tunø (10.40-10.46 E) with its ferry, longitude first
    assert 10.19 < bounds[0] < bounds[2] < 10.47
    assert 55.85 < bounds[1] < bounds[3] < 56.16
    vertices = {
        name: sum(
            len(f["geometry"]["coordinates"])
            for f in fc["features"]
            if f["properties"]["kind"] == "major"
        )
        for name, fc in (("street", street), ("overview", overview))
    }
    assert vertices["overview"] < vertices["street"]


def test_towns_are_danish_names_largest_first() -> None:
    towns = town_layer(DATA_DIR / "dk_places_geonames.csv")["features"]
    names = [t["properties"]["name"] for t in towns]
    assert names[:2] == ["København", "Aarhus"]
    assert "Copenhagen" not in names and "Holstebro" in names
    populations = [t["properties"]["population"] for t in towns]
    assert populations == sorted(populations, reverse=True)
