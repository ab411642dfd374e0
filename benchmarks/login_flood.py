"""Does a flood of failed logins slow down everyone else? ``GET /hotspots/{id}`` latency on a
real ``smartspot serve`` process, quiet and under a flood of wrong passwords.

Phases, ``--seconds`` each, one reader sending ``GET /hotspots/{id}`` back to back:

* ``quiet``: no logins;
* ``flood, one address``: ``--rate`` wrong logins a second from 127.0.0.1 for a handful of
  user names (the issue's measurement: 13/s) — the back-off stops them after 20;
* ``flood, many addresses``: the same rate, each attempt from another loopback address
  (127.0.0.2 … 127.0.0.254) and another user name, so no key reaches its free budget and
  every attempt is hashed: the worst case the throttle cannot stop, bounded only by the
  argon2 pool (``SMARTSPOT_LOGIN_CONCURRENCY``).

Prints p50/p99 per phase and the login answers' status counts, as JSON and Markdown.

Run: ``.venv/bin/python -m benchmarks.login_flood`` (about 50 s).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.api_load import SECRET, _free_port

PASSWORD = "benchmark-password"


def prepare(db: Path) -> str:
    """A database with one hotspot and one reader; returns the hotspot's id."""
    from api import create_app
    from api.app import services_of
    from api.auth import new_account
    from api.settings import Settings
    from smartspot.demo import load_demo_hotspots
    from smartspot.resources import SCENARIOS_DIR

    app = create_app(Settings(db=db, secret_key=SECRET, travel="straight"))
    services = services_of(app)
    load_demo_hotspots(services.hotspots, SCENARIOS_DIR)
    services.store.users.add(
        new_account("reader", "planner", PASSWORD, now=datetime.now(UTC), districts=("*",)),
        actor="benchmark",
    )
    first = services.hotspots.list()[0].id
    services.close()
    return first


def _flood(
    base: str, rate: float, stop: threading.Event, spread: bool, codes: Counter[int]
) -> None:
    def one(n: int) -> None:
        address = f"127.0.0.{2 + n % 253}" if spread else "127.0.0.1"
        name = f"gaet-{n}" if spread else f"gaet-{n % 5}"
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(transport=transport, timeout=30) as client:
            answer = client.post(
                f"{base}/auth/token", data={"username": name, "password": f"forkert {n}"}
            )
        codes[answer.status_code] += 1

    n, start, threads = 0, time.monotonic(), []
    while not stop.is_set():
        due = start + n / rate
        if time.monotonic() < due:
            time.sleep(min(0.01, due - time.monotonic()))
            continue
        thread = threading.Thread(target=one, args=(n,), daemon=True)
        thread.start()
        threads.append(thread)
        n += 1
    deadline = time.monotonic() + 45  # answers still under way then are left out
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


def _flood_process(base: str, rate: float, seconds: float, spread: bool, results: Any) -> None:
    codes: Counter[int] = Counter()
    stop = threading.Event()
    threading.Timer(seconds, stop.set).start()
    _flood(base, rate, stop, spread, codes)
    results.put(dict(codes))


def _read(base: str, headers: dict[str, str], path: str, seconds: float) -> list[float]:
    times = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            client.get(path).raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
            time.sleep(0.02)
    return times


def run(seconds: float, rate: float, concurrency: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="smartspot-login-flood-"))
    db = folder / "smartspot.db"
    hotspot = prepare(db)
    port = _free_port()
    env = dict(
        os.environ,
        SMARTSPOT_SECRET_KEY=SECRET,
        SMARTSPOT_TRAVEL="straight",
        SMARTSPOT_LOGIN_CONCURRENCY=str(concurrency),
    )
    server = subprocess.Popen(
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
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        token = httpx.post(f"{base}/auth/token", data={"username": "reader", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        path = f"/hotspots/{hotspot}"
        _read(base, headers, path, 2)  # warm-up
        phases: dict[str, Any] = {}
        for label, spread in (
            ("quiet", None),
            ("flood, one address", False),
            ("flood, many addresses", True),
        ):
            codes: Counter[int] = Counter()
            flooder = None
            if spread is not None:  # its own process, so it does not share the reader's GIL
                results: Any = multiprocessing.Queue()
                flooder = multiprocessing.Process(
                    target=_flood_process, args=(base, rate, seconds, spread, results)
                )
                flooder.start()
            times = _read(base, headers, path, seconds)
            if flooder is not None:
                codes.update(results.get(timeout=seconds + 90))
                flooder.join()
            phases[label] = {
                "requests": len(times),
                "p50_ms": round(float(np.percentile(times, 50)), 1),
                "p99_ms": round(float(np.percentile(times, 99)), 1),
                "logins": dict(sorted(codes.items())),
            }
            time.sleep(2)  # let the last logins finish before the next phase
        return {
            "rate_per_s": rate,
            "seconds": seconds,
            "concurrency": concurrency,
            "phases": phases,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rate", type=float, default=13, help="failed logins a second")
    parser.add_argument("--concurrency", type=int, default=1, help="SMARTSPOT_LOGIN_CONCURRENCY")
    args = parser.parse_args()
    result = run(args.seconds, args.rate, args.concurrency)
    print(json.dumps(result, indent=2))
    print(
        f"\n| phase ({args.rate:g} failed logins/s, concurrency {args.concurrency}) "
        "| GETs | p50 ms | p99 ms | login answers |\n|---|---|---|---|---|"
    )
    for label, phase in result["phases"].items():
        answers = ", ".join(f"{code}: {n}" for code, n in phase["logins"].items()) or "–"
        print(
            f"| {label} | {phase['requests']} | {phase['p50_ms']} | {phase['p99_ms']} | {answers} |"
        )


if __name__ == "__main__":
    main()
