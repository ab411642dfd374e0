"""Failed logins back off per user and per address, before any password is hashed, and a
flood of them leaves other requests alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import services_of
from tests.api.conftest import PASSWORD, login
from tests.api.live_server import serving


def _try(client: TestClient, name: str, password: str) -> Any:
    return client.post("/auth/token", data={"username": name, "password": password})


def test_after_five_failures_even_the_right_password_waits_and_is_not_checked(
    client: TestClient, app: FastAPI
) -> None:
    checks = services_of(app).password_checks
    assert [_try(client, "analyst", "forkert kode").status_code for _ in range(6)] == [401] * 6
    hashed = checks.checks
    answer = _try(client, "analyst", PASSWORD)
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) >= 1
    assert "prøv igen" in answer.json()["detail"]
    assert checks.checks == hashed  # refused before argon2 ran
    assert login(client, "operator")  # another user logs in as usual


def test_unknown_names_are_throttled_like_known_ones(client: TestClient) -> None:
    codes = [_try(client, "ingen-saadan", "forkert kode").status_code for _ in range(7)]
    assert codes == [401] * 6 + [429]


def test_a_flood_of_failed_logins_is_bounded_and_other_requests_still_answer(
    app: FastAPI, hotspot: dict[str, Any]
) -> None:
    checks = services_of(app).password_checks
    with serving(app) as base:
        token = httpx.post(f"{base}/auth/token", data={"username": "planner", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        before = checks.checks

        def guess(n: int) -> int:
            data = {"username": f"gæt-{n % 7}", "password": f"forkert {n}"}
            return httpx.post(f"{base}/auth/token", data=data, timeout=30).status_code

        def read(_: int) -> int:
            return httpx.get(
                f"{base}/hotspots/{hotspot['id']}", headers=headers, timeout=30
            ).status_code

        with ThreadPoolExecutor(max_workers=24) as pool:
            guesses = pool.map(guess, range(60))
            reads = pool.map(read, range(30))
            guessed, read_codes = list(guesses), list(reads)
    assert set(read_codes) == {200}
    assert set(guessed) <= {401, 429, 503} and 429 in guessed
    # One address: 20 free failures, then one attempt per back-off window.
    assert checks.checks - before <= 24
    assert checks.peak <= checks.concurrency
