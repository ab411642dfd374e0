"""Security headers on every answer; the API schema behind a login unless opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.app import SWAGGER_UI, services_of
from api.security import content_security_policy, tile_source
from tests.api.conftest import make_settings


@pytest.mark.parametrize("path", ["/", "/health", "/hotspots", "/static/app.js", "/nowhere"])
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers  # plain http: HSTS would be ignored


def test_hsts_is_sent_over_tls(app: FastAPI) -> None:
    answer = TestClient(app, base_url="https://testserver").get("/health")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_an_online_tile_server_is_allowed_for_images_only() -> None:
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert (
        tile_source("https://{s}.tiles.example.dk/{z}/{x}/{y}.png") == "https://*.tiles.example.dk"
    )
    assert tile_source("javascript:alert(1)") == ""
    csp = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org;" in csp
    assert "connect-src 'self';" in csp


def test_the_schema_needs_a_login(client: TestClient, as_role: dict[str, dict[str, str]]) -> None:
    assert client.get("/openapi.json").status_code == 401
    answer = client.get("/openapi.json", headers=as_role["planner"])
    assert answer.status_code == 200
    assert "/hotspots" in answer.json()["paths"]
    assert client.get("/redoc").status_code == 404


def test_a_setting_opens_the_schema(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, open_docs=True))
    assert TestClient(app).get("/openapi.json").status_code == 200
    services_of(app).close()


@pytest.mark.skipif(
    not (SWAGGER_UI / "swagger-ui-bundle.js").exists(),
    reason="needs api/node_modules (scripts/setup.d/10-frontend.sh)",
)
def test_the_docs_page_is_self_hosted(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.replace('href="/', "")  # no CDN, no outside address
    assert client.get("/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
