"""The national benchmark's other clients, each in a process of its own
(:mod:`benchmarks.national`, session 8): the cars' AVL gateway and the map's event stream. The
desk (callouts and clears, whose latency is the target) runs in the benchmark's own process; a
real operator's desk is not the cars' AVL feed, and in one event loop a clear's answer waited
for the generator's fixes to be made, encoded and sent, and for the map's events to be parsed
(sessions 3-7).

A role is started with :func:`start` (a ``spawn`` process: no copy of the parent's event loop
or connections), gets ready (imports, its clients), says so, waits for the common start and
runs for the phase; :meth:`Role.result` gives its figures.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import queue
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import numpy as np

CONTEXT = multiprocessing.get_context("spawn")


def fixes(fleet: list[dict[str, Any]], chosen: np.ndarray, rng: np.random.Generator) -> list[Any]:
    """A fix for each chosen car, each a small step from its last one (within ~2 km of
    home), stamped now."""
    now = datetime.now(UTC).isoformat()
    out = []
    for i in chosen.tolist():
        car = fleet[i]
        lon0, lat0 = car["home"]
        car["lon"] = float(np.clip(car["lon"] + rng.normal(0, 0.0004), lon0 - 0.02, lon0 + 0.02))
        car["lat"] = float(np.clip(car["lat"] + rng.normal(0, 0.00025), lat0 - 0.012, lat0 + 0.012))
        out.append({"call_sign": car["call_sign"], "lon": car["lon"], "lat": car["lat"], "at": now})
    return out


def client(base: str, headers: dict[str, str], per_request: bool, timeout: float = 60) -> Any:
    """An HTTP client of one role: ``per_request`` opens a new connection for each request
    (each then goes to whichever worker takes it first, as a load balancer in front of N
    workers would spread it); else it keeps its connection, which stays with the worker that
    accepted it."""
    limits = httpx.Limits(max_keepalive_connections=0) if per_request else httpx.Limits()
    return httpx.AsyncClient(base_url=base, timeout=timeout, headers=headers, limits=limits)


async def _gateway(
    http: httpx.AsyncClient, fleet: list[dict[str, Any]], batch: int, interval_s: float,
    until: float, rng: np.random.Generator, stats: dict[str, list[Any]],
) -> None:  # fmt: skip
    next_at = time.monotonic()
    while time.monotonic() < until:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        next_at += interval_s
        chosen = rng.choice(len(fleet), size=min(batch, len(fleet)), replace=False)
        began = time.monotonic()
        answer = await http.post(
            "/patrols/positions", json={"positions": fixes(fleet, chosen, rng)}
        )
        stats["avl_s"].append(time.monotonic() - began)
        if answer.status_code == 200:
            stats["fixes"].append(len(chosen))
        else:
            stats["errors"].append(f"AVL {answer.status_code} {answer.text[:160]}")


async def avl(
    base: str, headers: dict[str, str], fleet: list[dict[str, Any]], *, batch: int,
    interval_s: float, clients: int, seed: int, per_request: bool, begin: Any, seconds: float,
) -> dict[str, list[Any]]:  # fmt: skip
    """The AVL gateway: ``clients`` senders, each a batch of ``batch`` random cars every
    ``interval_s``, from the common start for ``seconds``."""
    stats: dict[str, list[Any]] = {"avl_s": [], "fixes": [], "errors": []}
    senders = [client(base, headers, per_request) for _ in range(clients)]
    start = await begin()
    until = start + seconds
    try:
        await asyncio.gather(
            *(
                _gateway(s, fleet, batch, interval_s, until, np.random.default_rng(seed + c), stats)
                for c, s in enumerate(senders)
            )
        )
    finally:
        for s in senders:
            await s.aclose()
    return stats


async def listen(
    base: str, headers: dict[str, str], *, begin: Any, seconds: float, tail_s: float = 2.0
) -> dict[str, list[Any]]:
    """The map's event stream: every event's id (a gap is a lost event) and, for position
    events, the lag from the fix's own time to its arrival here. Open before the start; read
    until ``tail_s`` after the phase."""
    stats: dict[str, list[Any]] = {"event_ids": [], "sse_lag_s": [], "errors": []}
    async with client(base, headers, per_request=False) as http:
        (await http.post("/events/session")).raise_for_status()
        try:
            async with http.stream("GET", "/events", timeout=None) as stream:
                until = (await begin()) + seconds + tail_s
                kind = ""
                async for line in stream.aiter_lines():
                    if line.startswith("id: "):
                        stats["event_ids"].append(int(line[4:]))
                    elif line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind == "positions":
                        got = datetime.now(UTC)
                        for fix in json.loads(line[6:]).get("positions", []):
                            sent = datetime.fromisoformat(fix["at"])
                            stats["sse_lag_s"].append((got - sent).total_seconds())
                    if time.monotonic() > until:
                        break
        except httpx.HTTPError as error:
            stats["errors"].append(f"SSE {error!r}")
    return stats


ROLES = {"avl": avl, "listen": listen}


def _main(name: str, kwargs: dict[str, Any], out: Any, go: Any) -> None:
    cpu = {"began": 0.0}

    async def begin() -> float:
        out.put(("ready", None))
        start = await asyncio.to_thread(go.get)
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        cpu["began"] = time.process_time()
        return float(start)

    try:
        found = asyncio.run(ROLES[name](begin=begin, **kwargs))
        # this process's CPU seconds from the start on (the parent's meter cannot read a
        # process that has ended)
        out.put(("done", {**found, "cpu_s": [time.process_time() - cpu["began"]]}))
    except BaseException as error:  # the parent reports it
        out.put(("failed", repr(error)))


class Role:
    """A role's process (:func:`start`)."""

    def __init__(self, name: str, kwargs: dict[str, Any]) -> None:
        self.name = name
        self.out = CONTEXT.Queue()
        self.go = CONTEXT.Queue()
        self.process = CONTEXT.Process(
            target=_main, args=(name, kwargs, self.out, self.go), name=f"national-{name}"
        )
        self.process.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def ready(self, timeout_s: float = 120) -> None:
        """Wait until it is ready to start (its imports and connections done)."""
        kind, found = self.out.get(timeout=timeout_s)
        if kind != "ready":
            raise RuntimeError(f"{self.name}: {found}")

    def begin(self, at: float) -> None:
        """Start at ``at`` (``time.monotonic``, one clock for every process of the machine)."""
        self.go.put(at)

    def result(self, timeout_s: float) -> dict[str, list[Any]]:
        """Its figures (an ``errors`` entry if it failed or did not finish in time)."""
        try:
            kind, found = self.out.get(timeout=timeout_s)
        except queue.Empty:
            kind, found = "failed", f"no answer in {timeout_s:.0f} s"
        finally:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
        if kind != "done":
            return {"errors": [f"{self.name}: {found}"]}
        return dict(found)


def start(name: str, **kwargs: Any) -> Role:
    """Start role ``name`` (:data:`ROLES`) in its own process."""
    return Role(name, kwargs)
