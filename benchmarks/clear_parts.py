"""Where each national clear's time goes, clear by clear (issue 10 §7): wall-clock timers
wrapped around the steps of a clear in this process (the callout transition, each store read
of planning, the problem's build with its travel calls, the value model, the solver, the
explanation, the store's writes, the answer's views and localisation) and the garbage
collector's pauses, for :mod:`benchmarks.national_profile` (``--parts``).

Timers nest: a step's time includes the steps inside it (``build`` includes ``travel``).
Benchmark code only: the wrappers are installed by :func:`install` into the modules that call
each step, never in the engine's own code.
"""

from __future__ import annotations

import functools
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: the running clear's seconds per step (and counts: ``n:<step>``), reset by :func:`start`
CURRENT: dict[str, Any] = {}
_GC: list[float] = []
#: where :func:`install` writes each solved problem (``--dump``), or None
DUMP: dict[str, Any] = {"folder": None, "count": 0}


def _add(name: str, seconds: float) -> None:
    CURRENT[name] = CURRENT.get(name, 0.0) + seconds
    CURRENT["n:" + name] = CURRENT.get("n:" + name, 0.0) + 1


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(name, time.perf_counter() - began)

    return timed


def _wrap(owner: Any, attribute: str, name: str) -> None:
    setattr(owner, attribute, _timed(name, getattr(owner, attribute)))


class _Travel:
    """A travel model whose ``matrix`` and ``trips`` calls are timed (``travel``)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name in ("matrix", "trips"):
            return _timed("travel", found)
        return found


def _gc_callback(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _GC.append(time.perf_counter())
    elif _GC:
        _add("gc", time.perf_counter() - _GC.pop())


def install(dump: Path | None = None) -> None:
    """Wrap the steps of a clear (call once, before the app is made); with ``dump``, every
    problem the clears solve is written there as ``solve-NNNN.json`` (the problem file, the
    time limit, the seed, the solve's wall time and the answer's stats) for
    :mod:`benchmarks.clear_solves`."""
    DUMP["folder"] = dump
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
    from api.routers import live as routes
    from smartspot.live import callouts, clearing, planning, proposals
    from smartspot.optimise import build
    from smartspot.store import (
        postgres,
        sqlite,
        sqlite_audit,
        sqlite_patrols,
        sqlite_proposals,
        sqlite_visits,
    )

    _wrap(callouts, "advance", "advance")
    _wrap(clearing, "plan", "plan")
    _wrap(planning, "_plan", "plan_body")
    _wrap(planning, "urgent_waiting", "urgent_waiting")
    _wrap(planning, "held_by_others", "claims")
    _wrap(planning, "explain", "explain")
    _wrap(planning, "problem_to_dict", "problem_dict")
    _wrap(planning, "solution_to_dict", "solution_dict")
    _wrap(planning.RoundTrips, "of", "round_trips")
    _wrap(planning.OpenHotspots, "round_of", "open_hotspots")  # with the follow-ups
    _wrap(build, "values", "prices")
    _wrap(build, "_situations", "situations")
    _wrap(build, "assemble", "assemble")
    _wrap(sqlite_patrols.SqlitePatrols, "list", "patrols_list")
    _wrap(sqlite_visits.SqliteVisits, "list", "visits_list")
    _wrap(sqlite_proposals.SqliteProposals, "add", "proposal_add")
    _wrap(proposals, "store_all", "store_all")
    _wrap(sqlite_audit, "append", "audit")  # the audit rows, with their state hashes
    _wrap(sqlite_audit, "object_state", "audit_state")
    for store in (postgres.PostgresStore, sqlite.SqliteStore):  # n:sql = round trips
        _wrap(store, "execute", "sql")
        _wrap(store, "executemany", "sql")
    _wrap(postgres.PostgresStore, "_begin", "begin")  # the write lock's wait
    _wrap(postgres.PostgresStore, "_commit", "commit")
    _wrap(routes, "round_view", "round_view")
    _wrap(routes, "localised_proposal", "localise")
    _wrap(routes, "localised_reasons", "localise")
    _ = callouts
    built = planning.build_problem

    def build_problem(cars: Any, spots: Any, travel: Any, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            result = built(cars, spots, _Travel(travel), *args, **kwargs)
        finally:
            _add("build", time.perf_counter() - began)
        CURRENT["hotspots"] = len(spots)
        CURRENT["tasks"] = 0 if result.problem is None else len(result.problem.hotspots)
        return result

    planning.build_problem = build_problem
    solver_of = planning.get_solver

    def get_solver(name: str) -> Any:
        solver = solver_of(name)
        return _Solver(solver)

    planning.get_solver = get_solver
    gc.callbacks.append(_gc_callback)


class _Solver:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def solve(self, problem: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        solution = _timed("solve", self._inner.solve)(problem, **kwargs)
        folder = DUMP["folder"]
        if folder is not None:
            from smartspot.optimise.problem import problem_to_dict

            DUMP["count"] += 1
            record = {
                "problem": problem_to_dict(problem),
                "time_limit_s": kwargs.get("time_limit_s"),
                "seed": kwargs.get("seed", 0),
                "solve_s": time.perf_counter() - began,
                "value": solution.value,
                "stats": {k: v for k, v in solution.stats.items() if _plain(v)},
            }
            (folder / f"solve-{DUMP['count']:04d}.json").write_text(json.dumps(record))
        return solution


def _plain(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool)) or value is None


def start() -> None:
    CURRENT.clear()


def table(rows: list[dict[str, Any]]) -> str:
    """The slowest tenth of the clears against the median clear, step by step (ms)."""
    rows = sorted(rows, key=lambda r: r["total"])
    slow = rows[-max(1, len(rows) // 10) :]
    steps = sorted({k for r in rows for k in r if not k.startswith("n:")} - {"district"})
    steps += ["n:sql"]  # the store's statements (round trips on PostgreSQL)
    lines = ["step | median clear | slowest 10 % (mean) | max", "---|---|---|---"]
    for step in steps:
        values = [r.get(step, 0.0) for r in rows]
        scale = 1 if step in ("hotspots", "tasks", "cars", "n:sql") else 1000
        lines.append(
            f"{step} | {statistics.median(values) * scale:.1f} | "
            f"{statistics.fmean(r.get(step, 0.0) for r in slow) * scale:.1f} | "
            f"{max(values) * scale:.1f}"
        )
    lines.append("")
    lines.append("slowest clears: " + "; ".join(
        f"{r.get('district', '?')} {r['total'] * 1000:.0f} ms "
        f"(build {r.get('build', 0) * 1000:.0f}, travel {r.get('travel', 0) * 1000:.0f}, "
        f"solve {r.get('solve', 0) * 1000:.0f}, store {r.get('store_all', 0) * 1000:.0f}, "
        f"gc {r.get('gc', 0) * 1000:.0f}, tasks {r.get('tasks', 0):.0f}, "
        f"cars {r.get('cars', 0):.0f})"
        for r in slow
    ))  # fmt: skip
    return "\n".join(lines)
