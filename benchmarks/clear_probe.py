"""Where the real server's clears and AVL batches spend their wall time (issue 10 §7), request
by request, inside each worker of ``smartspot serve --workers N``: the thread's own CPU
(``time.thread_time``), its wait for a core (the kernel's run-queue wait,
``/proc/thread-self/schedstat``), its time in the store's round trips (of which the write
lock's wait in ``BEGIN`` and the hold from ``BEGIN`` to the end of ``COMMIT``), and what is
left: blocked outside the store, in a worker that is the interpreter lock (another thread of
the same process running Python). Each span also carries the CPU the whole process used
meanwhile (``time.process_time``: the other threads' share is what the span's thread could
not run), the machine's busy cores (``/proc/stat``) and how many other spans of the process
it met.

Benchmark code only, as :mod:`benchmarks.clear_parts`: the wrappers are installed into the
engine's and the store's classes in each worker, never in their own code. Run the server as
``python -m benchmarks.clear_probe serve …`` with ``CLEAR_PROBE_DIR`` set (what
``python -m benchmarks.national --probe DIR`` does; with ``CLEAR_TIMING=1`` alone only the
clears' ``Server-Timing`` header of :mod:`benchmarks.clear_timing` is added, on every run): the spawned workers import this module
as their main module, so they install the probe before they build the app. Each worker writes
one JSON line per span to ``DIR/probe-<pid>.jsonl`` (and one ``tick`` a second: its CPU
seconds so far). ``python -m benchmarks.clear_probe report DIR --from RESULTS.json`` prints the
split per phase and for the slowest clears.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ENV = "CLEAR_PROBE_DIR"
_LOCAL = threading.local()
_ACTIVE: dict[int, dict[str, Any]] = {}  # span id -> span, of this process
_GUARD = threading.Lock()
_OUT: dict[str, Any] = {"file": None}
_IDS = iter(range(1, 1 << 62))


def _sched() -> tuple[float, float]:
    """This thread's CPU and run-queue wait so far, seconds (the kernel's schedstat)."""
    fd = getattr(_LOCAL, "fd", None)
    if fd is None:
        fd = _LOCAL.fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
    cpu, wait, _ = os.pread(fd, 128, 0).split()
    return int(cpu) / 1e9, int(wait) / 1e9


def _busy() -> tuple[float, float]:
    """The machine's busy and total jiffies so far (all cores)."""
    with open("/proc/stat", "rb") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _write(record: dict[str, Any]) -> None:
    out = _OUT["file"]
    if out is not None:
        with _GUARD:
            out.write(json.dumps(record) + "\n")
            out.flush()


@contextmanager
def _span(kind: str, **extra: Any) -> Iterator[dict[str, Any]]:
    """Measure one request's engine call in this thread (spans do not nest: an inner one is
    part of the outer)."""
    if getattr(_LOCAL, "span", None) is not None:
        yield _LOCAL.span
        return
    span: dict[str, Any] = {"kind": kind, "pid": os.getpid(), "t0": time.time(), **extra}
    span.update(met_clear=0, met_batch=0, db=0.0, db_cpu=0.0, db_rq=0.0, db_n=0, lock=0.0)
    span.update(hold=0.0, commit=0.0, plan=0.0, plan_cpu=0.0)
    sid = next(_IDS)
    with _GUARD:
        for other in _ACTIVE.values():
            other["met_" + kind] += 1
            span["met_" + other["kind"]] += 1
        _ACTIVE[sid] = span
    _LOCAL.span = span
    busy0, total0 = _busy()
    proc0 = time.process_time()
    cpu0, rq0 = _sched()
    began = time.perf_counter()
    try:
        yield span
    finally:
        wall = time.perf_counter() - began
        cpu1, rq1 = _sched()
        proc = time.process_time() - proc0
        busy1, total1 = _busy()
        _LOCAL.span = None
        with _GUARD:
            del _ACTIVE[sid]
        cpu, rq = cpu1 - cpu0, rq1 - rq0
        db_blocked = span["db"] - span["db_cpu"] - span["db_rq"]
        span.update(
            wall=wall,
            cpu=cpu,
            rq=rq,
            # blocked outside the store: in a worker, the interpreter lock
            gil=wall - cpu - rq - db_blocked,
            others_cpu=proc - cpu,  # the process's other threads meanwhile
            cores_busy=(busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1),
        )
        _write(span)


def _timed_db(fn: Callable[..., Any], what: str = "") -> Callable[..., Any]:
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        span = getattr(_LOCAL, "span", None)
        if span is None or getattr(_LOCAL, "in_db", False):
            return fn(*args, **kwargs)
        _LOCAL.in_db = True
        cpu0, rq0 = _sched()
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            took = time.perf_counter() - began
            cpu1, rq1 = _sched()
            _LOCAL.in_db = False
            span["db"] += took
            span["db_cpu"] += cpu1 - cpu0
            span["db_rq"] += rq1 - rq0
            span["db_n"] += 1
            if span["kind"] == "clear":  # which statements, and how long each took
                text = what or str(args[1] if len(args) > 1 else kwargs.get("sql", ""))
                span.setdefault("sql", []).append((" ".join(text.split())[:70], round(took, 5)))
            if what == "begin":
                span["lock"] += took
                span["_held_at"] = time.perf_counter()
            elif what == "commit":
                span["commit"] += took
                if "_held_at" in span:
                    span["hold"] += time.perf_counter() - span.pop("_held_at")

    return timed


def _traced(kind: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def traced(*args: Any, **kwargs: Any) -> Any:
        with _span(kind):
            return fn(*args, **kwargs)

    return traced


def install(folder: Path) -> None:
    """Wrap the engine's clear and AVL batch and the store's round trips in this process."""
    from smartspot.live import clearing, engine
    from smartspot.store import postgres, sqlite

    folder.mkdir(parents=True, exist_ok=True)
    _OUT["file"] = (folder / f"probe-{os.getpid()}.jsonl").open("a", encoding="utf-8")
    vc = engine.Vagtcentral
    vc.clear = _traced("clear", vc.clear)  # type: ignore[method-assign]
    vc.record_positions = _traced("batch", vc.record_positions)  # type: ignore[method-assign]
    planned = clearing.plan

    def plan(*args: Any, **kwargs: Any) -> Any:
        span = getattr(_LOCAL, "span", None)
        cpu0, began = time.thread_time(), time.perf_counter()
        try:
            return planned(*args, **kwargs)
        finally:
            if span is not None:
                span["plan"] += time.perf_counter() - began
                span["plan_cpu"] += time.thread_time() - cpu0
                span["district"] = args[3] if len(args) > 3 else kwargs.get("politikreds")

    clearing.plan = plan
    for store in (postgres.PostgresStore, sqlite.SqliteStore):
        store.execute = _timed_db(store.execute)  # type: ignore[method-assign]
        store.executemany = _timed_db(store.executemany)  # type: ignore[method-assign]
        store._begin = _timed_db(store._begin, "begin")  # type: ignore[method-assign]
        store._commit = _timed_db(store._commit, "commit")  # type: ignore[method-assign]
    from api import app as service

    made = service.app_from_environment

    def app_from_environment() -> Any:
        return _Http(made())

    service.app_from_environment = app_from_environment  # type: ignore[assignment]
    threading.Thread(target=_ticks, name="clear-probe-ticks", daemon=True).start()


class _Http:
    """The app, with each clear's and AVL batch's wall in the server (from its request's
    start to the end of its answer) and the event loop thread's CPU meanwhile (routing,
    validation and JSON run there, beside the other requests' parsing)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        kind = (
            "clear_http"
            if path.endswith("/clear")
            else "batch_http"
            if path.endswith("/positions")
            else ""
        )
        if not kind:
            await self.app(scope, receive, send)
            return
        t0, began, cpu0 = time.time(), time.perf_counter(), time.thread_time()
        try:
            await self.app(scope, receive, send)
        finally:
            _write({
                "kind": kind, "pid": os.getpid(), "t0": t0, "path": path,
                "wall": time.perf_counter() - began,
                "loop_cpu": time.thread_time() - cpu0,  # the loop's, over all its requests
            })  # fmt: skip


def _ticks() -> None:
    while True:
        _write({"kind": "tick", "pid": os.getpid(), "t0": time.time(), "cpu": time.process_time()})
        time.sleep(1.0)


# -- the report ------------------------------------------------------------------------------

FIELDS = ("wall", "cpu", "rq", "gil", "db", "lock", "hold", "plan", "plan_cpu", "others_cpu")


def _read(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(folder.glob("probe-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _phases(results: Path | None) -> dict[str, tuple[float, float]]:
    if results is None:
        return {}
    found = json.loads(results.read_text(encoding="utf-8"))
    return {
        name: (found[name]["began_at"], found[name]["began_at"] + found[name]["seconds"])
        for name in ("normal", "stress")
        if name in found and "began_at" in found[name]
    }


def report(folder: Path, results: Path | None, slowest: int = 8) -> str:
    rows = _read(folder)
    phases = _phases(results) or {"all": (0.0, float("inf"))}
    lines = []
    for name, (start, end) in phases.items():
        inside = [r for r in rows if start <= r["t0"] < end]
        lines.append(f"## {name}")
        ticks: dict[int, list[dict[str, Any]]] = {}
        for r in inside:
            if r["kind"] == "tick":
                ticks.setdefault(r["pid"], []).append(r)
        for pid, seen in sorted(ticks.items()):
            if len(seen) > 1:
                cores = (seen[-1]["cpu"] - seen[0]["cpu"]) / (seen[-1]["t0"] - seen[0]["t0"])
                lines.append(f"worker {pid}: {cores:.2f} cores")
        for kind in ("clear_http", "batch_http"):
            spans = sorted(r["wall"] * 1000 for r in inside if r["kind"] == kind)
            if spans:
                lines.append(
                    f"{kind} (server side): median {statistics.median(spans):.1f} / p90 "
                    f"{spans[int(0.9 * len(spans))]:.1f} / max {spans[-1]:.1f} ms"
                )
        for kind in ("clear", "batch"):
            spans = [r for r in inside if r["kind"] == kind]
            if not spans:
                continue
            lines.append(f"{kind}: {len(spans)} spans, median / p90 / max (ms)")
            for field in FIELDS:
                values = sorted(r.get(field, 0.0) * 1000 for r in spans)
                p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
                lines.append(
                    f"  {field:10s} {statistics.median(values):7.1f} {p90:7.1f} {values[-1]:7.1f}"
                )
        clears = sorted(
            (r for r in inside if r["kind"] == "clear"), key=lambda r: r["wall"], reverse=True
        )
        lines.append(
            "slowest clears: wall = cpu + rq + gil + db (lock, hold) | plan (cpu) | others_cpu | "
            "met batches | machine cores busy"
        )
        for r in clears[:slowest]:
            lines.append(
                f"  {r.get('district', '?')[:22]:22s} {r['wall'] * 1000:6.1f} = "
                f"{r['cpu'] * 1000:5.1f} + {r['rq'] * 1000:5.1f} + {r['gil'] * 1000:5.1f} + "
                f"{r['db'] * 1000:5.1f} ({r['lock'] * 1000:5.1f}, {r['hold'] * 1000:5.1f}) | "
                f"{r['plan'] * 1000:5.1f} ({r['plan_cpu'] * 1000:5.1f}) | "
                f"{r['others_cpu'] * 1000:5.1f} | {r['met_batch']:2d} | {r['cores_busy']:.2f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["report"]:
        parser = argparse.ArgumentParser(description="the probe's split per phase")
        parser.add_argument("folder", type=Path)
        parser.add_argument("--from", dest="results", type=Path)
        parser.add_argument("--slowest", type=int, default=8)
        args = parser.parse_args(argv[1:])
        print(report(args.folder, args.results, args.slowest))
        return 0
    from smartspot.cli.main import main as smartspot

    return int(smartspot(argv) or 0)


if __name__ in ("__main__", "__mp_main__"):  # in the server and in each spawned worker
    from benchmarks import clear_timing

    if os.environ.get(clear_timing.ENV) or os.environ.get(ENV):
        clear_timing.install()  # the clears' Server-Timing header
    if os.environ.get(ENV):
        install(Path(os.environ[ENV]))

if __name__ == "__main__":
    sys.exit(main())
