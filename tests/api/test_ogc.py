"""OGC API – Features at /ogc, checked by its own links and by GDAL's OAPIF driver."""

from __future__ import annotations

import base64
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
from tests.api.conftest import (
    PASSWORD,
    add_users,
    login,
    make_settings,
    point_feature,
    polygon_feature,
)
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


POINTS = "/ogc/collections/hotspot_points/items"
AREAS = "/ogc/collections/hotspot_areas/items"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_landing_conformance_and_collections_link_to_each_other(
    client: TestClient, as_role: Headers
) -> None:
    h = as_role["planner"]
    landing = client.get("/ogc", headers=h).json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    definition = client.get(rels["service-desc"], headers=basic("planner", PASSWORD)).json()
    assert definition["paths"] and all(path.startswith("/ogc") for path in definition["paths"])
    conformance = client.get(rels["conformance"], headers=h).json()
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance["conformsTo"]
    )
    collections = client.get(rels["data"], headers=h).json()["collections"]
    assert [(c["id"], c["geometryType"]) for c in collections] == [
        ("hotspot_points", "Point"),
        ("hotspot_areas", "Polygon"),
    ]
    for collection in collections:
        links = {link["rel"]: link["href"] for link in collection["links"]}
        assert links["items"].endswith(f"/ogc/collections/{collection['id']}/items")
        schema = client.get(links["describedby"], headers=h).json()
        geometry = schema["properties"]["geometry"]
        assert geometry["format"] == f"geometry-{collection['geometryType'].lower()}"
        assert schema["properties"]["valid_from"]["format"] == "date"
    assert client.get("/ogc/collections/hotspots", headers=h).status_code == 404


def test_points_and_areas_are_separate_collections(client: TestClient, as_role: Headers) -> None:
    analyst = as_role["analyst"]
    for feature in (
        point_feature(),
        polygon_feature(10.5972, 55.8326),
        point_feature(10.2108, 56.1529),
    ):
        assert client.post("/hotspots", json=feature, headers=analyst).status_code == 201
    h = as_role["planner"]
    points, areas = (client.get(path, headers=h).json() for path in (POINTS, AREAS))
    assert [f["geometry"]["type"] for f in points["features"]] == ["Point", "Point"]
    assert [f["geometry"]["type"] for f in areas["features"]] == ["Polygon"]
    assert (points["numberMatched"], areas["numberMatched"]) == (2, 1)
    area_id = areas["features"][0]["id"]
    assert client.get(f"{AREAS}/{area_id}", headers=h).status_code == 200
    wrong = client.get(f"{POINTS}/{area_id}", headers=h)
    assert wrong.status_code == 404 and "registreret som et område" in wrong.json()["detail"]


def test_items_page_with_next_links_and_filter_by_bbox(
    client: TestClient, as_role: Headers
) -> None:
    for lon, lat in [(8.6246, 56.3706), (10.2108, 56.1529), (10.5972, 55.8326)]:
        client.post("/hotspots", json=point_feature(lon, lat), headers=as_role["analyst"])
    h = as_role["planner"]
    first = client.get(POINTS, params={"limit": 2}, headers=h)
    assert first.headers["content-type"].startswith("application/geo+json")
    body = first.json()
    assert (body["numberMatched"], body["numberReturned"]) == (3, 2)
    nxt = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert client.get(nxt, headers=h).json()["numberReturned"] == 1
    boxed = client.get(POINTS, params={"bbox": "10.0,56.0,10.4,56.3"}, headers=h).json()
    assert [f["properties"]["kommunenavn"] for f in boxed["features"]] == ["Aarhus"]
    one = boxed["features"][0]["id"]
    item = client.get(f"{POINTS}/{one}", headers=h).json()
    assert item["id"] == one
    assert client.get(f"{POINTS}/HS-999999", headers=h).status_code == 404


def test_ogc_needs_a_login_and_offers_basic(client: TestClient) -> None:
    answer = client.get(POINTS)
    assert answer.status_code == 401
    assert "Basic" in answer.headers["www-authenticate"]


def test_ogc_accepts_http_basic_with_the_users_password(
    client: TestClient, as_role: Headers
) -> None:
    client.post("/hotspots", json=point_feature(), headers=as_role["analyst"])
    answer = client.get(POINTS, headers=basic("planner", PASSWORD))
    assert answer.status_code == 200 and answer.json()["numberMatched"] == 1
    again = client.get("/ogc/collections", headers=basic("planner", PASSWORD))
    assert again.status_code == 200  # remembered for a minute: no second argon2 check
    for bad in (basic("planner", "wrong password"), basic("nobody", PASSWORD)):
        refused = client.get(POINTS, headers=bad)
        assert refused.status_code == 401 and "forkert brugernavn eller adgangskode" in refused.text
    garbled = client.get(POINTS, headers={"Authorization": "Basic not-base64!"})
    assert garbled.status_code == 401
    # Basic is for /ogc only: the rest of the API wants a bearer token
    assert client.get("/hotspots", headers=basic("planner", PASSWORD)).status_code == 401


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("ogrinfo") is None,
    reason="gdal-bin (ogrinfo) is not installed; scripts/setup.d/30-gdal.sh installs it as root",
)
def test_gdal_oapif_reads_both_layers_with_bearer_or_basic(live_server: Any) -> None:
    base, headers = live_server
    bearer = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: {headers['Authorization']}"}
    basic_auth = {
        **os.environ,
        "GDAL_HTTP_AUTH": "BASIC",
        "GDAL_HTTP_USERPWD": f"planner:{PASSWORD}",
    }
    for env in (bearer, basic_auth):
        result = subprocess.run(
            ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{base}/ogc"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "Layer name: hotspot_points" in result.stdout
        assert "Layer name: hotspot_areas" in result.stdout
        assert result.stdout.count("Feature Count: 1") == 2
    full = subprocess.run(
        ["ogrinfo", "-ro", "-al", f"OAPIF:{base}/ogc", "hotspot_points"],
        capture_output=True,
        text=True,
        timeout=60,
        env=basic_auth,
        check=False,
    )
    assert full.returncode == 0, full.stderr
    assert "kommunenavn (String) = Holstebro" in full.stdout
    assert "POINT" in full.stdout and "POLYGON" not in full.stdout
