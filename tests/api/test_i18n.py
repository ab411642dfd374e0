"""The API answers people in their language: Accept-Language picks Danish or English."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import polygon_feature

pytestmark = pytest.mark.sqlite_only  # the map's texts

Headers = dict[str, dict[str, str]]


def test_the_map_texts_follow_accept_language_without_a_login(client: TestClient) -> None:
    danish = client.get("/i18n.json", headers={"Accept-Language": "da-DK,da;q=0.9"}).json()
    english = client.get("/i18n.json", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    default = client.get("/i18n.json").json()
    assert danish["language"] == default["language"] == "da"
    assert english["language"] == "en"
    assert danish["messages"]["Log in"] == "Log ind"
    assert english["messages"]["Log in"] == "Log in"
    assert client.get("/i18n/en.json").json() == english
    assert client.get("/i18n/fr.json").status_code == 422


def test_an_invalid_polygon_is_explained_in_danish_with_rounded_coordinates(
    client: TestClient, as_role: Headers
) -> None:
    bowtie = polygon_feature()
    bowtie["geometry"]["coordinates"] = [
        [[8.62, 56.37], [8.63, 56.38], [8.63, 56.37], [8.62, 56.38], [8.62, 56.37]]
    ]
    answer = client.post("/hotspots", json=bowtie, headers=as_role["analyst"])
    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "polygonens kanter krydser hinanden ved længdegrad 8,6250, breddegrad 56,3750; "
        "tegn en enkel ring, der ikke krydser sig selv"
    )
    assert answer.json()["field"] == "geometry"  # machine fields stay as they are


def test_an_english_reader_gets_english_errors(client: TestClient, as_role: Headers) -> None:
    headers = {**as_role["analyst"], "Accept-Language": "en"}
    answer = client.get("/hotspots/HS-999999", headers=headers)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no hotspot 'HS-999999'; ids look like HS-000042"


def test_schema_problems_are_in_danish_with_stable_types(
    client: TestClient, as_role: Headers
) -> None:
    answer = client.post("/hotspots", json={"type": "Feature"}, headers=as_role["analyst"])
    assert answer.status_code == 422
    body = answer.json()
    assert "skal udfyldes" in body["detail"]
    assert {e["type"] for e in body["errors"]} >= {"missing"}
