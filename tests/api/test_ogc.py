"""OGC API – Features at /ogc, checked by its own links and by GDAL's OAPIF driver."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from tests.api.conftest import add_users, login, make_settings, point_feature, polygon_feature
from tests.api.live_server import serving

Headers = dict[str, dict[str, str]]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A uvicorn server with two hotspots (a point in Holstebro, a polygon on Samsø)."""
    app = create_app(make_settings(tmp_path))
    add_users(app)
    client = TestClient(app)
    analyst = login(client, "analyst")
    for feature in (point_feature(), polygon_feature(10.5972, 55.8326)):
        assert client.post("/hotspots", json=feature, headers=analyst).status_code == 201
    with serving(app) as base:
        yield base, login(client, "planner")
    services_of(app).close()


def test_landing_conformance_and_collection_link_to_each_other(
    client: TestClient, as_role: Headers
) -> None:
    h = as_role["planner"]
    landing = client.get("/ogc", headers=h).json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    conformance = client.get(rels["conformance"], headers=h).json()
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance["conformsTo"]
    )
    collections = client.get(rels["data"], headers=h).json()["collections"]
    assert [c["id"] for c in collections] == ["hotspots"]
    items_link = next(link["href"] for link in collections[0]["links"] if link["rel"] == "items")
    assert items_link.endswith("/ogc/collections/hotspots/items")


def test_items_page_with_next_links_and_filter_by_bbox(
    client: TestClient, as_role: Headers
) -> None:
    for lon, lat in [(8.6246, 56.3706), (10.2108, 56.1529), (10.5972, 55.8326)]:
        client.post("/hotspots", json=point_feature(lon, lat), headers=as_role["analyst"])
    h = as_role["planner"]
    first = client.get("/ogc/collections/hotspots/items", params={"limit": 2}, headers=h)
    assert first.headers["content-type"].startswith("application/geo+json")
    body = first.json()
    assert (body["numberMatched"], body["numberReturned"]) == (3, 2)
    nxt = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert client.get(nxt, headers=h).json()["numberReturned"] == 1
    boxed = client.get(
        "/ogc/collections/hotspots/items", params={"bbox": "10.0,56.0,10.4,56.3"}, headers=h
    ).json()
    assert [f["properties"]["kommunenavn"] for f in boxed["features"]] == ["Aarhus"]
    one = boxed["features"][0]["id"]
    item = client.get(f"/ogc/collections/hotspots/items/{one}", headers=h).json()
    assert item["id"] == one
    assert client.get("/ogc/collections/hotspots/items/HS-999999", headers=h).status_code == 404


def test_ogc_needs_a_login(client: TestClient) -> None:
    assert client.get("/ogc/collections/hotspots/items").status_code == 401


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("ogrinfo") is None,
    reason="gdal-bin (ogrinfo) is not installed; scripts/setup.d/30-gdal.sh installs it as root",
)
def test_gdal_oapif_reads_the_hotspot_layer(live_server: Any) -> None:
    base, headers = live_server
    env = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: {headers['Authorization']}"}
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{base}/ogc"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Layer name: hotspots" in result.stdout
    assert "Feature Count: 2" in result.stdout
    full = subprocess.run(
        ["ogrinfo", "-ro", "-al", f"OAPIF:{base}/ogc", "hotspots"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert full.returncode == 0, full.stderr
    assert "kommunenavn (String) = Holstebro" in full.stdout
    assert "POLYGON" in full.stdout and "POINT" in full.stdout
