"""POST /followups/import (GeoJSON or CSV, all or nothing, the CLI's report in Danish) and
POST /followups/purge (the retention job) for analysts and admins, within their politikredse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from api.auth import new_account
from smartspot.clock import FixedClock
from smartspot.followups import FollowUpStatus
from tests.api.conftest import NOW, PASSWORD, add_users, login, make_settings
from tests.followup_fixtures import NAME, PHONE

CSV = "text/csv; charset=utf-8"
HEADER = "lon,lat,case_ref,category,task,name,phone,due_by\n"
GOOD = f"8.3125,56.5486,4100-76543-00123-26,burglary,Opfølgning,{NAME},{PHONE},\n"
AARHUS = (10.2039, 56.1629)  # Østjyllands Politi


def geojson(*points: tuple[float, float], **props: Any) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(point)},
                "properties": {
                    "case_ref": f"4100-76543-{index + 100:05d}-26",
                    "category": "threats",
                    "task": "Opfølgning efter trusler",
                    "name": NAME,
                    "phone": PHONE,
                }
                | props,
            }
            for index, point in enumerate(points)
        ],
    }


def post_file(
    client: TestClient, body: str | dict[str, Any], headers: dict[str, str], kind: str = CSV
) -> Any:
    content = json.dumps(body) if isinstance(body, dict) else body
    return client.post(
        "/followups/import", content=content.encode(), headers=headers | {"Content-Type": kind}
    )


def test_an_analyst_imports_geojson_and_the_map_hears_each_without_the_citizen(
    client: TestClient, as_role: dict[str, dict[str, str]], app: FastAPI
) -> None:
    answer = post_file(
        client,
        geojson((8.3125, 56.5486), (8.59, 56.49)),
        as_role["analyst"],
        "application/geo+json",
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"imported": 2, "ids": ["TO-000001", "TO-000002"]}
    listed = client.get("/followups", headers=as_role["planner"]).json()
    assert [f["id"] for f in listed["features"]] == ["TO-000001", "TO-000002"]
    events = [e for e in services_of(app).store.events.after(0, limit=100) if e.kind == "followup"]
    assert [e.data["id"] for e in events] == ["TO-000001", "TO-000002"]
    assert NAME not in json.dumps(events, default=str) and PHONE not in json.dumps(
        [e.data for e in events]
    )


#: The issue's four bad inputs as CSV rows, with the field named and Danish words of the reason.
BAD_ROWS = [
    ("12.57,59.91,4100-76543-00124-26,burglary,T,Ole,,", "geometry", "uden for Danmark"),
    ("56.5486,8.3125,4100-76543-00125-26,burglary,T,Ole,,", "geometry", "breddegrad/længdegrad"),
    ("8.3125,56.5486,4100-76543-00126-26,burglary,T,Ole,,2026-03-01", "due_by", "overskredet"),
    ("8.3125,56.5486,sag 17,burglary,T,Ole,,", "case_ref", "journalnummer"),
]


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_field_in_danish(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    body = HEADER + GOOD + "".join(row + "\n" for row, _, _ in BAD_ROWS)
    answer = post_file(client, body, as_role["analyst"])
    assert answer.status_code == 422, answer.text
    report = answer.json()
    assert report["imported"] == 0
    assert [(r["index"], r["field"]) for r in report["rejected"]] == [
        (index + 1, field) for index, (_, field, _) in enumerate(BAD_ROWS)
    ]
    for row, (_, _, words) in zip(report["rejected"], BAD_ROWS, strict=True):
        assert words in row["reason"], row
    assert report["rejected"][3]["case_ref"] == "sag 17"
    assert report["detail"].startswith("importen er afvist, intet er importeret: 4 af 5")
    assert [e["field"] for e in report["errors"]] == [
        "1.geometry",
        "2.geometry",
        "3.due_by",
        "4.case_ref",
    ]
    assert client.get("/followups", headers=as_role["analyst"]).json()["features"] == []


def test_only_analysts_and_admins_import_and_purge(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    for role in ("operator", "planner"):
        assert post_file(client, HEADER + GOOD, as_role[role]).status_code == 403
        assert client.post("/followups/purge", headers=as_role[role]).status_code == 403
    assert post_file(client, HEADER + GOOD, as_role["admin"]).status_code == 201
    assert client.post("/followups/purge", headers=as_role["admin"]).status_code == 200


def test_a_body_neither_geojson_nor_csv_is_refused_in_danish(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    answer = post_file(client, "<xml/>", as_role["analyst"], "application/xml")
    assert answer.status_code == 415 and "send filen som" in answer.json()["detail"]
    answer = post_file(client, "{not json", as_role["analyst"], "application/geo+json")
    assert answer.status_code == 422 and answer.json()["field"] == "body"
    answer = post_file(client, "navn,by\nOle,Lemvig\n", as_role["analyst"])
    assert answer.status_code == 422 and answer.json()["field"] == "columns"


@pytest.fixture
def short_retention(tmp_path: Path, clock: FixedClock) -> Any:
    """An app whose follow-ups keep the citizen 0 days after closing, with an analyst of
    Midt- og Vestjylland only."""
    app = create_app(make_settings(tmp_path, followup_retention_days=0), clock=clock)
    add_users(app)
    account = new_account(
        "analytiker-mv", "analyst", PASSWORD, now=NOW, districts=("Midt- og Vestjyllands Politi",)
    )
    services_of(app).store.users.add(account, actor="test")
    yield app
    services_of(app).close()


def test_an_analyst_imports_and_purges_only_in_their_districts(short_retention: FastAPI) -> None:
    client = TestClient(short_retention)
    local, national = login(client, "analytiker-mv"), login(client, "analyst")
    answer = post_file(client, geojson((8.3125, 56.5486), AARHUS), local, "application/geo+json")
    assert answer.status_code == 422
    [row] = answer.json()["rejected"]
    assert (row["index"], row["field"]) == (1, "geometry")
    assert "Østjyllands Politi" in row["reason"] and "uden for dine politikredse" in row["reason"]
    answer = post_file(client, geojson((8.3125, 56.5486), AARHUS), national, "application/geo+json")
    assert answer.status_code == 201
    services = services_of(short_retention)
    for followup_id in answer.json()["ids"]:
        services.followups.close(followup_id, FollowUpStatus.DONE_BY_PHONE, user="analyst")
    purged = client.post("/followups/purge", headers=local).json()
    assert purged["erased"] == ["TO-000001"] and purged["retention_days"] == 0
    assert services.followups.show("TO-000001").erased
    assert not services.followups.show("TO-000002").erased  # Østjylland's: not theirs
    assert client.post("/followups/purge", headers=national).json()["erased"] == ["TO-000002"]
    assert services.store.verify_audit().ok
