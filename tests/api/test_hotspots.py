"""Hotspot endpoints: register, list with bbox and paging, change, close, history, export."""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import point_feature, polygon_feature

# The routes' store work, on SQLite and on PostGIS (tests/conftest.py).
pytestmark = pytest.mark.both_backends

Headers = dict[str, dict[str, str]]

AARHUS = (10.2108, 56.1529)
SAMSOE = (10.5972, 55.8326)


def test_register_a_point_derives_kommune_and_politikreds(
    client: TestClient, as_role: Headers
) -> None:
    answer = client.post("/hotspots", json=point_feature(), headers=as_role["analyst"])
    assert answer.status_code == 201, answer.text
    feature = answer.json()
    props = feature["properties"]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == [8.6246, 56.3706]
    assert (props["kommunekode"], props["kommunenavn"]) == ("0661", "Holstebro")
    assert props["politikreds"] == "Midt- og Vestjyllands Politi"
    assert props["version"] == 1
    assert props["created_by"] == "analyst"
    assert props["windows"] == ["fri,sat 20:00-02:00"]


def test_register_a_polygon_keeps_it_counter_clockwise(
    client: TestClient, as_role: Headers
) -> None:
    feature = polygon_feature(*SAMSOE)
    ring = feature["geometry"]["coordinates"][0]
    feature["geometry"]["coordinates"] = [list(reversed(ring))]  # clockwise in
    answer = client.post("/hotspots", json=feature, headers=as_role["analyst"])
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["properties"]["kommunenavn"] == "Samsø"
    ring = out["geometry"]["coordinates"][0]
    signed = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert signed > 0  # counter-clockwise: RFC 7946's right-hand rule


def _register_three(client: TestClient, headers: dict[str, str]) -> list[str]:
    ids = []
    for lon, lat in [(8.6246, 56.3706), AARHUS, SAMSOE]:
        answer = client.post("/hotspots", json=point_feature(lon, lat), headers=headers)
        ids.append(answer.json()["id"])
    return ids


def test_list_is_a_feature_collection_filtered_by_bbox(
    client: TestClient, as_role: Headers
) -> None:
    holstebro, aarhus, _ = _register_three(client, as_role["analyst"])
    answer = client.get(
        "/hotspots", params={"bbox": "10.0,56.0,10.4,56.3"}, headers=as_role["operator"]
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    body = answer.json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [aarhus]
    assert body["numberMatched"] == 1
    everything = client.get("/hotspots", headers=as_role["operator"]).json()
    assert {f["id"] for f in everything["features"]} >= {holstebro, aarhus}


def test_list_pages_with_limit_offset_and_a_next_link(client: TestClient, as_role: Headers) -> None:
    ids = _register_three(client, as_role["analyst"])
    first = client.get("/hotspots", params={"limit": 2}, headers=as_role["planner"]).json()
    assert [f["id"] for f in first["features"]] == ids[:2]
    assert first["numberMatched"] == 3
    assert first["numberReturned"] == 2
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(next_link, headers=as_role["planner"]).json()
    assert [f["id"] for f in second["features"]] == ids[2:]
    assert not [link for link in second["links"] if link["rel"] == "next"]


def test_list_filters_by_kommune_and_politikreds(client: TestClient, as_role: Headers) -> None:
    holstebro, aarhus, samsoe = _register_three(client, as_role["analyst"])
    by_kommune = client.get(
        "/hotspots", params={"kommune": "Holstebro"}, headers=as_role["planner"]
    )
    assert [f["id"] for f in by_kommune.json()["features"]] == [holstebro]
    by_kreds = client.get(
        "/hotspots", params={"politikreds": "Østjyllands Politi"}, headers=as_role["planner"]
    )
    assert {f["id"] for f in by_kreds.json()["features"]} == {aarhus, samsoe}


def test_update_makes_a_new_version_and_history_keeps_every_one(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    hid = hotspot["id"]
    change = {"expected_version": 1, "properties": {"priority": 2, "title": "Knallerter, roligere"}}
    answer = client.patch(f"/hotspots/{hid}", json=change, headers=as_role["analyst"])
    assert answer.status_code == 200, answer.text
    props = answer.json()["properties"]
    assert (props["version"], props["priority"], props["title"]) == (2, 2, "Knallerter, roligere")
    assert props["description"] == hotspot["properties"]["description"]  # untouched fields stay
    history = client.get(f"/hotspots/{hid}/history", headers=as_role["planner"]).json()
    assert [f["properties"]["version"] for f in history["features"]] == [1, 2]
    assert [f["properties"]["priority"] for f in history["features"]] == [4, 2]


def test_moving_a_hotspot_rederives_its_kommune(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    change = {"expected_version": 1, "geometry": {"type": "Point", "coordinates": list(AARHUS)}}
    answer = client.patch(f"/hotspots/{hotspot['id']}", json=change, headers=as_role["analyst"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["properties"]["kommunenavn"] == "Aarhus"


def test_two_analysts_editing_the_same_version_the_second_gets_409(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    hid = hotspot["id"]
    first = {"expected_version": 1, "properties": {"priority": 5}}
    second = {"expected_version": 1, "properties": {"priority": 1}}
    assert (
        client.patch(f"/hotspots/{hid}", json=first, headers=as_role["analyst"]).status_code == 200
    )
    stale = client.patch(f"/hotspots/{hid}", json=second, headers=as_role["admin"])
    assert stale.status_code == 409
    assert "version 2" in stale.json()["detail"]
    current = client.get(f"/hotspots/{hid}", headers=as_role["planner"]).json()
    assert current["properties"]["priority"] == 5  # nothing was overwritten


def test_close_keeps_the_hotspot_and_its_history(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    hid = hotspot["id"]
    answer = client.post(
        f"/hotspots/{hid}/close", json={"reason": "Problemet er løst"}, headers=as_role["analyst"]
    )
    assert answer.status_code == 200
    props = answer.json()["properties"]
    assert (props["status"], props["close_reason"], props["version"]) == (
        "closed",
        "Problemet er løst",
        2,
    )
    again = client.post(
        f"/hotspots/{hid}/close", json={"reason": "igen"}, headers=as_role["analyst"]
    )
    assert again.status_code == 409
    open_only = client.get(
        "/hotspots", params={"status": "open"}, headers=as_role["planner"]
    ).json()
    assert open_only["features"] == []
    history = client.get(f"/hotspots/{hid}/history", headers=as_role["planner"]).json()
    assert len(history["features"]) == 2


def test_every_write_is_audited_with_its_user(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    from api.app import services_of

    hid = hotspot["id"]
    client.patch(
        f"/hotspots/{hid}",
        json={"expected_version": 1, "properties": {"priority": 1}},
        headers=as_role["admin"],
    )
    entries = services_of(client.app).store.audit.entries(entity="hotspot", entity_id=hid)  # type: ignore[arg-type]
    assert [(e.actor, e.action) for e in entries] == [("analyst", "create"), ("admin", "update")]


def test_export_geojson_reads_back_with_geopandas(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    answer = client.get(
        "/hotspots/export", params={"format": "geojson"}, headers=as_role["planner"]
    )
    assert answer.status_code == 200
    frame = gpd.read_file(io.BytesIO(answer.content))
    assert list(frame["id"]) == [hotspot["id"]]
    assert frame.crs.to_epsg() == 4326
    assert json.loads(answer.content)["features"][0]["properties"]["kommunekode"] == "0661"


def test_export_geopackage_reads_back_with_geopandas(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any], tmp_path: Any
) -> None:
    answer = client.get("/hotspots/export", params={"format": "gpkg"}, headers=as_role["planner"])
    assert answer.status_code == 200
    path = tmp_path / "out.gpkg"
    path.write_bytes(answer.content)
    frame = gpd.read_file(path, layer="hotspot_points")
    assert list(frame["id"]) == [hotspot["id"]]
    assert frame.geometry.iloc[0].x == 8.6246
