from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, shape

from smartspot.domain import Hotspot
from smartspot.errors import InvalidInputError
from smartspot.geo.io import (
    LAYERS,
    ImportLimits,
    feature_collection,
    hotspot_properties,
    read_features,
    wgs84_geometry,
    write_geojson,
    write_geopackage,
)
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from tests.hotspot_fixtures import SAMSOE, SILKEBORG_CW, TREKANTEN, draft, new_service


@pytest.fixture
def service(tmp_path: Path, regions: Regions) -> Iterator[HotspotService]:
    svc = new_service(tmp_path / "smartspot.db", regions)
    yield svc
    svc.store.close()


@pytest.fixture
def hotspots(service: HotspotService) -> list[Hotspot]:
    service.register(draft(), TREKANTEN, user="ana")
    polygon = service.register(
        draft(windows=[], steps=[], valid_to="2026-12-31"), SILKEBORG_CW, user="bo"
    )
    samsoe = service.register(draft(title="Fart gennem Tranebjerg"), SAMSOE, user="ana")
    service.update(polygon.id, {"priority": 2}, expected_version=1, user="bo")
    service.close(samsoe.id, "Fartdæmpning bygget", user="ana")
    return service.list()


def test_geojson_export_follows_rfc7946(hotspots: list[Hotspot], tmp_path: Path) -> None:
    path = tmp_path / "hotspots.geojson"
    assert write_geojson(hotspots, path) == 3
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data  # RFC 7946: WGS84 lon/lat is implied
    polygon = next(f for f in data["features"] if f["geometry"]["type"] == "Polygon")
    ring = polygon["geometry"]["coordinates"][0]
    assert Polygon(ring).exterior.is_ccw  # right-hand rule, though drawn clockwise
    for lon, lat in ring:
        assert 8 < lon < 16 and 54 < lat < 58  # longitude first
        assert round(lon, 6) == lon and round(lat, 6) == lat
    props = polygon["properties"]
    assert props["kommunenavn"] == "Silkeborg" and props["version"] == 2
    assert props["windows"] == [] and props["valid_to"] == "2026-12-31"


def test_geojson_round_trip_reads_back_the_same_features(
    hotspots: list[Hotspot], tmp_path: Path
) -> None:
    path = tmp_path / "hotspots.geojson"
    write_geojson(hotspots, path)
    features = read_features(path)
    expected = feature_collection(hotspots)["features"]
    assert [f.properties for f in features] == [f["properties"] for f in expected]
    for got, want in zip(features, expected, strict=True):
        assert got.geometry is not None
        assert got.geometry.equals_exact(shape(want["geometry"]), 1e-9)


def test_geopackage_round_trip_reads_back_identical(
    hotspots: list[Hotspot], tmp_path: Path
) -> None:
    path = tmp_path / "hotspots.gpkg"
    assert write_geopackage(hotspots, path) == 3
    features = sorted(read_features(path), key=lambda f: f.properties["id"])
    assert len(features) == 3
    for got, hotspot in zip(features, hotspots, strict=True):
        assert got.properties == hotspot_properties(hotspot)
        assert got.geometry is not None
        original = wgs84_geometry(hotspot)
        assert got.geometry.geom_type == original.geom_type
        assert shapely.get_coordinates(got.geometry) == pytest.approx(
            shapely.get_coordinates(original), abs=1e-6
        )


def test_geopackage_has_a_point_and_an_area_layer_with_typed_fields(
    hotspots: list[Hotspot], tmp_path: Path
) -> None:
    import pyogrio

    path = tmp_path / "hotspots.gpkg"
    write_geopackage(hotspots, path)
    assert [name for name, _ in pyogrio.list_layers(path)] == list(LAYERS.values())
    points, areas = (pyogrio.read_info(path, layer=name) for name in LAYERS.values())
    assert (points["geometry_type"], points["features"]) == ("Point", 2)
    assert (areas["geometry_type"], areas["features"]) == ("Polygon", 1)
    types = dict(zip(points["fields"], points["ogr_types"], strict=True))
    assert types["valid_from"] == types["valid_to"] == "OFTDate"
    assert types["created_at"] == types["updated_at"] == "OFTDateTime"
    assert types["priority"] == types["version"] == "OFTInteger"
    frame = gpd.read_file(path, layer="hotspot_points")
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert json.loads(frame.loc[0, "steps"]) == ["Parker ved Trekanten", "Gå en runde om blokkene"]


def test_an_empty_export_still_writes_a_readable_geopackage(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "empty.gpkg"
    assert write_geopackage([], path) == 0
    assert read_features(path) == []
    assert [name for name, _ in pyogrio.list_layers(path)] == list(LAYERS.values())


def test_exporting_twice_replaces_the_geopackage(hotspots: list[Hotspot], tmp_path: Path) -> None:
    path = tmp_path / "hotspots.gpkg"
    write_geopackage(hotspots, path)
    write_geopackage(hotspots[:1], path)
    assert len(read_features(path)) == 1


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.geojson"
    path.write_text(" " * 2048, encoding="utf-8")
    with pytest.raises(InvalidInputError, match="at most 0.0 MB|at most"):
        read_features(path, limits=ImportLimits(max_bytes=1024))


def test_too_many_features_are_refused(hotspots: list[Hotspot], tmp_path: Path) -> None:
    path = tmp_path / "many.geojson"
    write_geojson(hotspots, path)
    with pytest.raises(InvalidInputError, match="3 features; an import may have at most 2"):
        read_features(path, limits=ImportLimits(max_features=2))


def test_unreadable_feature_geometry_is_left_for_the_report(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    bad = {"type": "Point", "coordinates": "here"}
    data = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"title": "x"}, "geometry": bad},
            {"type": "Feature", "properties": {}, "geometry": None},
            {"type": "Nonsense"},
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    features = read_features(path)
    assert [f.geometry for f in features] == [None, None, None]
    assert "unreadable geometry" in str(features[0].geometry_error)
    assert "no geometry" in str(features[1].geometry_error)
    assert "not a GeoJSON Feature" in str(features[2].geometry_error)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.geojson", "{not json", "not readable GeoJSON"),
        ("list.geojson", "[1, 2]", "expected a GeoJSON FeatureCollection"),
        ("fake.gpkg", "hello", "not a readable GeoPackage"),
        ("hotspots.shp", "", "name it .geojson or .gpkg"),
    ],
)
def test_files_that_are_not_geojson_or_geopackage_are_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=message):
        read_features(path)


def test_a_projected_crs_declared_in_geojson_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utm.geojson"
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": []}))
    with pytest.raises(InvalidInputError, match="WGS84"):
        read_features(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_features(tmp_path / "absent.geojson")


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs GDAL's ogrinfo (gdal-bin)")
def test_the_system_gdal_that_qgis_uses_opens_the_geopackage_cleanly(
    hotspots: list[Hotspot], tmp_path: Path
) -> None:
    path = tmp_path / "hotspots.gpkg"
    write_geopackage(hotspots, path)
    done = subprocess.run(
        ["ogrinfo", "-so", str(path), *LAYERS.values()], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr  # e.g. a GeoPackage version the reader does not know
    assert "Geometry: Point\nFeature Count: 2" in done.stdout
    assert "Geometry: Polygon\nFeature Count: 1" in done.stdout
    assert "valid_from: Date" in done.stdout
    assert 'ID["EPSG",4326]' in done.stdout
