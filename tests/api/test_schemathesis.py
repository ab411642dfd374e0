"""Schemathesis against the app's own OpenAPI schema, as an attacker would run it: every
operation, with every role's token, and whatever it sends the answer is no 5xx, has a status
code the schema documents, a body that matches the schema for that code and the documented
content type.

The quick run here takes a few generated examples per operation (each sent with every role's
token); scripts/schemathesis_long.sh runs the same test with many more
(``SMARTSPOT_SCHEMATHESIS_EXAMPLES``) and schemathesis' coverage phase.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api import create_app
from api.app import services_of
from smartspot.demo import load_demo_hotspots
from smartspot.domain import Visit
from smartspot.geo.validate import metric_point
from smartspot.hotspots import HotspotFilter
from smartspot.resources import SCENARIOS_DIR
from tests.api.conftest import ROLES, add_users, login, make_settings

EXAMPLES = int(os.environ.get("SMARTSPOT_SCHEMATHESIS_EXAMPLES", "3"))
#: Schemathesis' coverage phase (boundary values, wrong types and methods, every enum value)
#: rides on Hypothesis' explicit phase; ~7,000 requests, so only the long run takes it.
COVERAGE = os.environ.get("SMARTSPOT_SCHEMATHESIS_COVERAGE", "") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]

_app = create_app(
    make_settings(Path(tempfile.mkdtemp(prefix="smartspot-schemathesis-")), open_docs=True)
)
add_users(_app)
_services = services_of(_app)
load_demo_hotspots(_services.hotspots, SCENARIOS_DIR)
_services.engine.add_patrol("MV-21", "st01", actor="test")
_callout = _services.engine.receive(
    urgent=False, position=metric_point(8.6246, 56.3706), actor="test"
)
_hotspot = _services.hotspots.list(HotspotFilter(limit=1))[0]
_visit = _services.engine.report_visit(
    Visit(
        hotspot=_hotspot.id,
        patrol="MV-21",
        arrived_at=datetime.now(UTC) - timedelta(minutes=30),
    ),
    actor="test",
)
_client = TestClient(_app)
_AUTH = {role: login(_client, role) for role in ROLES}

#: Ids of objects that exist, so half the cases reach past the 404 into the operation itself.
#: User names are left out: a fuzzed PATCH /users/{name} would end the logins used here.
KNOWN = {
    "hotspot_id": _hotspot.id,
    "call_sign": "MV-21",
    "callout_id": _callout.id,
    "visit_id": _visit.id,
}

schema = schemathesis.openapi.from_asgi("/openapi.json", _app)
# sqlite_only: the schema contract; the routes' store paths run on both elsewhere
pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

_TALLY: Counter[str] = Counter()
_FAILURES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    """With SMARTSPOT_SCHEMATHESIS_REPORT set, write the run's figures there as JSON."""
    yield
    target = os.environ.get("SMARTSPOT_SCHEMATHESIS_REPORT")
    if target:
        figures = {
            "examples_per_operation": EXAMPLES,
            "coverage_phase": COVERAGE,
            "operations": len(list(schema.exclude(path="/events").get_all_operations())),
            "roles": list(ROLES),
            "tally": dict(sorted(_TALLY.items())),
            "failures": dict(sorted(_FAILURES.items())),
        }
        Path(target).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


@schema.exclude(path="/events").parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate] if COVERAGE else [Phase.generate],
    database=None,
)
def test_every_operation_answers_as_documented_for_every_role(case: Any) -> None:
    parameters = case.path_parameters or {}
    # Decided by the generated data itself, so Hypothesis replays and shrinks it alike.
    if len(repr(sorted(parameters.items()))) % 2 == 0:
        for name in parameters.keys() & KNOWN.keys():
            parameters[name] = KNOWN[name]
    for role in ROLES:  # the same request with each role's token
        response = case.call(headers=_AUTH[role])
        _TALLY["requests"] += 1
        _TALLY[f"status {response.status_code}"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:
            for problem in getattr(failure, "exceptions", [failure]):
                title = getattr(problem, "title", type(problem).__name__)
                _FAILURES[f"{case.method} {case.path} as {role}: {title}"] += 1
            raise


def test_the_schema_documents_the_real_422_body() -> None:
    spec = _client.get("/openapi.json").json()
    answer = spec["paths"]["/callouts"]["post"]["responses"]["422"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][ref]["required"]) == {"detail", "errors"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
