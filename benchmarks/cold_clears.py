"""A district's first clears after the warm-up against its later ones, in process (issue 10 §7,
session 8): the national world of :mod:`benchmarks.national` (10,000 hotspots, 400 cars, 12
politikredse, a SQLite file) driven over the API in this process, warmed as each worker of
``smartspot serve`` warms (``api.app.warm``), then ``--clears`` clears per district, each of a
car not cleared before, at its place + the benchmark's offset (the car then available again).

Per clear: the engine's thread CPU of ``Vagtcentral.clear`` (the API's worker thread), of it
planning's, and the trees the travel caches grew (every ``RowCache`` miss in the process).
Run it on two trees to compare them (e.g. ``git archive`` of the older into a folder, then
``cd`` there and run its copy with this venv's Python).

Run: ``nice -n 19 .venv/bin/python -m benchmarks.cold_clears [--clears 2] [--only Midt-,Øst]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.national_profile import _client, _cycle
from benchmarks.national_roles import fixes
from benchmarks.national_world import national_policies, prepare_kept

#: per clear: engine thread CPU and planning's (seconds), set by the wrappers below
SPENT: dict[str, float] = {"clear": 0.0, "plan": 0.0}
GROWN = [0]


def _thread_cpu(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] = time.thread_time() - began

    return timed


def install() -> None:
    """Wrap the engine's clear and plan (thread CPU) and count every tree cache miss."""
    from smartspot.live import clearing, engine
    from smartspot.travel import cache

    engine.Vagtcentral.clear = _thread_cpu("clear", engine.Vagtcentral.clear)  # type: ignore[method-assign]
    clearing.plan = _thread_cpu("plan", clearing.plan)
    fetch = cache.RowCache._fetch_locked

    def counted(self: Any, nodes: Any, limit: float, *, tier: str) -> Any:
        before = self.misses
        try:
            return fetch(self, nodes, limit, tier=tier)
        finally:
            GROWN[0] += self.misses - before

    cache.RowCache._fetch_locked = counted  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clears", type=int, default=2, help="clears per district")
    parser.add_argument("--only", default="", help="district name prefixes, comma-separated")
    parser.add_argument("--keep", type=Path, default=Path("benchmarks/out/national.db"),
                        help="a prepared SQLite file to copy (made if absent)")  # fmt: skip
    args = parser.parse_args(argv)
    install()
    folder = Path(tempfile.mkdtemp(prefix="smartspot-cold-clears-"))
    policies = national_policies(folder / "policies")
    db = str(folder / "national.db")
    fleet = prepare_kept(db, args.keep, 10_000, 400, 1)
    began, cpu = time.perf_counter(), time.process_time()
    client = _client(db, policies, warm=True)
    print(f"app and warm-up: {time.perf_counter() - began:.1f} s, "
          f"CPU {time.process_time() - cpu:.1f} s")  # fmt: skip
    rng = np.random.default_rng(1)
    everyone = fixes(fleet, np.arange(len(fleet)), rng)
    for start in range(0, len(everyone), 200):
        client.post("/patrols/positions", json={"positions": everyone[start : start + 200]})
    prefixes = [p for p in args.only.split(",") if p]
    districts = sorted({c["politikreds"] for c in fleet})
    chosen = [d for d in districts if not prefixes or any(d.startswith(p) for p in prefixes)]
    rows: dict[int, list[float]] = {}
    timings: dict[str, list[float]] = {}
    print("district | clear | engine CPU ms | planning ms | trees grown")
    for district in chosen:
        cars = [c for c in fleet if c["politikreds"] == district][: args.clears]
        for k, car in enumerate(cars):
            grown = GROWN[0]
            _cycle(client, car, timings)
            rows.setdefault(k, []).append(1000 * SPENT["clear"])
            print(f"{district} | {k} | {1000 * SPENT['clear']:.1f} | "
                  f"{1000 * SPENT['plan']:.1f} | {GROWN[0] - grown}", flush=True)  # fmt: skip
            client.post(f"/patrols/{car['call_sign']}/status", json={"status": "available"})
    for k, cpu_ms in sorted(rows.items()):
        print(f"clear {k} of each district: engine CPU median {statistics.median(cpu_ms):.1f}"
              f" ms, max {max(cpu_ms):.1f} ms ({len(cpu_ms)} districts)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
