"""Several workers on one PostGIS database behave like one.

Two real ``smartspot serve`` processes on the same database (what ``--workers 2`` or two API
nodes behind a load balancer are), each request sent to the one the test picks, alternating:
every SSE event reaches the streams on both, in order and without a gap; a stay built from
fixes sent half to each is detected as exactly one visit of the true length; a hotspot closed
on one is never proposed by the other. ``smartspot serve --workers 2`` itself starts two
workers, each listening for the others' events (SQLite's refusal: tests/cli/test_serve.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth import new_account
from smartspot.store.open import open_store
from tests.api.conftest import NOW, PASSWORD, point_feature
from tests.api.live_server import free_port
from tests.pg_cluster import Cluster

SECRET = "workers-test-secret-key-0123456789abcdef"
POLICIES = Path(__file__).parent / "policies"
HERNING = (8.97, 56.14)

pytestmark = pytest.mark.slow


def _env(url: str) -> dict[str, str]:
    return dict(
        os.environ,
        SMARTSPOT_DB=url,
        SMARTSPOT_SECRET_KEY=SECRET,
        SMARTSPOT_TRAVEL="straight",
        SMARTSPOT_POLICY_DIR=str(POLICIES),
        SMARTSPOT_CLOCK="replay",  # now = the newest stored fix: the test sets the time
        SMARTSPOT_REPLAY_START=NOW.isoformat(),
        SMARTSPOT_SEED="7",
    )


@contextmanager
def _serve(url: str, *, workers: int = 1) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "smartspot.cli.main", "serve", "--port", str(port)),
            *("--log-level", "warning", "--workers", str(workers)),
        ],
        env=_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"smartspot serve did not start (exit {process.poll()})")
            time.sleep(0.2)
        yield process, base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Stream:
    """An SSE listener on one server, collecting (id, event, data) in a thread."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=httpx.Timeout(5, read=60))
        auth = {"Authorization": f"Bearer {token}"}
        assert self.client.post("/events/session", headers=auth).status_code == 200
        self.events: list[tuple[int, str, dict[str, Any]]] = []
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self.connected.wait(30), "the stream did not connect"

    def _run(self) -> None:
        fields: dict[str, str] = {}
        try:
            with self.client.stream("GET", "/events") as answer:
                for line in answer.iter_lines():
                    if line.startswith(": connected"):
                        self.connected.set()
                    elif line == "" and "id" in fields:
                        self.events.append(
                            (int(fields["id"]), fields["event"], json.loads(fields["data"]))
                        )
                        fields = {}
                    elif ": " in line and not line.startswith(":"):
                        key, value = line.split(": ", 1)
                        fields[key] = value
        except httpx.HTTPError:
            pass  # the server stopped

    def wait_for(self, seq: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.events and self.events[-1][0] >= seq:
                return
            time.sleep(0.05)
        raise AssertionError(f"event {seq} did not arrive; got {[e[0] for e in self.events]}")

    def close(self) -> None:
        self.client.close()


def _login(base: str, name: str) -> str:
    answer = httpx.post(f"{base}/auth/token", data={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture
def shared(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh PostGIS database with an operator and an analyst."""
    name = pg_cluster.new_database()
    url = pg_cluster.url(name)
    with open_store(url) as store:
        account = new_account("operator", "operator", PASSWORD, now=NOW, districts=("*",))
        store.users.add(account, actor="test")
        store.users.add(
            new_account("analyst", "analyst", PASSWORD, now=NOW, districts=("*",)), actor="test"
        )
    yield url
    pg_cluster.drop_database(name)


def test_two_workers_on_postgis_behave_like_one(shared: str) -> None:
    with _serve(shared) as (_, a), _serve(shared) as (_, b):
        servers = [a, b]
        op = {s: {"Authorization": f"Bearer {_login(s, 'operator')}"} for s in servers}
        analyst = {"Authorization": f"Bearer {_login(a, 'analyst')}"}
        # A token from one worker is good on the other (one secret key).
        assert httpx.get(f"{b}/hotspots", headers=analyst).status_code == 200
        streams = [Stream(s, _login(s, "operator")) for s in servers]
        turn = iter(range(10_000))

        def call(method: str, path: str, *, headers: dict[str, str], **kw: Any) -> Any:
            server = servers[next(turn) % 2]  # alternate: every step on the other worker
            answer = httpx.request(method, f"{server}{path}", headers=headers, timeout=60, **kw)
            assert answer.status_code in (200, 201), (server, path, answer.text)
            return answer.json()

        # Three hotspots in Herning, registered on alternating workers; one closed on the other.
        created = [
            call(
                "POST",
                "/hotspots",
                headers=analyst,
                json=point_feature(HERNING[0] + dx, HERNING[1] + dy, title=f"Sted {n}"),
            )
            for n, (dx, dy) in enumerate([(0.0, 0.0), (0.01, 0.005), (-0.01, 0.004)])
        ]
        ids = [h["id"] for h in created]
        closed = ids[2]
        call("POST", f"/hotspots/{closed}/close", headers=analyst, json={"reason": "Løst"})
        call("POST", "/patrols", headers=op[a], json={"call_sign": "MV-21", "home_station": "st01"})

        # A stay at the first hotspot: 4 minutes of fixes, every batch to the other worker.
        lon, lat = created[0]["geometry"]["coordinates"]
        start = NOW + timedelta(minutes=1)
        for k in range(9):
            at = (start + timedelta(seconds=30 * k)).isoformat()
            fix = {"call_sign": "MV-21", "lon": lon, "lat": lat, "at": at}
            call("POST", "/patrols/positions", headers=op[a], json={"positions": [fix]})
        away = start + timedelta(minutes=4, seconds=30)
        fix = {"call_sign": "MV-21", "lon": 8.95, "lat": 56.13, "at": away.isoformat()}
        call("POST", "/patrols/positions", headers=op[a], json={"positions": [fix]})
        visits = call("GET", "/visits", headers=op[a], params={"hotspot": ids[0]})
        assert len(visits) == 1 and visits[0]["detected"] is True
        assert visits[0]["minutes_on_site"] == pytest.approx(4.0)
        assert call("GET", "/visits", headers=op[a], params={"patrol": "MV-21"}) == visits

        # A callout worked step by step on alternating workers; the clear plans a detour.
        callout = call(
            "POST", "/callouts", headers=op[a], json={"urgent": True, "lon": 8.9, "lat": 56.15}
        )
        call("POST", f"/callouts/{callout['id']}/dispatch", headers=op[a], json={"patrol": "MV-21"})
        call("POST", f"/callouts/{callout['id']}/arrive", headers=op[a])
        cleared = call("POST", f"/callouts/{callout['id']}/clear", headers=op[a])
        [proposal] = cleared["proposals"]
        stops = [s["hotspot"] for s in proposal["stops"]]
        assert closed not in stops
        assert ids[1] in stops  # open, active now, not visited: worth the detour
        current = call("GET", "/patrols/MV-21/proposal", headers=op[a])
        assert current["id"] == proposal["id"]
        accepted = call("POST", f"/proposals/{proposal['id']}/accept", headers=op[a], json={})
        assert accepted["status"] == "accepted"

        # Every event reached both streams, in the log's order, none twice, none missing.
        with open_store(shared) as store:
            log = store.events.after(0, limit=10_000)
        assert log, "the engine wrote no events"
        for stream in streams:
            stream.wait_for(log[-1].seq)
        for stream in streams:
            stream.close()
    expected = [(e.seq, e.kind) for e in log]
    for stream in streams:
        got = [(seq, kind) for seq, kind, _ in stream.events]
        assert got == expected
    assert {kind for _, kind in expected} >= {"hotspot", "patrol", "visit", "callout", "proposal"}


def test_serve_with_two_workers_starts_two_listening_workers(
    shared: str, pg_cluster: Cluster
) -> None:
    with _serve(shared, workers=2) as (_, base):
        token = _login(base, "operator")
        assert (
            httpx.get(f"{base}/patrols", headers={"Authorization": f"Bearer {token}"}).json() == []
        )
        database = shared.split("/")[3].split("?")[0]
        with pg_cluster.admin() as conn:
            deadline = time.monotonic() + 30
            while True:
                listening = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND application_name = 'smartspot-listen' AND query LIKE 'LISTEN%%'",
                    (database,),
                ).fetchone()[0]
                if listening >= 2 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        assert listening == 2  # one per worker: each hears the other's commits
