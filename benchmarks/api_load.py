"""Load on a real uvicorn server: AVL position batches and proposal requests at once.

Sets up a fresh database with the demo district (both demo politikredse, ~98 hotspots; by
default every hotspot's windows are removed so all are active — the busy case, independent of
the hour the benchmark runs; ``--real-windows`` keeps them), the users and ``--cars`` patrol
cars at the districts' stations, starts ``smartspot serve`` as its own process on a free
loopback port, then for ``--seconds``:

* ``--avl-workers`` clients each send batches of ``--batch`` cars' positions (one request per
  batch, as an AVL feed does), back to back;
* ``--proposal-workers`` clients each ask for a proposal for one car at a time
  (``POST /proposals``: build the problem, solve with the default solver, store, publish),
  cycling through the cars.

Prints throughput and p50/p99 latency per kind, as JSON and as a Markdown table for
``benchmarks/RESULTS.md``. Targets: ≥ 1,000 position updates/s sustained, proposal p99 < 100 ms.

Run: ``.venv/bin/python -m benchmarks.api_load`` (about 40 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

PASSWORD = "benchmark-password"
SECRET = "benchmark-secret-key-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(db: Path, cars: int, seed: int, *, all_active: bool) -> list[dict[str, Any]]:
    """Demo hotspots, an operator, ``cars`` patrols; returns each car's home (lon, lat)."""
    from api import create_app
    from api.app import services_of
    from api.auth import new_account
    from api.settings import Settings
    from smartspot.demo import load_demo_hotspots
    from smartspot.geo.crs import metric_to_lonlat
    from smartspot.resources import SCENARIOS_DIR

    app = create_app(Settings(db=db, secret_key=SECRET))
    services = services_of(app)
    load_demo_hotspots(services.hotspots, SCENARIOS_DIR)
    if all_active:  # a busy evening: every hotspot active now, so every proposal has work
        for hotspot in services.hotspots.list():
            if hotspot.windows and hotspot.is_open:
                services.hotspots.update(
                    hotspot.id, {"windows": []}, expected_version=hotspot.version, user="benchmark"
                )
    services.store.users.add(
        new_account("bench", "operator", PASSWORD, now=datetime.now(UTC), districts=("*",)),
        actor="benchmark",
    )
    districts = {"Midt- og Vestjyllands Politi", "Østjyllands Politi"}
    engine = services.engine
    stations = [
        (base, point)
        for base, point in sorted(engine.ctx.bases.items())
        if engine.ctx.district_of_base(base) in districts
    ]
    rng = np.random.default_rng(seed)
    fleet = []
    for k in range(cars):
        station, xy = stations[k % len(stations)]
        call_sign = f"B-{k + 1:03d}"
        engine.add_patrol(call_sign, station, actor="benchmark")
        lon, lat = metric_to_lonlat(np.array([xy.x]), np.array([xy.y]))[0]
        fleet.append({"call_sign": call_sign, "lon": float(lon), "lat": float(lat)})
    services.close()
    for car in fleet:  # start a km or two from home, so a proposal has a way home to work with
        car["home"] = (car["lon"], car["lat"])
        car["lon"] += float(rng.uniform(-0.02, 0.02))
        car["lat"] += float(rng.uniform(-0.012, 0.012))
    return fleet


async def _avl_worker(
    client: httpx.AsyncClient, fleet: list[dict[str, Any]], batch: int, until: float,
    rng: np.random.Generator, latencies: list[float], counts: list[int], errors: list[str],
    interval_s: float = 0.0,
) -> None:  # fmt: skip
    next_at = time.perf_counter()
    while time.perf_counter() < until:
        if interval_s > 0:  # paced: one batch every interval_s per worker
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += interval_s
        chosen = rng.choice(len(fleet), size=min(batch, len(fleet)), replace=False)
        now = datetime.now(UTC).isoformat()
        positions = []
        for i in chosen:
            car = fleet[int(i)]
            # a random walk kept within ~2 km of the station, so no car drives into the sea
            home_lon, home_lat = car["home"]
            car["lon"] = float(
                np.clip(car["lon"] + rng.normal(0, 0.0005), home_lon - 0.03, home_lon + 0.03)
            )
            car["lat"] = float(
                np.clip(car["lat"] + rng.normal(0, 0.0003), home_lat - 0.018, home_lat + 0.018)
            )
            positions.append(
                {"call_sign": car["call_sign"], "lon": car["lon"], "lat": car["lat"], "at": now}
            )
        began = time.perf_counter()
        answer = await client.post("/patrols/positions", json={"positions": positions})
        latencies.append(time.perf_counter() - began)
        if answer.status_code == 200:
            counts.append(len(positions))
        else:
            errors.append(f"{answer.status_code} {answer.text[:200]}")


async def _proposal_worker(
    client: httpx.AsyncClient, fleet: list[dict[str, Any]], offset: int, until: float,
    latencies: list[float], stops: list[int], errors: list[str],
) -> None:  # fmt: skip
    k = offset
    while time.perf_counter() < until:
        car = fleet[k % len(fleet)]["call_sign"]
        k += 7
        began = time.perf_counter()
        answer = await client.post("/proposals", json={"patrols": [car]})
        latencies.append(time.perf_counter() - began)
        if answer.status_code == 200:
            stops.append(sum(len(p["stops"]) for p in answer.json()))
        else:
            errors.append(f"{answer.status_code} {answer.text[:200]}")


def _summary(latencies: list[float]) -> dict[str, float]:
    ms = np.array(latencies) * 1000
    if len(ms) == 0:
        return {"requests": 0}
    return {
        "requests": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


async def run_load(
    base: str, fleet: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        token = (
            await client.post("/auth/token", data={"username": "bench", "password": PASSWORD})
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        # first fixes for every car, so proposals have a start
        now = datetime.now(UTC).isoformat()
        first = [{**{k: c[k] for k in ("call_sign", "lon", "lat")}, "at": now} for c in fleet]
        (await client.post("/patrols/positions", json={"positions": first})).raise_for_status()
        for car in fleet[: max(1, args.proposal_workers * 2)]:  # warm-up: imports, caches
            await client.post("/proposals", json={"patrols": [car["call_sign"]]})
        rng = np.random.default_rng(args.seed)
        avl_lat: list[float] = []
        counts: list[int] = []
        prop_lat: list[float] = []
        stops: list[int] = []
        errors: list[str] = []
        interval = 0.0
        if args.avl_rate > 0 and args.avl_workers > 0:
            interval = args.batch * args.avl_workers / args.avl_rate
        began = time.perf_counter()
        until = began + args.seconds
        await asyncio.gather(
            *(
                _avl_worker(
                    client, fleet, args.batch, until, rng, avl_lat, counts, errors, interval
                )
                for _ in range(args.avl_workers)
            ),
            *(
                _proposal_worker(client, fleet, w, until, prop_lat, stops, errors)
                for w in range(args.proposal_workers)
            ),
        )
        elapsed = time.perf_counter() - began
    return {
        "seconds": round(elapsed, 1),
        "positions": {
            **_summary(avl_lat),
            "batch": args.batch,
            "updates_per_s": round(sum(counts) / elapsed, 1),
        },
        "proposals": {
            **_summary(prop_lat),
            "per_s": round(len(prop_lat) / elapsed, 1),
            "mean_stops": round(float(np.mean(stops)), 2) if stops else 0.0,
            "with_stops": sum(1 for s in stops if s > 0),
        },
        "errors": errors[:5],
        "error_count": len(errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cars", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--avl-workers", type=int, default=4)
    parser.add_argument("--proposal-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--avl-rate",
        type=float,
        default=0.0,
        help="position updates per second the AVL workers aim at (0 = as fast as they can)",
    )
    parser.add_argument(
        "--real-windows",
        action="store_true",
        help="keep the demo hotspots' active windows (default: all active, the busy case)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/api_load.json"))
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="smartspot-bench-"))
    db = folder / "bench.db"
    fleet = prepare(db, args.cars, args.seed, all_active=not args.real_windows)
    port = _free_port()
    env = {**os.environ, "SMARTSPOT_DB": str(db), "SMARTSPOT_SECRET_KEY": SECRET}
    server = subprocess.Popen(
        [sys.executable, "-m", "smartspot.cli.main", "serve", "--port", str(port),
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        result = asyncio.run(run_load(base, fleet, args))
    finally:
        server.terminate()
        server.wait(timeout=10)
    result["setup"] = {
        "cars": args.cars,
        "avl_workers": args.avl_workers,
        "avl_rate": args.avl_rate,
        "proposal_workers": args.proposal_workers,
        "load_average": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    pos, prop = result["positions"], result["proposals"]
    if not pos["requests"] or not prop["requests"]:
        return 0
    print(
        "\n| load | requests | throughput | p50 | p99 |\n|---|---|---|---|---|\n"
        f"| AVL batches of {pos['batch']} | {pos['requests']} | "
        f"{pos['updates_per_s']:,.0f} position updates/s | {pos['p50_ms']} ms | {pos['p99_ms']} ms |\n"
        f"| proposals (1 car each) | {prop['requests']} | {prop['per_s']} /s | "
        f"{prop['p50_ms']} ms | {prop['p99_ms']} ms |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
