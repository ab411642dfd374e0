"""The map's own endpoints: the offline base layer, the favicon, the start configuration."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.sqlite_only  # static pages and the map's configuration

Headers = dict[str, dict[str, str]]


def test_the_base_layer_has_roads_per_level_and_towns(client: TestClient, as_role: Headers) -> None:
    h = as_role["operator"]
    config = client.get("/config", headers=h).json()
    assert config["basemap_levels"] == {"overview": [0, 10], "area": [11, 13], "street": [14, 22]}
    sizes = {}
    for level in config["basemap_levels"]:
        answer = client.get(f"/basemap/roads/{level}", headers=h)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/geo+json")
        sizes[level] = len(answer.json()["features"])
    assert 0 < sizes["overview"] < sizes["area"] < sizes["street"]
    towns = client.get("/basemap/towns", headers=h).json()["features"]
    assert towns[0]["properties"]["name"] == "København"
    assert client.get("/basemap/roads/satellite", headers=h).status_code == 422


def test_the_base_layer_needs_a_login(client: TestClient) -> None:
    assert client.get("/basemap/roads/street").status_code == 401


def test_the_favicon_is_served_without_a_login(client: TestClient) -> None:
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/x-icon"
    assert answer.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
