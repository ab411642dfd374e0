"""The event stream logs in with an HttpOnly cookie, never a token in a URL, and no
credential reaches a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.events_auth import COOKIE
from api.logs import redact
from tests.api.conftest import PASSWORD
from tests.api.live_server import serving


def _bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_stream(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    answer = client.post("/events/session", headers=as_role["planner"])
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "Path=/events", "SameSite=strict", "Max-Age=1800"):
        assert attribute.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http here; over TLS it is Secure


def test_over_tls_the_cookie_is_secure(app: FastAPI, as_role: dict[str, dict[str, str]]) -> None:
    tls = TestClient(app, base_url="https://testserver")
    answer = tls.post("/events/session", headers=as_role["planner"])
    assert "secure" in answer.headers["set-cookie"].lower()


def test_the_stream_needs_a_session_first(client: TestClient) -> None:
    answer = client.get("/events")
    assert answer.status_code == 401
    assert "/events/session" in answer.json()["detail"]


def test_a_token_in_the_url_is_not_accepted(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    token = _bearer(as_role["operator"])
    assert client.get("/events", params={"access_token": token}).status_code == 401


def test_the_stream_cookie_is_no_bearer_token_and_a_bearer_token_no_cookie(
    client: TestClient, as_role: dict[str, dict[str, str]]
) -> None:
    client.post("/events/session", headers=as_role["admin"])
    stream_token = client.cookies[COOKIE]
    answer = client.get("/hotspots", headers={"Authorization": f"Bearer {stream_token}"})
    assert answer.status_code == 401
    client.cookies.clear()
    client.cookies.set(COOKIE, _bearer(as_role["admin"]), path="/events")
    assert client.get("/events").status_code == 401


def test_logging_out_drops_the_cookie(client: TestClient) -> None:
    answer = client.delete("/events/session")
    assert answer.status_code == 204
    assert "max-age=0" in answer.headers["set-cookie"].lower()


def test_redaction_blanks_tokens_in_query_strings() -> None:
    line = "GET /events?access_token=eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl&x=1 HTTP/1.1"
    assert "eyJ" not in redact(line)
    assert "x=1" in redact(line)
    assert (
        redact("/x?ticket=abc123&password=hemmelig") == "/x?ticket=[redacted]&password=[redacted]"
    )


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def capturing() -> Iterator[_Lines]:
    """Every log line, from inside a running server (uvicorn sets its loggers up on start)."""
    handler = _Lines()
    names = ["", "uvicorn", "uvicorn.access", "uvicorn.error", "api", "smartspot"]
    for name in names:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(handler)


def test_no_credential_appears_in_the_access_log_of_a_real_server(app: FastAPI) -> None:
    with (
        serving(app, log_level="info") as base,
        capturing() as captured,
        httpx.Client(base_url=base) as http,
    ):
        logged_in = http.post("/auth/token", data={"username": "operator", "password": PASSWORD})
        token = logged_in.json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert http.get("/hotspots", headers=bearer).status_code == 200
        assert http.post("/events/session", headers=bearer).status_code == 200
        cookie = http.cookies[COOKIE]
        with http.stream("GET", "/events") as stream:
            assert stream.status_code == 200
            assert "connected" in next(stream.iter_text())
        # An old client that still puts the token in the URL is refused, and not logged.
        old_client = httpx.get(f"{base}/events", params={"access_token": token}, timeout=10)
        assert old_client.status_code == 401
        http.post("/auth/token", data={"username": "operator", "password": "forkert kode 1"})
    text = "\n".join(captured.lines)
    assert "/hotspots" in text and "/events/session" in text  # the access log was captured
    for secret in (PASSWORD, "forkert kode 1", token, cookie):
        assert secret not in text
