"""Where a national clear's time goes, in process (issue 10 §7): the national world of
:mod:`benchmarks.national` (10,000 hotspots, 400 cars, 12 politikredse) on a SQLite file or a
throwaway PostGIS cluster, driven over the API in this process (``fastapi.testclient``: the
routes, validation and serialisation, without the network and the load generator), with
cProfile around the clears and the AVL batches.

Run: ``nice -n 19 .venv/bin/python -m benchmarks.national_profile [--pg] [--clears 24]``;
prints the per-step timings and the top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import clear_parts
from benchmarks.api_load import PASSWORD, SECRET
from benchmarks.national_roles import fixes as _fixes
from benchmarks.national_world import national_policies, prepare, prepare_kept


def _client(db: str, policies: Path, *, warm: bool = True) -> Any:
    from fastapi.testclient import TestClient

    from api import create_app
    from api.app import warm as warm_up
    from api.settings import Settings

    app = create_app(Settings(db=db, secret_key=SECRET, policy_dir=policies))
    if warm:  # as each worker of ``smartspot serve`` does before it takes requests
        warm_up(app)
    client = TestClient(app).__enter__()  # one event loop and thread pool, as a server has
    answer = client.post("/auth/token", data={"username": "bench", "password": PASSWORD})
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


def _cycle(
    client: Any,
    car: dict[str, Any],
    timings: dict[str, list[float]],
    parts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    place = {"lon": car["lon"] + 0.004, "lat": car["lat"] + 0.002}
    callout_id = ""
    answer: Any = None
    for name, path, body in (
        ("receive", "/callouts", {"urgent": False, **place}),
        ("dispatch", "/callouts/{id}/dispatch", {"patrol": car["call_sign"]}),
        ("arrive", "/callouts/{id}/arrive", None),
        ("clear", "/callouts/{id}/clear", None),
    ):
        if parts is not None and name == "clear":
            clear_parts.start()
        began = time.perf_counter()
        answer = client.post(path.format(id=callout_id), json=body)
        timings.setdefault(name, []).append(time.perf_counter() - began)
        answer.raise_for_status()
        if parts is not None and name == "clear":
            row = dict(clear_parts.CURRENT, total=timings[name][-1])
            row.update(district=car["politikreds"], cars=len(answer.json()["proposals"]))
            parts.append(row)
        if name == "receive":
            callout_id = answer.json()["id"]
    timings.setdefault("clear_bytes", []).append(len(answer.content))
    return dict(answer.json())


class _Quiet:
    """No profiler (the step timers of ``--parts`` measure alone)."""

    def enable(self) -> None:
        pass

    def disable(self) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--hotspots", type=int, default=10_000)
    parser.add_argument("--cars", type=int, default=400)
    parser.add_argument("--clears", type=int, default=24)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--returning", type=int, default=-1,
                        help="send a district's older cleared cars home, keeping this many "
                        "returning (-1: never, as the session-3 benchmark)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="a prepared SQLite file to copy (made if absent)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--cold", action="store_true", help="no warm-up (api.app.warm)")
    parser.add_argument("--spy", type=Path, help="py-spy raw samples of the measured part here")
    parser.add_argument("--parts", action="store_true",
                        help="time each clear's steps (benchmarks/clear_parts.py)")  # fmt: skip
    parser.add_argument("--dump", type=Path,
                        help="with --parts: write every solved problem here "
                        "(for benchmarks/clear_solves.py)")  # fmt: skip
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="smartspot-profile-"))
    policies = national_policies(folder / "policies")
    cluster = None
    if args.pg:
        from benchmarks.national import _cluster

        cluster = _cluster()
        db = cluster.url(cluster.new_database())
        fleet = prepare(db, args.hotspots, args.cars, args.seed)
    else:
        db = str(folder / "national.db")
        fleet = prepare_kept(db, args.keep, args.hotspots, args.cars, args.seed)
    try:
        _profile(args, db, policies, fleet)
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


def _profile(args: argparse.Namespace, db: str, policies: Path, fleet: list[Any]) -> None:
    rng = np.random.default_rng(args.seed)
    parts: list[dict[str, Any]] | None = None
    if args.parts:
        clear_parts.install(args.dump)
        parts = []
    began = time.perf_counter()
    client = _client(db, policies, warm=not args.cold)
    print(f"app ready in {time.perf_counter() - began:.1f} s", flush=True)
    everyone = _fixes(fleet, np.arange(len(fleet)), rng)
    for start in range(0, len(everyone), 200):
        client.post("/patrols/positions", json={"positions": everyone[start : start + 200]})
    warm: dict[str, list[float]] = {}
    one_each = {car["politikreds"]: car for car in fleet}
    first: list[dict[str, Any]] | None = None if parts is None else []
    for car in one_each.values():  # the first clear of each district reads its model
        _cycle(client, car, warm, first)
        if args.returning >= 0:
            client.post(f"/patrols/{car['call_sign']}/status", json={"status": "available"})
    print(f"first clears: {sum(warm['clear']):.1f} s", flush=True)
    rest = [c for c in fleet if c not in one_each.values()]
    order = rng.permutation(len(rest)).tolist()
    timings: dict[str, list[float]] = {}
    returning: dict[str, list[str]] = {}
    profile: Any = _Quiet() if args.parts else cProfile.Profile()  # no profiler in the parts
    spy = None
    if args.spy is not None:  # py-spy sees every thread (cProfile only this one)
        spy = subprocess.Popen(["py-spy", "record", "--format", "raw", "-r", "200", "-o",
                                str(args.spy), "--pid", str(os.getpid())])  # fmt: skip
        time.sleep(2)
    for k in range(args.clears):
        car = rest[order[k]]
        batch = _fixes(fleet, rng.choice(len(fleet), size=100, replace=False), rng)
        began = time.perf_counter()
        profile.enable()
        client.post("/patrols/positions", json={"positions": batch})
        profile.disable()
        timings.setdefault("avl100", []).append(time.perf_counter() - began)
        going = returning.setdefault(car["politikreds"], [])
        while args.returning >= 0 and len(going) > args.returning:
            home = going.pop(0)
            client.post(f"/patrols/{home}/status", json={"status": "available"})
        cpu = time.process_time()
        profile.enable()
        made = _cycle(client, car, timings, parts)
        profile.disable()
        timings.setdefault("cycle_cpu", []).append(time.process_time() - cpu)
        going.append(car["call_sign"])
        timings.setdefault("cars_planned", []).append(len(made["proposals"]))
    for _ in range(args.batches):
        batch = _fixes(fleet, rng.choice(len(fleet), size=100, replace=False), rng)
        began = time.perf_counter()
        profile.enable()
        client.post("/patrols/positions", json={"positions": batch})
        profile.disable()
        timings["avl100"].append(time.perf_counter() - began)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait()
    for name, values in timings.items():
        if name in ("clear_bytes", "cars_planned"):
            print(f"{name}: median {statistics.median(values):,.0f} max {max(values):,.0f}")
        else:
            ms = sorted(v * 1000 for v in values)
            print(f"{name}: n={len(ms)} p50 {statistics.median(ms):.1f} ms max {ms[-1]:.1f} ms")
    if parts and first:
        print("first clears:\n" + clear_parts.table(first) + "\n")
        print("clears:\n" + clear_parts.table(parts) + "\n")
        return
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(args.top)
    print(text.getvalue())
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(args.top)
    print(text.getvalue())


if __name__ == "__main__":
    raise SystemExit(main())
