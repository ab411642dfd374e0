"""Schemathesis against the app's own OpenAPI schema: whatever it sends, never a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api import create_app
from api.app import services_of
from smartspot.demo import load_demo_hotspots
from smartspot.resources import SCENARIOS_DIR
from tests.api.conftest import add_users, login, make_settings

_app = create_app(
    make_settings(Path(tempfile.mkdtemp(prefix="smartspot-schemathesis-")), open_docs=True)
)
add_users(_app)
load_demo_hotspots(services_of(_app).hotspots, SCENARIOS_DIR)
services_of(_app).engine.add_patrol("MV-21", "st01", actor="test")
_AUTH = login(TestClient(_app), "admin")

schema = schemathesis.openapi.from_asgi("/openapi.json", _app)


@pytest.mark.slow
@schema.exclude(path="/events").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_server_fail(case: Any) -> None:
    response = case.call(headers=_AUTH)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
