"""Every bad input gets a precise 4xx with a message, never a 500 or a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from tests.api.conftest import add_users, login, make_settings, point_feature, polygon_feature

Headers = dict[str, dict[str, str]]


def _post(client: TestClient, headers: Headers, body: Any) -> Any:
    return client.post("/hotspots", json=body, headers=headers["analyst"])


def test_a_self_intersecting_polygon_is_422_saying_why(
    client: TestClient, as_role: Headers
) -> None:
    bowtie = polygon_feature()
    bowtie["geometry"]["coordinates"] = [
        [[8.62, 56.37], [8.63, 56.38], [8.63, 56.37], [8.62, 56.38], [8.62, 56.37]]
    ]
    answer = _post(client, as_role, bowtie)
    assert answer.status_code == 422
    assert "polygonens kanter krydser hinanden" in answer.json()["detail"]
    assert answer.json()["field"] == "geometry"


def test_a_domain_422_has_the_same_errors_list_as_a_schema_422(
    client: TestClient, as_role: Headers
) -> None:
    bowtie = polygon_feature()
    bowtie["geometry"]["coordinates"] = [
        [[8.62, 56.37], [8.63, 56.38], [8.63, 56.37], [8.62, 56.38], [8.62, 56.37]]
    ]
    body = _post(client, as_role, bowtie).json()
    assert [(e["field"], e["type"]) for e in body["errors"]] == [("geometry", "invalid")]
    assert body["errors"][0]["message"] == body["detail"]


def test_an_unclosed_ring_is_422(client: TestClient, as_role: Headers) -> None:
    feature = polygon_feature()
    feature["geometry"]["coordinates"] = [
        [[8.62, 56.37], [8.63, 56.38], [8.63, 56.37], [8.625, 56.36]]
    ]
    answer = _post(client, as_role, feature)
    assert answer.status_code == 422
    assert "detail" in answer.json()


def test_a_place_outside_denmark_is_422(client: TestClient, as_role: Headers) -> None:
    answer = _post(client, as_role, point_feature(13.40, 52.52))  # Berlin
    assert answer.status_code == 422
    assert "uden for Danmark" in answer.json()["detail"]


def test_a_place_in_the_north_sea_is_422(client: TestClient, as_role: Headers) -> None:
    answer = _post(client, as_role, point_feature(7.95, 56.3))
    assert answer.status_code == 422
    assert "uden for dansk land" in answer.json()["detail"]


def test_swapped_lat_lon_is_422_and_says_so(client: TestClient, as_role: Headers) -> None:
    answer = _post(client, as_role, point_feature(56.3706, 8.6246))
    assert answer.status_code == 422
    assert "breddegrad/længdegrad" in answer.json()["detail"]


def test_a_polygon_too_large_is_422(client: TestClient, as_role: Headers) -> None:
    feature = polygon_feature()
    lon, lat, d = 9.0, 56.2, 0.2
    feature["geometry"]["coordinates"] = [
        [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    ]
    answer = _post(client, as_role, feature)
    assert answer.status_code == 422
    assert "km²" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"priority": 9}, "priority"),
        ({"category": "arson"}, "category"),
        ({"windows": ["someday 25:00-26:00"]}, "windows"),
        ({"valid_from": "2026-05-01", "valid_to": "2026-04-01"}, "valid_to"),
        ({"title": ""}, "title"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_bad_properties_are_422_naming_the_field(
    client: TestClient, as_role: Headers, change: dict[str, Any], field: str
) -> None:
    answer = _post(client, as_role, point_feature(**change))
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def test_a_geometry_of_the_wrong_type_is_422(client: TestClient, as_role: Headers) -> None:
    feature = point_feature()
    feature["geometry"] = {"type": "LineString", "coordinates": [[8.6, 56.3], [8.7, 56.4]]}
    assert _post(client, as_role, feature).status_code == 422


def test_malformed_json_is_400(client: TestClient, as_role: Headers) -> None:
    answer = client.post(
        "/hotspots",
        content=b'{"type": "Feature", "geometry": ',
        headers={**as_role["analyst"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert (
        answer.json()["detail"]
        == "forespørgslens indhold er ikke gyldig JSON (der mangler en værdi)"
    )


@pytest.mark.parametrize(
    ("body", "danish", "english"),
    [
        (b'{"a" 1}', "der mangler et kolon", "Expecting ':' delimiter"),
        (b"{bad", "feltnavn i dobbelte anførselstegn", "Expecting property name"),
        (b'{"a": 1} 2', "der er mere efter JSON-værdien", "Extra data"),
    ],
)
def test_the_json_parsers_words_are_translated_too(
    client: TestClient, as_role: Headers, body: bytes, danish: str, english: str
) -> None:
    headers = {**as_role["analyst"], "Content-Type": "application/json"}
    answer = client.post("/hotspots", content=body, headers=headers)
    assert answer.status_code == 400 and danish in answer.json()["detail"]
    answer = client.post("/hotspots", content=body, headers={**headers, "Accept-Language": "en"})
    assert english in answer.json()["detail"]


def test_an_oversized_payload_is_413(client: TestClient, as_role: Headers) -> None:
    feature = point_feature(description="x" * 60_000)
    answer = _post(client, as_role, feature)
    assert answer.status_code == 413
    assert "større end grænsen" in answer.json()["detail"]


def test_an_oversized_chunked_payload_without_length_is_413(
    client: TestClient, as_role: Headers
) -> None:
    def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1_000

    answer = client.post(
        "/hotspots",
        content=chunks(),
        headers={**as_role["analyst"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/hotspots/HS-999999", None),
        ("GET", "/hotspots/HS-999999/history", None),
        ("PATCH", "/hotspots/HS-999999", {"expected_version": 1, "properties": {"priority": 2}}),
        ("POST", "/hotspots/HS-999999/close", {"reason": "væk"}),
    ],
)
def test_an_unknown_id_is_404(
    client: TestClient, as_role: Headers, method: str, path: str, body: Any
) -> None:
    answer = client.request(method, path, json=body, headers=as_role["admin"])
    assert answer.status_code == 404
    assert "HS-999999" in answer.json()["detail"]


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "10,56,9,57", "nan,56,10,57", "200,56,201,57"]
)
def test_a_bad_bbox_is_422(client: TestClient, as_role: Headers, bbox: str) -> None:
    answer = client.get("/hotspots", params={"bbox": bbox}, headers=as_role["planner"])
    assert answer.status_code == 422
    assert "bbox" in answer.json()["detail"]


def test_unknown_politikreds_is_404_listing_the_known_ones(
    client: TestClient, as_role: Headers
) -> None:
    answer = client.get("/hotspots", params={"politikreds": "Atlantis"}, headers=as_role["planner"])
    assert answer.status_code == 404
    assert "Østjyllands Politi" in answer.json()["detail"]


def test_unknown_kommune_is_404_as_an_unknown_politikreds_is(
    client: TestClient, as_role: Headers
) -> None:
    answer = client.get("/hotspots", params={"kommune": "Atlantis"}, headers=as_role["planner"])
    assert answer.status_code == 404
    assert "ingen kommune ved navn 'Atlantis'" in answer.json()["detail"]


def test_an_update_without_changes_is_422(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    answer = client.patch(
        f"/hotspots/{hotspot['id']}", json={"expected_version": 1}, headers=as_role["analyst"]
    )
    assert answer.status_code == 422
    assert "intet at ændre" in answer.json()["detail"]


@pytest.mark.sqlite_only  # SQLite's file lock here; tests/store/test_sqlite.py locks both backends
def test_a_locked_database_is_503_with_a_clear_message(
    client: TestClient, as_role: Headers, app: Any
) -> None:
    path = services_of(app).settings.db
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        answer = _post(client, as_role, point_feature())
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert answer.status_code == 503
    assert "låst" in answer.json()["detail"]
    assert answer.headers["Retry-After"] == "2"
    assert _post(client, as_role, point_feature()).status_code == 201  # and it recovers


def test_an_unknown_path_is_a_json_404(client: TestClient) -> None:
    answer = client.get("/nowhere")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Ikke fundet"}


def test_a_wrong_method_is_405(client: TestClient, as_role: Headers) -> None:
    answer = client.delete("/hotspots", headers=as_role["admin"])
    assert answer.status_code == 405


def test_a_database_that_is_not_sqlite_fails_at_start_with_a_storage_error(tmp_path: Path) -> None:
    from smartspot.errors import StorageError

    bad = tmp_path / "smartspot.db"
    bad.write_text("this is not a database")
    with pytest.raises(StorageError, match="not a readable"):
        create_app(make_settings(tmp_path))


def test_the_app_starts_on_an_existing_database_and_keeps_its_users(tmp_path: Path) -> None:
    first = create_app(make_settings(tmp_path))
    add_users(first)
    services_of(first).close()
    second = create_app(make_settings(tmp_path))
    assert login(TestClient(second), "planner")
    services_of(second).close()
