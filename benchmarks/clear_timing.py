"""Each clear's time inside the server, told to the client with the answer (issue 10 §7,
session 8): a ``Server-Timing`` header on every ``…/clear`` answer of the national benchmark's
server, so that the desk records, per clear, the time it waited (request sent to answer read)
beside the time the server spent on it::

    Server-Timing: app;dur=44.10, before;dur=2.10, engine;dur=36.30, after;dur=5.70, gc;dur=0.00,
        gc1;dur=0.00, gc2;dur=0.00

* ``app``: from the moment uvicorn hands the request to the app to the moment the answer's
  head is sent (the route, its dependencies, the threadpool hop, the engine, validation and
  JSON); not uvicorn's reading and parsing of the request nor the socket;
* ``engine``: ``Vagtcentral.clear`` in its thread (planning and the store); ``before`` the
  app's time until it began (dependencies: the token, the caller's rights, each a hop to the
  threadpool and back) and ``after`` from its end to the answer's head (the views, the
  reasons in words, validation, JSON, the hop back to the event loop; of it ``views``: the
  route's views and their reasons in words);
* ``loop``: the event loop's worst lateness meanwhile (a 5 ms tick woken late: the loop busy
  with other requests, the event stream or a thread holding the interpreter lock);
* ``gc``: the cyclic garbage collector's pauses in the worker meanwhile (a pause stops every
  thread of the process); ``gc1`` and ``gc2`` the part of it in collections of the middle and
  the oldest generation.

Benchmark code only, like :mod:`benchmarks.clear_probe` (which installs this too): the wrappers
are put around the engine's class and the app in each worker, never into their own code. The
server runs as ``python -m benchmarks.clear_probe serve …`` with ``CLEAR_TIMING=1`` (what
:mod:`benchmarks.national` does on every run); the cost is two clock reads around a clear and
one header.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import gc
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

ENV = "CLEAR_TIMING"
#: the clear's timings, one dict per request: the threadpool runs the route in a copy of the
#: request's context, which shares this dict, so the engine's thread can fill it in
_HOLDER: ContextVar[dict[str, float] | None] = ContextVar("clear_timing", default=None)
#: this process's garbage collector pauses so far, seconds (and when the current one began)
_GC: dict[str, float] = {"paused": 0.0, "began": 0.0}
_INSTALLED: list[bool] = []
_WATCH: list[asyncio.Task[None]] = []


def header(timings: dict[str, float]) -> bytes:
    """The ``Server-Timing`` value for these milliseconds."""
    return ", ".join(f"{name};dur={ms:.2f}" for name, ms in timings.items()).encode("ascii")


def parse(value: str | None) -> dict[str, float]:
    """Milliseconds per name from a ``Server-Timing`` header (``{}`` without one; a metric
    without a duration is left out)."""
    found: dict[str, float] = {}
    for metric in (value or "").split(","):
        name, *params = (part.strip() for part in metric.split(";"))
        for param in params:
            key, _, number = param.partition("=")
            if name and key.strip() == "dur":
                try:
                    found[name] = float(number.strip().strip('"'))
                except ValueError:
                    continue
    return found


def _gc_watch(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _GC["began"] = time.perf_counter()
    elif _GC["began"]:
        took = time.perf_counter() - _GC["began"]
        _GC["paused"] += took
        key = f"gen{info.get('generation', 0)}"
        _GC[key] = _GC.get(key, 0.0) + took
        _GC["began"] = 0.0


def _timed(
    fn: Callable[..., Any], record: Callable[[dict[str, Any], float, float], None]
) -> Callable[..., Any]:
    """``fn``, its start and end handed to ``record`` with the clear's holder (if any)."""

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            holder = _HOLDER.get()
            if holder is not None:
                record(holder, began, time.perf_counter())

    return timed


def _timed_clear(fn: Callable[..., Any]) -> Callable[..., Any]:
    def record(holder: dict[str, Any], began: float, ended: float) -> None:
        holder["_began"], holder["_ended"] = began, ended

    return _timed(fn, record)


def _timed_part(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its time added to the clear's ``name`` (a part of ``after``)."""

    def record(holder: dict[str, Any], began: float, ended: float) -> None:
        holder[name] = holder.get(name, 0.0) + (ended - began) * 1000

    return _timed(fn, record)


#: the event loop's lateness: each tick of :func:`_watch_loop` (its end, how late it woke)
_TICKS: collections.deque[tuple[float, float]] = collections.deque(maxlen=4000)
TICK_S = 0.005


async def _watch_loop() -> None:
    """Sleep :data:`TICK_S` again and again and note how late each wake-up came: the time
    the event loop was busy with something else (parsing a batch, encoding an event for the
    stream, a thread holding the interpreter lock) while a clear's answer might have waited."""
    while True:
        began = time.perf_counter()
        await asyncio.sleep(TICK_S)
        ended = time.perf_counter()
        _TICKS.append((ended, max(0.0, ended - began - TICK_S)))


def _loop_late(since: float, until: float) -> float:
    """How late the latest of the loop's ticks that ended between ``since`` and ``until``
    woke, ms (a tick still asleep at ``until`` is not counted: a lower bound)."""
    late = [lag for ended, lag in list(_TICKS) if since <= ended <= until]
    return max(late, default=0.0) * 1000


class ServerTiming:
    """The app, with a ``Server-Timing`` header on each clear's answer (module docstring)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope.get("path", "").endswith("/clear"):
            await self.app(scope, receive, send)
            return
        if not _WATCH:  # the first clear starts the loop's watch (in the server's loop)
            _WATCH.append(asyncio.get_running_loop().create_task(_watch_loop()))
        began, paused = time.perf_counter(), dict(_GC)
        holder: dict[str, float] = {}
        token = _HOLDER.set(holder)

        async def timed_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                now = time.perf_counter()
                timings = {"app": (now - began) * 1000}
                if "_began" in holder:  # the app's time before, in and after the engine
                    timings["before"] = (holder["_began"] - began) * 1000
                    timings["engine"] = (holder["_ended"] - holder["_began"]) * 1000
                    timings["after"] = (now - holder["_ended"]) * 1000
                if "views" in holder:
                    timings["views"] = holder["views"]
                timings["loop"] = _loop_late(began, now)
                timings |= {
                    "gc": (_GC["paused"] - paused["paused"]) * 1000,
                    **{  # of it, the collections of the middle and the oldest generation
                        f"gc{g}": (_GC.get(f"gen{g}", 0.0) - paused.get(f"gen{g}", 0.0)) * 1000
                        for g in (1, 2)
                    },
                }
                headers = [*message.get("headers", []), (b"server-timing", header(timings))]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            _HOLDER.reset(token)


def install() -> None:
    """Time the clears in this process (once)."""
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    from api import app as service
    from api.routers import live
    from smartspot.live import engine

    vc = engine.Vagtcentral
    vc.clear = _timed_clear(vc.clear)  # type: ignore[method-assign]
    # the route's own work after the engine: its views and their reasons in words (the rest
    # of ``after`` is FastAPI's validation and JSON and the hop back to the event loop)
    for part in ("round_view", "localised_proposal", "localised_reasons", "callout_view"):
        setattr(live, part, _timed_part("views", getattr(live, part)))
    made = service.app_from_environment

    def app_from_environment() -> Any:
        return ServerTiming(made())

    service.app_from_environment = app_from_environment  # type: ignore[assignment]
    gc.callbacks.append(_gc_watch)
