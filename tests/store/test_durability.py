"""kill -9 in the middle of a burst of writes: every acknowledged write survives with its audit
row, the audit chain verifies and the database's integrity check is ok — on SQLite
(synchronous=FULL, WAL) and on PostgreSQL (fsync on; amcheck over every index and table).

A real ``smartspot serve`` process takes concurrent hotspot registrations, AVL batches and
callout → proposal → accept cycles; it is killed with SIGKILL at a random moment of the
burst — on PostgreSQL the database server too, at the same moment — then the database is
opened again (WAL / crash recovery) and a new server started on it. Two runs per backend, each
bounded to a few seconds of burst.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api import create_app
from api.app import services_of
from smartspot.store.open import open_store
from tests.api.conftest import NOW, PASSWORD, add_users, make_settings, point_feature
from tests.api.live_server import free_port
from tests.pg_cluster import Cluster, server_bindir

SECRET = "durability-test-secret-key-0123456789"
CARS = [f"MV-{n}" for n in range(1, 5)]
BURST_S = (1.5, 3.0)  # the kill comes at a random moment in this range

pytestmark = pytest.mark.slow


@dataclass
class Acked:
    """What the server said it stored."""

    hotspots: list[str] = field(default_factory=list)
    fixes: list[tuple[str, str]] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="module")
def durable_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of its own (it gets killed), durable like a server: fsync on."""
    bindir = server_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL with PostGIS is not installed")
        pytest.skip("PostgreSQL with PostGIS is not installed (scripts/setup.d/50-postgis.sh)")
    cluster = Cluster(bindir, durable=True)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@contextmanager
def _server(db: Path | str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = dict(
        os.environ,
        SMARTSPOT_SECRET_KEY=SECRET,
        SMARTSPOT_TRAVEL="straight",
        # now = the newest stored fix: the test sets the hour, so a shift end near the wall
        # clock's hour (proposals empty, no accept acknowledged) cannot starve the burst
        SMARTSPOT_CLOCK="replay",
        SMARTSPOT_REPLAY_START=NOW.isoformat(),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartspot.cli.main",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("smartspot serve did not start")
            time.sleep(0.1)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _prepare(folder: Path, db: Path | str) -> Path | str:
    app = create_app(make_settings(folder, secret_key=SECRET, db=db))
    add_users(app)
    services_of(app).close()
    return db


def _amcheck(cluster: Cluster, database: str) -> list[str]:
    """PostgreSQL's own page checks (the amcheck extension): every B-tree index against its
    table and every table's heap; the problems found (none when sound)."""
    with cluster.admin(database) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = conn.execute(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'btree' "
            "AND c.relnamespace = 'public'::regnamespace"
        ).fetchall()
        for (index,) in indexes:
            conn.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
        tables = conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind = 'r' "
            "AND c.relnamespace = 'public'::regnamespace"
        ).fetchall()
        problems = []
        for (table,) in tables:
            rows = conn.execute("SELECT msg FROM verify_heapam(%s::regclass)", (table,))
            problems += [f"{table}: {row[0]}" for row in rows.fetchall()]
    assert indexes and tables  # the check looked at something
    return problems


def _token(base: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/auth/token", data={"username": "admin", "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _register(base: str, headers: dict[str, str], stop: threading.Event, acked: Acked) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        n = 0
        while not stop.is_set():
            n += 1
            feature = point_feature(8.60 + 0.001 * (n % 50), 56.36, windows=[], title=f"Opgave {n}")
            try:
                answer = http.post("/hotspots", json=feature)
            except httpx.HTTPError:
                return
            if answer.status_code == 201:
                with acked.lock:
                    acked.hotspots.append(answer.json()["id"])


def _avl(base: str, headers: dict[str, str], stop: threading.Event, acked: Acked) -> None:
    start = NOW
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        n = 0
        while not stop.is_set():
            n += 1
            at = (start + timedelta(milliseconds=10 * n)).isoformat()
            batch = [  # beside the accepting car: the coverage guard keeps a car in reach
                {"call_sign": car, "lon": 8.63 + 0.00001 * n, "lat": 56.37, "at": at}
                for car in CARS[1:]
            ]
            try:
                answer = http.post("/patrols/positions", json={"positions": batch})
            except httpx.HTTPError:
                return
            if answer.status_code == 200 and not answer.json()["refused"]:
                with acked.lock:
                    acked.fixes.extend((car, at) for car in CARS[1:])


def _accept(base: str, headers: dict[str, str], stop: threading.Event, acked: Acked) -> None:
    car = CARS[0]
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        while not stop.is_set():
            try:
                call = http.post("/callouts", json={"urgent": False, "lon": 8.61, "lat": 56.36})
                if call.status_code != 201:
                    time.sleep(0.05)
                    continue
                callout = call.json()["id"]
                http.post(f"/callouts/{callout}/dispatch", json={"patrol": car})
                http.post(f"/callouts/{callout}/arrive")
                cleared = http.post(f"/callouts/{callout}/clear").json()
                for proposal in cleared.get("proposals", []):
                    if proposal.get("stops") and proposal.get("status") == "pending":
                        answer = http.post(f"/proposals/{proposal['id']}/accept", json={})
                        if answer.status_code == 200:
                            with acked.lock:
                                acked.accepted.append(proposal["id"])
            except (httpx.HTTPError, ValueError):
                return


@pytest.mark.parametrize("run", [1, 2])  # × backend (tests/conftest.py): two runs on each
def test_every_acknowledged_write_survives_a_kill_mid_burst(
    tmp_path: Path, backend: str, run: int, request: pytest.FixtureRequest
) -> None:
    cluster: Cluster | None = None
    if backend == "postgis":
        cluster = request.getfixturevalue("durable_cluster")
        name = cluster.new_database()
        db = _prepare(tmp_path, cluster.url(name))
    else:
        db = _prepare(tmp_path, tmp_path / "smartspot.db")
    acked = Acked()
    with _server(db) as (process, base):
        headers = _token(base)
        for car in CARS:
            http_answer = httpx.post(
                f"{base}/patrols", json={"call_sign": car, "home_station": "st01"}, headers=headers
            )
            assert http_answer.status_code == 201, http_answer.text
        fix = {"call_sign": CARS[0], "lon": 8.62, "lat": 56.37, "at": NOW.isoformat()}
        httpx.post(f"{base}/patrols/positions", json={"positions": [fix]}, headers=headers)
        stop = threading.Event()
        workers = [
            threading.Thread(target=job, args=(base, headers, stop, acked), daemon=True)
            for job in (_register, _register, _avl, _accept)
        ]
        for worker in workers:
            worker.start()
        time.sleep(random.Random(run).uniform(*BURST_S))
        # a loaded machine (load 20 on 2 cores seen): let each kind of write through first
        patience = time.monotonic() + 90
        while time.monotonic() < patience and not (
            acked.hotspots and acked.fixes and acked.accepted
        ):
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # mid-burst: requests are in flight
        if cluster is not None:
            cluster.kill()  # and the database server with it: a crash, no shutdown
        process.wait(timeout=30)
        stop.set()
        for worker in workers:
            worker.join(timeout=20)
    assert acked.hotspots and acked.fixes and acked.accepted, "the burst wrote too little"
    print(  # shown with -s: how much each run had acknowledged when the kill came
        f"run {run}: {len(acked.hotspots)} hotspots, {len(acked.fixes)} fixes, "
        f"{len(acked.accepted)} accepts acknowledged before the kill"
    )

    if cluster is not None:
        cluster.restart()  # crash recovery from the WAL
        assert _amcheck(cluster, name) == []
    with open_store(db) as store:  # reopening recovers the WAL
        assert store.integrity_check() == "ok"
        verdict = store.verify_audit()
        assert verdict.ok, verdict.problem
        audited = {
            (row[0], row[1])
            for row in store.execute("SELECT entity_id, action FROM audit_log").fetchall()
        }
        for hotspot in acked.hotspots:
            assert store.hotspots.get(hotspot).id == hotspot
            assert (hotspot, "create") in audited
        stored = {
            (row[0], row[1])
            for row in store.execute("SELECT call_sign, at FROM positions").fetchall()
        }
        missing = [fix for fix in acked.fixes if (fix[0], _iso(fix[1])) not in stored]
        assert not missing, missing[:3]
        for proposal in acked.accepted:
            assert (proposal, "accepted") in audited
            assert store.proposals.get(proposal).status.value in {
                "accepted",
                "completed",
                "voided",
                "superseded",
            }
    with _server(db) as (_, base):  # and the service starts again on it
        headers = _token(base)
        assert (
            httpx.get(f"{base}/hotspots/{acked.hotspots[-1]}", headers=headers).status_code == 200
        )


def _iso(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat(timespec="microseconds")
