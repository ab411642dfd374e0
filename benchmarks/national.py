"""A synthetic national load on a real server (issue 10 §7): all 12 politikredse at once.

Sets up a fresh database with ``--hotspots`` open hotspots spread over the country's kommuner
(a kommune's share follows its land area; points uniform on its land), ``--cars`` patrol cars
spread over every police station, an operator, and starts ``smartspot serve`` (``--workers``
processes; more than one needs PostgreSQL, ``--db postgresql://…``) on a loopback port, with
a policy file per politikreds (the defaults, shift-end rule off: see ``national_policies``). Then,
per phase (``normal`` and ``stress``), for ``--seconds``:

* the AVL gateway: every car reports every 5 s, so 400 cars make 80 fixes/s, sent as one
  batch a second (``normal``); ``stress`` pushes ``--stress-rate`` fixes/s (default 2,000) in
  batches of 100 from several clients;
* the vagtcentraler: callouts received, dispatched, arrived and cleared for a random free car
  of any politikreds, the clear planning that car's proposal on its district's model. The
  national rate is 31,381 measured urgent callouts a year outside Københavns Politi (2017,
  ``data/calibration_facts.csv``) and about 30,000 other tasks a year per 581,000 inhabitants
  (``scenarios/midt_vestjylland/scenario.toml``), so about 340,000 a year, 54 an hour in the
  busiest hour; one clear is sampled every ``--clear-every`` seconds (default 5 s, 720 an
  hour: 13 × the national busiest hour) so that the latency has a distribution.

The AVL gateway and the map's event stream each run in a process of their own
(:mod:`benchmarks.national_roles`), the desk (callouts and clears) in this one, so that a
clear's latency is the desk's own wait: from its request sent to its answer read (sessions 3-7
ran all three in one event loop). Each clear's answer also says how long it took inside the
server (:mod:`benchmarks.clear_timing`'s ``Server-Timing``: the app, the engine, the garbage
collector), recorded beside the desk's time per clear. By default every request has a
connection of its own (``--connections per-request``), so the requests of many cars and desks
spread over the workers as a load balancer would send them; ``kept-alive`` keeps one
connection per sender and one for the desk, each staying with the worker that accepted it.

Prints position updates per second, AVL and clear latency (p50, p99, max; the clear's also in
the server and in the engine) and errors per phase, as JSON and as a Markdown table for
``benchmarks/RESULTS.md``.

Run: ``.venv/bin/python -m benchmarks.national`` (set-up ~1–3 min for 10,000 hotspots, then
2 × ``--seconds``) on SQLite; ``--pg --workers N`` on a throwaway PostGIS cluster with fsync on
(or ``--db postgresql://…`` for a database of your own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks import clear_timing
from benchmarks import national_roles as roles
from benchmarks.api_load import PASSWORD, SECRET, _free_port, _summary
from benchmarks.national_cpu import CpuMeter, postmaster_pid
from benchmarks.national_report import counts, lost, markdown, server_side
from benchmarks.national_world import Homecoming, national_policies, prepare

FIX_INTERVAL_S = 5.0
#: the database of this run, kept out of the recorded error texts (machine paths)
DB_PATH: list[str] = []
#: CPU per part of the run: generator, server, database (filled in by ``_run``)
CPU = CpuMeter({})


async def _callouts(
    client: httpx.AsyncClient, fleet: list[dict[str, Any]], every_s: float, until: float,
    rng: np.random.Generator, stats: dict[str, list[Any]], home: Homecoming,
) -> None:  # fmt: skip
    order = rng.permutation(len(fleet)).tolist()
    next_at = time.perf_counter()
    while time.perf_counter() < until and order:
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        next_at += every_s
        car = fleet[order.pop()]
        for method, path, body in home.before_clear(car["politikreds"]):
            arrived = await client.request(method, path, json=body)
            if arrived.status_code != 200:
                stats["errors"].append(f"{path} {arrived.status_code} {arrived.text[:160]}")
        place = {"lon": car["lon"] + 0.004, "lat": car["lat"] + 0.002}
        steps = [
            ("/callouts", {"urgent": bool(rng.random() < 0.1), **place}),
            ("/callouts/{id}/dispatch", {"patrol": car["call_sign"]}),
            ("/callouts/{id}/arrive", None),
            ("/callouts/{id}/clear", None),
        ]
        callout_id = ""
        for path, body in steps:
            began = time.perf_counter()
            answer = await client.post(path.format(id=callout_id), json=body)  # body read too
            took = time.perf_counter() - began  # request sent to answer read, on the desk
            if answer.status_code not in (200, 201):
                stats["errors"].append(f"{path} {answer.status_code} {answer.text[:160]}")
                break
            if path == "/callouts":
                callout_id = answer.json()["id"]
            elif path.endswith("clear"):
                stats["clear_s"].append(took)
                stats.setdefault("clear_bytes", []).append(len(answer.content))
                server = clear_timing.parse(answer.headers.get("server-timing"))
                stats.setdefault("per_clear", []).append(
                    {"district": car["politikreds"], "client_ms": round(took * 1000, 2)}
                    | {f"{k}_ms": round(v, 2) for k, v in server.items()}
                )
                home.cleared(car["politikreds"], car["call_sign"], answer.json())
                made = answer.json().get("proposals", [])
                stats.setdefault("cars_planned", []).append(len(made))
                stats["with_stops"].append(any(p["stops"] for p in made))
                # the round's one solve (every proposal of it carries the same run)
                solve_s = max((p["solver_run"]["solve_ms"] for p in made), default=0.0) / 1000
                stats.setdefault("solve_s", []).append(solve_s)
                stats.setdefault("slow_clears", []).append((took, solve_s))
                stats.setdefault("blocked", []).extend(
                    (p.get("blocked") or {}).get("code", "") for p in made if not p["stops"]
                )


async def first_clears(
    base: str, fleet: list[dict[str, Any]], seed: int, home: Homecoming, rounds: int = 1
) -> dict[str, Any]:
    """One callout cleared in each politikreds before the load, ``rounds`` times (a round per
    worker, so that every worker has most likely met every district): the first clear of a
    district in a worker after start-up builds (or reads from its cache) the district's travel
    model."""
    stats: dict[str, list[Any]] = {"clear_s": [], "with_stops": [], "errors": []}
    elapsed = 0.0
    districts = 0
    for round_ in range(rounds):
        one_each = {car["politikreds"]: car for car in fleet}
        districts = len(one_each)
        elapsed += await _one_round(base, fleet, seed + round_, one_each, stats, home)
    return {
        "districts": districts,
        "rounds": rounds,
        "seconds": round(elapsed, 1),
        "clears": _summary(stats["clear_s"]),
        "error_count": len(stats["errors"]),
        "errors": stats["errors"][:5],
    }


async def _one_round(
    base: str, fleet: list[dict[str, Any]], seed: int, one_each: dict[str, dict[str, Any]],
    stats: dict[str, list[Any]], home: Homecoming,
) -> float:  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        answer = await client.post("/auth/token", data={"username": "bench", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        rng = np.random.default_rng(seed)
        cars = list(one_each.values())
        fixes = roles.fixes(cars, np.arange(len(cars)), rng)
        (await client.post("/patrols/positions", json={"positions": fixes})).raise_for_status()
        began = time.perf_counter()
        await _callouts(client, cars, 0.0, time.perf_counter() + 3600, rng, stats, home)
        elapsed = time.perf_counter() - began
    for car in cars:  # used once; the load takes the others
        fleet.remove(car)
    return elapsed


async def phase(
    base: str, fleet: list[dict[str, Any]], *, rate: float, batch: int, clients: int,
    seconds: float, clear_every_s: float, seed: int, home: Homecoming,
    per_request: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """One phase: the AVL gateway (``clients`` senders) and the map's event stream each in a
    process of its own (:mod:`benchmarks.national_roles`), the desk's callouts and clears in
    this one, all from one start for ``seconds``."""
    stats: dict[str, list[Any]] = {"clear_s": [], "with_stops": [], "errors": []}
    rng = np.random.default_rng(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as login:
        answer = await login.post("/auth/token", data={"username": "bench", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        login.headers.update(headers)
        everyone = roles.fixes(fleet, np.arange(len(fleet)), rng)
        for start in range(0, len(everyone), 200):
            body = {"positions": everyone[start : start + 200]}
            (await login.post("/patrols/positions", json=body)).raise_for_status()
    # the map first (its stream open before the load), then the AVL gateway; each gets ready
    # (imports, connections), then all begin at one instant
    started = [roles.start("listen", base=base, headers=headers, seconds=seconds)]
    started[0].ready()
    started.append(
        roles.start(
            "avl",
            base=base,
            headers=headers,
            fleet=fleet,
            batch=batch,
            interval_s=batch * clients / rate,
            clients=clients,
            seed=seed,
            per_request=per_request,
            seconds=seconds,
        )
    )
    started[1].ready()
    at = time.monotonic() + 0.5
    for role in started:
        role.begin(at)
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    CPU.start()
    began_at = time.time()  # for the probe's report (its spans carry wall-clock times)
    began = time.perf_counter()
    async with roles.client(base, headers, per_request) as desk:
        await _callouts(desk, fleet, clear_every_s, time.perf_counter() + seconds, rng, stats, home)
    elapsed = time.perf_counter() - began
    cores = CPU.stop(elapsed)
    for name, role in zip(("map", "avl"), started, strict=True):
        found = role.result(timeout_s=60)
        cores[name] = round(sum(found.pop("cpu_s", [])) / elapsed, 2)
        for key, values in found.items():
            stats.setdefault(key, []).extend(values)
    if DB_PATH:  # the database of the run kept out of the recorded error texts
        stats["errors"] = [e.replace(str(DB_PATH[0]), "<database>") for e in stats["errors"]]
    for key in ("event_ids", "sse_lag_s", "avl_s", "fixes"):
        stats.setdefault(key, [])
    return {
        "seconds": round(elapsed, 1),
        "began_at": began_at,
        "connections": "per request" if per_request else "kept alive",
        "clients": "desk, AVL gateway and map each in its own process",
        "target_fixes_per_s": rate,
        "fixes_per_s": round(sum(stats["fixes"]) / elapsed, 1),
        "avl": {**_summary(stats["avl_s"]), "batch": batch, "clients": clients},
        "clears": {
            **_summary(stats["clear_s"]),
            "with_stops": sum(stats["with_stops"]),
            "cars_planned": counts(stats.get("cars_planned", [])),
            "answer_bytes_p50": int(np.median(stats["clear_bytes"]))
            if stats.get("clear_bytes")
            else None,
            "solve": _summary(stats.get("solve_s", [])),
            # the server's side of each clear (benchmarks/clear_timing), and the desk's wait
            # beyond it (the client's own time and the loopback)
            **server_side(stats.get("per_clear", [])),
            "each": stats.get("per_clear", []),
            # the three slowest clears: (clear ms, of it the solver's ms)
            "slowest": [
                (round(t * 1000, 1), round(v * 1000, 1))
                for t, v in sorted(stats.get("slow_clears", []))[-3:]
            ],
            "empty_because": {
                c: stats.get("blocked", []).count(c) for c in set(stats.get("blocked", []))
            },
        },
        "sse": {
            "events": len(stats["event_ids"]),
            "lost": lost(stats["event_ids"]),
            **{k.replace("ms", "lag_ms"): v for k, v in _summary(stats["sse_lag_s"]).items()},
        },
        "cores_used": cores,
        "error_count": len(stats["errors"]),
        "errors": stats["errors"][:5],
    }


def _serve(
    db: str, workers: int, port: int, policies: Path, log: Path, probe: Path | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SMARTSPOT_DB": db,
        "SMARTSPOT_SECRET_KEY": SECRET,
        "SMARTSPOT_POLICY_DIR": str(policies),
    }
    # every clear's answer tells its time in the server (benchmarks/clear_timing); with a
    # probe, each worker also splits its clears' and batches' wall (benchmarks/clear_probe)
    env["CLEAR_TIMING"] = "1"
    if probe is not None:
        env["CLEAR_PROBE_DIR"] = str(probe.resolve())
    command = [sys.executable, "-m", "benchmarks.clear_probe", "serve", "--port", str(port),
               "--log-level", "warning"]  # fmt: skip
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as err:  # the server's own log, for when something fails
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)


def _wait_for(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300  # the district travel models are built at start
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("the server did not start (see its log)")
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--pg",
        action="store_true",
        help="start a throwaway PostgreSQL + PostGIS cluster for the run (tests/pg_cluster.py, "
        "with fsync on) and use it",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--hotspots", type=int, default=10_000)
    parser.add_argument("--cars", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--stress-rate", type=float, default=2_000.0)
    parser.add_argument("--clear-every", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--returning",
        type=int,
        default=1,
        help="earlier cleared cars of a politikreds still on their way home when another is "
        "cleared; older ones get home (default 1; -1: none ever does, as in session 3)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/national.json"))
    parser.add_argument(
        "--connections",
        choices=("per-request", "kept-alive"),
        default="per-request",
        help="per-request (default): a new connection for each request of the AVL gateway "
        "and the desk, so each request goes to whichever worker takes it (many cars and "
        "desks behind a load balancer); kept-alive: each AVL sender and the desk keep one "
        "connection, which stays with the worker that accepted it (sessions 3-7's 'shared' "
        "also shared one pool between them, in one process)",
    )
    parser.add_argument(
        "--probe",
        type=Path,
        help="a folder for each worker's per-request split of its clears and AVL batches "
        "(benchmarks/clear_probe.py; report: python -m benchmarks.clear_probe report DIR "
        "--from OUT)",
    )
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="smartspot-national-"))
    cluster = _cluster() if args.pg else None
    try:
        if cluster is not None:
            CPU.parts["database"] = postmaster_pid(cluster.data)
        return _run(args, folder, cluster.url(cluster.new_database()) if cluster else args.db)
    finally:
        if cluster is not None:
            cluster.stop()


def _cluster() -> Any:
    """A throwaway PostGIS cluster, durable like a server (fsync on), for this run only."""
    from tests.pg_cluster import Cluster, server_bindir

    bindir = server_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server with PostGIS (bash scripts/setup.d/50-postgis.sh)")
    cluster = Cluster(bindir, durable=True)
    cluster.start()
    return cluster


def _run(args: argparse.Namespace, folder: Path, url: str | None) -> int:
    db = url or str(folder / "national.db")
    DB_PATH.append(db)
    policies = national_policies(folder / "policies")
    fleet = prepare(db, args.hotspots, args.cars, args.seed)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(db, args.workers, port, policies, folder / "server.log", args.probe)
    CPU.parts.update(generator=os.getpid(), server=server.pid)
    print(f"server log: {folder / 'server.log'}", flush=True)
    results: dict[str, Any] = {}
    try:
        _wait_for(base, server)
        home = Homecoming(args.returning)
        results["first_clears"] = asyncio.run(
            first_clears(base, fleet, args.seed, home, rounds=args.workers)
        )
        print("first clears", json.dumps(results["first_clears"]), flush=True)
        normal = args.cars / FIX_INTERVAL_S
        for name, rate, batch, clients in (
            ("normal", normal, int(normal), 1),
            ("stress", args.stress_rate, 100, 4),
        ):
            results[name] = asyncio.run(
                phase(
                    base,
                    fleet,
                    rate=rate,
                    batch=batch,
                    clients=clients,
                    seconds=args.seconds,
                    clear_every_s=args.clear_every,
                    seed=args.seed,
                    home=home,
                    per_request=args.connections == "per-request",
                )
            )
            print(name, json.dumps(results[name]), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["setup"] = {
        "backend": "postgresql" if url else "sqlite",
        "workers": args.workers,
        "hotspots": args.hotspots,
        "cars": args.cars,
        "returning": args.returning,
        "seconds": args.seconds,
        "clear_every_s": args.clear_every,
        "load_average": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print("\n" + markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
