"""``GET /audit?object=…``: analysts and admins read who did what to an object, when, in
Copenhagen time; the record they read verifies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import services_of
from smartspot.clock import FixedClock
from tests.api.conftest import point_feature

# The routes' store work, on SQLite and on PostGIS (tests/conftest.py).
pytestmark = pytest.mark.both_backends

Headers = dict[str, dict[str, str]]


def test_analysts_and_admins_read_an_objects_story_in_local_time(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    client.post(
        f"/hotspots/{hotspot['id']}/close",
        json={"reason": "løst", "expected_version": 1},
        headers=as_role["analyst"],
    )
    for role in ("analyst", "admin"):
        answer = client.get("/audit", params={"object": hotspot["id"]}, headers=as_role[role])
        assert answer.status_code == 200, answer.text
        story = answer.json()
        assert [(e["actor"], e["action"]) for e in story] == [
            ("analyst", "create"),
            ("analyst", "close"),
        ]
        assert story[0]["at"] == "2026-03-14T22:00:00+01:00"  # 21:00 UTC in March: CET
        assert story[1]["after"]["status"] == "closed"


def test_operators_and_planners_may_not_read_the_audit_log(
    client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    for role in ("operator", "planner"):
        answer = client.get("/audit", params={"object": hotspot["id"]}, headers=as_role[role])
        assert answer.status_code == 403


def test_an_object_without_audit_rows_is_404(client: TestClient, as_role: Headers) -> None:
    answer = client.get("/audit", params={"object": "HS-999999"}, headers=as_role["admin"])
    assert answer.status_code == 404


def test_the_record_written_through_the_api_verifies(
    app: FastAPI, client: TestClient, as_role: Headers, hotspot: dict[str, Any]
) -> None:
    client.patch("/users/operator", json={"active": False}, headers=as_role["admin"])
    verdict = services_of(app).store.verify_audit()
    assert verdict.ok, verdict.problem


def test_summer_times_are_shown_in_summer_time(
    client: TestClient, as_role: Headers, clock: FixedClock
) -> None:
    clock.advance(120 * 24 * 3600)  # 14 March + 120 days = 12 July, 21:00 UTC
    made = client.post("/hotspots", json=point_feature(), headers=as_role["analyst"]).json()
    story = client.get("/audit", params={"object": made["id"]}, headers=as_role["admin"]).json()
    assert story[0]["at"] == "2026-07-12T23:00:00+02:00"  # CEST
