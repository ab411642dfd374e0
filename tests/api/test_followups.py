"""The follow-up routes per role: who registers, who records, who sees the citizen — and that
no operator-facing answer or live event ever carries the name or phone number."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import services_of
from smartspot.plans import PlannedStop, Proposal, ProposalStatus, SolverRun
from tests.api.conftest import NOW, ROLES
from tests.followup_fixtures import NAME, PHONE, PHONE_DIGITS

SECRETS = (NAME, PHONE, PHONE_DIGITS, "Mikkelsen", "29 48")


def followup_feature(**props: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "case_ref": "4100-76543-00123-26",
        "category": "burglary",
        "task": "Tryghedsopfølgning efter indbrud; giv folderen",
        "name": NAME,
        "phone": PHONE,
        "address": "Vestergade 12, 7620 Lemvig",
        "windows": ["mon-fri 16:00-20:00"],
    }
    properties.update(props)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [8.3125, 56.5486]},
        "properties": properties,
    }


def register(client: TestClient, as_role: dict[str, dict[str, str]], **props: Any) -> str:
    answer = client.post("/followups", json=followup_feature(**props), headers=as_role["analyst"])
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def accept_with(app: FastAPI, followup_id: str, patrol: str = "MV-21") -> Proposal:
    """A car's accepted proposal holding the follow-up as a stop (as the planner will make)."""
    services = services_of(app)
    services.engine.add_patrol(patrol, "st01", actor="test")
    eta = NOW + timedelta(minutes=12)
    stop = PlannedStop(
        followup_id, "Opfølgning: indbrud", 8.3125, 56.5486, eta, eta,
        eta + timedelta(minutes=10), 10, 3.0,
    )  # fmt: skip
    stored = services.store.proposals.add(
        Proposal(
            id="new",
            patrol=patrol,
            politikreds="Midt- og Vestjyllands Politi",
            created_at=NOW,
            stops=(stop,),
            run=SolverRun("greedy", 1.0, 0),
        ),
        actor="test",
    )
    return services.store.proposals.decide(
        stored.decided(ProposalStatus.ACCEPTED, by="operator", at=NOW), actor="operator"
    )


def test_only_analysts_and_admins_register(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    for role in ("operator", "planner"):
        answer = client.post("/followups", json=followup_feature(), headers=as_role[role])
        assert answer.status_code == 403, role
    answer = client.post("/followups", json=followup_feature(), headers=as_role["admin"])
    assert answer.status_code == 201
    body = answer.json()
    assert body["properties"]["kommunenavn"] == "Lemvig"
    assert body["properties"]["due_by"] == "2026-03-28"  # 14 days from the 14th
    assert (body["properties"]["name"], body["properties"]["phone"]) == (NAME, PHONE)


def test_each_role_sees_the_citizen_only_when_allowed(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    followup_id = register(client, as_role)
    for role in ROLES:
        one = client.get(f"/followups/{followup_id}", headers=as_role[role])
        many = client.get("/followups", headers=as_role[role])
        assert one.status_code == many.status_code == 200
        props = one.json()["properties"]
        if role in ("analyst", "admin"):
            assert (props["personal"], props["name"], props["phone"]) == ("shown", NAME, PHONE)
        else:
            assert props["personal"] == "withheld" and props["name"] is None
            assert leaks(one.text) == leaks(many.text) == [], role
            assert props["task"] and props["category"] == "burglary"  # place, category, task


def test_the_patrol_gets_the_contact_only_once_its_car_accepted_the_task(
    app: FastAPI, client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    followup_id = register(client, as_role)
    refused = client.get(f"/followups/{followup_id}/contact", headers=as_role["operator"])
    assert refused.status_code == 409
    assert leaks(refused.text) == []
    accept_with(app, followup_id)
    for role in ("analyst", "planner"):
        answer = client.get(f"/followups/{followup_id}/contact", headers=as_role[role])
        assert answer.status_code == 403, role
    shown = client.get(f"/followups/{followup_id}/contact", headers=as_role["operator"])
    assert shown.status_code == 200
    assert shown.json() == {
        "followup": followup_id, "patrol": "MV-21", "name": NAME, "phone": PHONE,
    }  # fmt: skip
    audit = client.get(f"/audit?object={followup_id}", headers=as_role["analyst"])
    assert [row["action"] for row in audit.json()] == ["create", "contact-shown"]
    assert audit.json()[-1]["actor"] == "operator"
    assert leaks(audit.text) == []  # the audit log records the disclosure, not the data


def test_an_operator_records_attempts_and_the_task_falls_back_to_phone(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    followup_id = register(client, as_role)
    body = {"patrol": "MV-21", "outcome": "not_home", "left": "leaflet"}
    assert (
        client.post(
            f"/followups/{followup_id}/attempts", json=body, headers=as_role["planner"]
        ).status_code
        == 403
    )
    for _ in range(2):
        answer = client.post(
            f"/followups/{followup_id}/attempts", json=body, headers=as_role["operator"]
        )
        assert answer.status_code == 200, answer.text
    props = answer.json()["properties"]
    assert (props["queue"], props["queue_reason"], props["failed_attempts"]) == (
        "phone", "failed_attempts", 2,
    )  # fmt: skip
    attempts = client.get(f"/followups/{followup_id}/attempts", headers=as_role["planner"])
    assert [a["left"] for a in attempts.json()] == ["leaflet", "leaflet"]
    closed = client.post(
        f"/followups/{followup_id}/close", json={"status": "done_by_phone"},
        headers=as_role["operator"],
    )  # fmt: skip
    assert closed.status_code == 200 and closed.json()["properties"]["status"] == "done_by_phone"
    again = client.post(
        f"/followups/{followup_id}/close", json={"status": "cancelled", "reason": "x"},
        headers=as_role["operator"],
    )  # fmt: skip
    assert again.status_code == 409


def test_not_home_without_what_was_left_is_refused_with_the_field(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    followup_id = register(client, as_role)
    answer = client.post(
        f"/followups/{followup_id}/attempts", json={"patrol": "MV-21", "outcome": "not_home"},
        headers=as_role["operator"],
    )  # fmt: skip
    assert answer.status_code == 422
    assert answer.json()["field"] == "left"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"geometry": {"type": "Point", "coordinates": [12.57, 59.91]}},
            "geometry",
            "uden for Danmark",
        ),
        ({"geometry": {"type": "Point", "coordinates": [56.5486, 8.3125]}}, "geometry", "bredde"),
        ({"due_by": "2026-03-01"}, "due_by", "overskredet"),
        ({"case_ref": "sag 17"}, "case_ref", "journalnummer"),
    ],
)
def test_bad_input_is_refused_field_by_field_in_danish(
    client: TestClient,
    as_role: dict[str, dict[str, str]],
    change: dict[str, Any],
    field: str,
    words: str,
) -> None:
    feature = followup_feature()
    if "geometry" in change:
        feature["geometry"] = change["geometry"]
    else:
        feature["properties"].update(change)
    answer = client.post("/followups", json=feature, headers=as_role["analyst"])
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert words in answer.json()["detail"].lower() or words in answer.json()["detail"]


def _every_get(app: FastAPI, ids: dict[str, str]) -> list[str]:
    """Every documented GET operation with its path parameters filled from ``ids``."""
    paths = []
    for path, operations in app.openapi()["paths"].items():
        if "get" not in operations or path == "/events":
            continue
        names = re.findall(r"{(\w+)}", path)
        if all(n in ids for n in names):
            paths.append(path.format(**{n: ids[n] for n in names}))
    return paths


def test_no_operator_facing_answer_or_event_carries_the_name_or_phone(
    app: FastAPI, client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    services = services_of(app)
    followup_id = register(client, as_role)
    proposal = accept_with(app, followup_id)
    client.post(
        f"/followups/{followup_id}/attempts",
        json={"patrol": "MV-21", "outcome": "reached"}, headers=as_role["operator"],
    )  # fmt: skip
    ids = {
        "followup_id": followup_id, "proposal_id": proposal.id, "call_sign": "MV-21",
        "hotspot_id": followup_id, "object": followup_id,
    }  # fmt: skip
    checked = 0
    for role in ("operator", "planner"):
        for path in _every_get(app, ids):
            if path.endswith("/contact"):
                continue  # the one answer made to carry them, for the patrol
            answer = client.get(path, headers=as_role[role])
            assert leaks(answer.text) == [], (role, path)
            checked += 1
    assert checked > 20
    events = services.store.events.after(0)
    assert any(e.kind == "followup" for e in events)
    assert all(leaks(repr(e.data)) == [] for e in events)

    async def stream() -> str:
        chunks = []
        listener = services.events.listen(after=0, keepalive_s=0.2)
        while True:
            chunk = await asyncio.wait_for(anext(listener), 5)
            if chunk.startswith(":") and chunks:
                break  # the keep-alive: the log is drained
            chunks.append(chunk)
        await listener.aclose()
        return "".join(chunks)

    sent = asyncio.run(stream())
    assert "followup" in sent and followup_id in sent
    assert leaks(sent) == []
