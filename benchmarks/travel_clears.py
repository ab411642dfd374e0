"""What a national clear asks of the travel port, recorded and replayed in process (issue 10 §7).

``record``: the national world of :mod:`benchmarks.national` (10,000 hotspots, 400 cars, 12
politikredse, a SQLite file) driven over the API in this process (``fastapi.testclient``, the
warm-up of every worker, then ``--clears`` callouts cleared for random cars with an AVL batch
before each and at most one earlier cleared car per district on its way home, as
``--returning 1``). Every question a district's travel model gets (``matrix``/``trips``/``warm_*``)
is written to a pickle with its points, ``depart_at``, ``limit_s``, the caller's line and the
clear it belongs to, and timed (thread CPU) with the trees it grew.

``replay``: the same questions, in the same order, against freshly built district models (as a
worker builds them), printing per clear the trees grown and read and the travel CPU, and the
memory the trees take; ``--check`` compares every answer with the recorded one.

``compare``: two recordings of the same clears (before and after a change, e.g. of the
warm-up): the same questions, each answered alike to the last bit; each one's travel CPU of the
districts' first clears against the later ones.

Run: ``nice -n 19 .venv/bin/python -m benchmarks.travel_clears record --clears 60 --out
benchmarks/out/travel_calls.pkl`` then ``... replay benchmarks/out/travel_calls.pkl``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from smartspot.travel.cache import RowCache

PHASE = threading.local()
_PHASE_NAME = ["setup"]  # the harness's thread sets it; API worker threads read it


@dataclass
class Call:
    """One question to a district's model."""

    phase: str
    district: str
    method: str
    site: str
    origins: np.ndarray | None
    destinations: np.ndarray | None
    depart_at: Any = None
    limit_s: float | None = None
    cpu_s: float = 0.0
    grown: int = 0
    read: int = 0
    answer: np.ndarray | None = None


@dataclass
class Recording:
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def caches(model: Any) -> Iterator[RowCache]:
    """Every tree cache inside a district model (fallback, its land-only twin, road graphs)."""
    seen: set[int] = set()

    def walk(obj: Any) -> Iterator[RowCache]:
        if obj is None or id(obj) in seen:
            return
        seen.add(id(obj))
        for name in ("_forward", "_reverse"):
            cache = getattr(obj, name, None)
            if isinstance(cache, RowCache):
                yield cache
        for name in ("fallback", "_land_only", "_off"):
            yield from walk(getattr(obj, name, None))
        for road in getattr(obj, "roads", ()):
            yield from walk(road)
        for area in getattr(obj, "areas", ()):
            yield from walk(area.road)

    yield from walk(model)


def _counts(model: Any) -> tuple[int, int]:
    hits = misses = 0
    for cache in caches(model):
        hits += cache.hits
        misses += cache.misses
    return hits, misses


def tree_bytes(model: Any) -> tuple[int, int]:
    """(trees held, bytes of their arrays) over the model's caches."""
    held = list(caches(model))
    return sum(len(c) for c in held), sum(c.nbytes for c in held)


def _site() -> str:
    """The first caller outside the travel layer: file:function:line."""
    frame = sys._getframe(2)
    while frame is not None and "/smartspot/travel/" in frame.f_code.co_filename:
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "?"
    name = Path(frame.f_code.co_filename).name
    return f"{name}:{frame.f_code.co_name}:{frame.f_lineno}"


def instrument(recording: Recording, district_of: Callable[[Any], str | None]) -> None:
    """Wrap the composite model's public methods (every district model is one) to record."""
    from smartspot.travel.composite import CompositeTravelTimes

    depth = threading.local()

    def wrap(method: str) -> None:
        inner = getattr(CompositeTravelTimes, method)

        def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
            district = district_of(self)
            if district is None or getattr(depth, "n", 0):
                return inner(self, *args, **kwargs)
            depth.n = 1
            hits, misses = _counts(self)
            began = time.thread_time()
            try:
                answer = inner(self, *args, **kwargs)
            finally:
                depth.n = 0
            cpu = time.thread_time() - began
            hits2, misses2 = _counts(self)
            o = np.array(args[0], dtype=np.float64) if args else None
            d = np.array(args[1], dtype=np.float64) if len(args) > 1 else None
            seconds = getattr(answer, "seconds", answer)
            call = Call(
                _PHASE_NAME[0], district, method, _site(), o, d,
                kwargs.get("depart_at"), kwargs.get("limit_s"), cpu,
                misses2 - misses, hits2 - hits,
                None if seconds is None else np.array(seconds),
            )  # fmt: skip
            with recording.lock:
                recording.calls.append(call)
            return answer

        setattr(CompositeTravelTimes, method, recorded)

    for method in ("matrix", "trips", "warm_to", "warm_from", "warm_shared"):
        wrap(method)


def record(args: argparse.Namespace) -> int:
    from benchmarks.national_profile import _client, _cycle
    from benchmarks.national_roles import fixes as _fixes
    from benchmarks.national_world import Homecoming, national_policies, prepare_kept
    from smartspot.travel.districts import DistrictTravelTimes

    folder = Path(tempfile.mkdtemp(prefix="smartspot-travel-clears-"))
    policies = national_policies(folder / "policies")
    db = str(folder / "national.db")
    fleet = prepare_kept(db, args.keep, args.hotspots, args.cars, args.seed)
    names: dict[int, str] = {}
    original = DistrictTravelTimes.for_district

    _models: dict[int, Any] = {}

    def for_district(self: Any, politikreds: str) -> Any:
        model = original(self, politikreds)
        names[id(model)] = politikreds
        _models[id(model)] = model
        return model

    DistrictTravelTimes.for_district = for_district  # type: ignore[method-assign]
    recording = Recording()
    instrument(recording, lambda model: names.get(id(model)))
    _PHASE_NAME[0] = "warm"
    began = time.perf_counter()
    client = _client(db, policies, warm=True)
    print(f"app ready in {time.perf_counter() - began:.1f} s", flush=True)
    if args.keep_limit is not None:  # as Vagtcentral.warm would: keep the hotspot trees
        from api.app import settle_heap

        began = time.thread_time()
        models = {names[k]: m for k, m in _models.items()}
        for district, model in models.items():
            sets = [c.destinations for c in recording.calls if c.district == district
                    and "station_round_trips" in c.site]  # fmt: skip
            if sets:
                model.warm_among(max(sets, key=len), limit_s=args.keep_limit)
        settle_heap()
        print(f"warm_among: {time.thread_time() - began:.1f} s CPU", flush=True)
    rng = np.random.default_rng(args.seed)
    _PHASE_NAME[0] = "avl"
    everyone = _fixes(fleet, np.arange(len(fleet)), rng)
    for start in range(0, len(everyone), 200):
        client.post("/patrols/positions", json={"positions": everyone[start : start + 200]})
    home = Homecoming(args.returning)
    one_each = {car["politikreds"]: car for car in fleet}
    timings: dict[str, list[float]] = {}
    for car in one_each.values():
        _PHASE_NAME[0] = "first"
        home.cleared(car["politikreds"], car["call_sign"], _cycle(client, car, timings))
    rest = [c for c in fleet if c not in one_each.values()]
    order = rng.permutation(len(rest)).tolist()
    for k in range(args.clears):
        car = rest[order[k]]
        _PHASE_NAME[0] = "avl"
        batch = _fixes(fleet, rng.choice(len(fleet), size=100, replace=False), rng)
        client.post("/patrols/positions", json={"positions": batch})
        _PHASE_NAME[0] = "home"
        for method, path, body in home.before_clear(car["politikreds"]):
            client.request(method, path, json=body)
        _PHASE_NAME[0] = f"clear:{k}"
        cpu = time.process_time()  # every thread of this process: the app's too
        answer = _cycle(client, car, timings)
        timings.setdefault("cycle_cpu", []).append(time.process_time() - cpu)
        home.cleared(car["politikreds"], car["call_sign"], answer)
    _PHASE_NAME[0] = "done"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as handle:
        pickle.dump([vars(c) for c in recording.calls], handle)  # plain dicts: any loader
    print(f"{len(recording.calls)} calls written to {args.out}")
    _report(recording.calls)
    ms = sorted(1000 * t for t in timings["clear"][len(one_each) :])
    print(
        f"clear (in process, SQLite, wall) over {len(ms)} clears: p50 {statistics.median(ms):.0f}"
        f" ms, p90 {np.percentile(ms, 90):.0f}, max {ms[-1]:.0f}"
    )
    cpu = sorted(1000 * t for t in timings["cycle_cpu"])
    print(
        f"callout cycle (receive, dispatch, arrive, clear) CPU: p50 {statistics.median(cpu):.0f}"
        f" ms, p90 {np.percentile(cpu, 90):.0f}, max {cpu[-1]:.0f}"
    )
    return 0


def _report(calls: list[Call]) -> None:
    """Per clear: calls, trees grown / read, travel CPU; and per call site."""
    per_clear: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        if call.phase.startswith("clear:"):
            per_clear[call.phase].append(call)
    if per_clear:
        cpu = [1000 * sum(c.cpu_s for c in cs) for cs in per_clear.values()]
        grown = [sum(c.grown for c in cs) for cs in per_clear.values()]
        read = [sum(c.read for c in cs) for cs in per_clear.values()]
        print(
            f"clears {len(per_clear)}: travel CPU per clear median {statistics.median(cpu):.1f} ms, "
            f"p90 {np.percentile(cpu, 90):.1f}, max {max(cpu):.1f}; trees grown median "
            f"{statistics.median(grown):.0f} (max {max(grown)}), read median "
            f"{statistics.median(read):.0f}"
        )
    sites: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        if call.phase.startswith("clear:"):
            sites[call.site].append(call)
    n = max(len(per_clear), 1)
    for site, cs in sorted(sites.items(), key=lambda kv: -sum(c.cpu_s for c in kv[1])):
        shape = statistics.median(
            (0 if c.origins is None else len(c.origins))
            * (0 if c.destinations is None else len(c.destinations))
            for c in cs
        )
        print(
            f"  {site:55s} calls/clear {len(cs) / n:4.1f}  CPU/clear "
            f"{1000 * sum(c.cpu_s for c in cs) / n:6.1f} ms  grown/clear "
            f"{sum(c.grown for c in cs) / n:5.1f}  cells median {shape:.0f}"
        )
    warm = [c for c in calls if c.phase == "warm"]
    print(
        f"warm-up: {len(warm)} calls, {sum(c.cpu_s for c in warm):.1f} s CPU, "
        f"{sum(c.grown for c in warm)} trees"
    )


def replay(args: argparse.Namespace) -> int:
    from smartspot.travel.districts import DistrictTravelTimes

    with args.calls.open("rb") as handle:
        calls = [Call(**c) for c in pickle.load(handle)]
    import platformdirs

    cache_dir = args.cache_dir or platformdirs.user_cache_path("smartspot") / "travel"
    travel = DistrictTravelTimes(cache_dir)  # where the API keeps the built fallbacks
    districts = sorted({c.district for c in calls})
    travel.warm(districts)  # build/read the models first: not part of the measure
    models = {d: travel.for_district(d) for d in districts}
    if args.max_rows is not None:  # experiment: another cache size
        for model in models.values():
            for cache in caches(model):
                cache._max_rows = args.max_rows
    print(f"models ready: resident memory {_rss_mb():,.0f} MB")
    if args.keep_limit is not None:  # keep every open hotspot's tree (warm_among)
        kept_cpu = time.thread_time()
        for district, model in models.items():
            sets = [c.destinations for c in calls if c.district == district
                    and c.phase == "warm" and "station_round_trips" in c.site]  # fmt: skip
            if sets:
                began = time.thread_time()
                model.warm_among(max(sets, key=len), limit_s=args.keep_limit)
                took = time.thread_time() - began
                print(f"kept {len(max(sets, key=len))} trees of {district} in {took:.2f} s CPU")
        print(
            f"warm_among: {time.thread_time() - kept_cpu:.1f} s CPU, resident memory "
            f"{_rss_mb():,.0f} MB"
        )
    if args.warm_shared:  # as Vagtcentral.warm does now, before the recorded warm-up's calls
        began = time.thread_time()
        for district, model in models.items():
            getattr(model, "warm_shared", lambda: None)()
            guard = [c.destinations for c in calls if c.district == district
                     and "build.py:build_problem" in c.site and c.limit_s is not None]  # fmt: skip
            if guard:  # the coverage guard's kommune points
                model.warm_to(guard[0])
        print(f"warm_shared + kommune trees: {time.thread_time() - began:.2f} s CPU")
    replayed: list[Call] = []
    worst = 0.0
    checked = exact = 0  # answers compared, and of them equal to the last bit
    for call in calls:
        if args.only_clears and call.phase not in ("warm",) and not call.phase.startswith("clear:"):
            continue
        model = models[call.district]
        hits, misses = _counts(model)
        began = time.thread_time()
        kwargs: dict[str, Any] = {}
        if call.method in ("matrix", "trips"):
            kwargs = {"depart_at": call.depart_at, "limit_s": call.limit_s}
            answer = getattr(model, call.method)(call.origins, call.destinations, **kwargs)
        elif call.origins is None:  # warm_shared: no points
            answer = getattr(model, call.method)()
        else:
            answer = getattr(model, call.method)(call.origins)
        cpu = time.thread_time() - began
        hits2, misses2 = _counts(model)
        seconds = getattr(answer, "seconds", answer)
        if args.check and call.answer is not None and seconds is not None:
            got, want = np.asarray(seconds), call.answer
            same = np.array_equal(np.isnan(got), np.isnan(want)) and np.allclose(
                got[~np.isnan(got)], want[~np.isnan(want)], rtol=0, atol=1e-3
            )
            checked += 1
            exact += bool(same and np.array_equal(got, want, equal_nan=True))
            if not same:
                gap = np.nanmax(np.abs(got - want)) if got.size else 0.0
                worst = max(worst, float(gap) if np.isfinite(gap) else np.inf)
                print(f"DIFFERENT: {call.phase} {call.site} max gap {gap}")
        replayed.append(
            Call(call.phase, call.district, call.method, call.site, call.origins,
                 call.destinations, call.depart_at, call.limit_s, cpu,
                 misses2 - misses, hits2 - hits,
                 None if seconds is None else np.array(seconds))
        )  # fmt: skip
    _report(replayed)
    if args.out is not None:  # the replayed answers, as a recording (for ``compare``)
        with args.out.open("wb") as handle:
            pickle.dump([vars(c) for c in replayed], handle)
    if args.whole_home:
        _whole_home(calls, models, args.whole_home)
    count = size = 0
    for model in models.values():
        c, s = tree_bytes(model)
        count, size = count + c, size + s
    print(f"trees kept {count:,} in {size / 1e6:,.1f} MB over {len(models)} districts")
    print(f"resident memory at the end {_rss_mb():,.0f} MB")
    if args.check:
        print("answers: all as recorded" if worst == 0 else f"answers differ, worst {worst}")
        print(f"answers equal to the recorded ones to the last bit: {exact} of {checked}")
    return 0


def compare(args: argparse.Namespace) -> int:
    """Two recordings of the same clears (same world, seed and clears; e.g. before and after
    a change of the warm-up): the same questions in the same order, and every answer equal
    to the last bit? Plans depend on the answers, so the first answer that differs also
    changes the questions after it. Also prints each recording's travel CPU of the first
    clear per district and of the later clears, and the trees they grew."""
    recordings = []
    for path in (args.before, args.after):
        with path.open("rb") as handle:
            recordings.append([Call(**c) for c in pickle.load(handle)])
    asked = [[c for c in calls if c.method in ("matrix", "trips")] for calls in recordings]
    same = exact = 0
    for a, b in zip(*asked, strict=False):
        shape_a = (a.site, a.district, a.depart_at, a.limit_s)
        if shape_a != (b.site, b.district, b.depart_at, b.limit_s) or not (
            np.array_equal(a.origins, b.origins) and np.array_equal(a.destinations, b.destinations)
        ):
            print(f"questions part at {a.phase} {a.site} / {b.phase} {b.site}")
            break
        same += 1
        exact += bool(np.array_equal(a.answer, b.answer, equal_nan=True))
    print(f"questions {len(asked[0])} / {len(asked[1])}: {same} the same, of them {exact} "
          "answered equal to the last bit")  # fmt: skip
    for name, calls in zip(("before", "after"), recordings, strict=True):
        print(f"{name}:")
        for phase in ("first", "clears"):
            rows: dict[str, list[Call]] = defaultdict(list)
            for c in calls:
                if (phase == "first" and c.phase == "first") or (
                    phase == "clears" and c.phase.startswith("clear:")
                ):
                    rows[c.district if phase == "first" else c.phase].append(c)
            cpu = [1000 * sum(c.cpu_s for c in cs) for cs in rows.values()]
            grown = [sum(c.grown for c in cs) for cs in rows.values()]
            if cpu:
                print(f"  {phase}: {len(cpu)} clears, travel CPU median {statistics.median(cpu):.1f}"
                      f" ms, max {max(cpu):.1f}; trees grown median {statistics.median(grown):.0f}"
                      f", max {max(grown)}")  # fmt: skip
        warm = [c for c in calls if c.phase == "warm"]
        print(f"  warm-up: {len(warm)} calls, {sum(c.cpu_s for c in warm):.1f} s CPU, "
              f"{sum(c.grown for c in warm)} trees")  # fmt: skip
    return 0 if same == exact == len(asked[0]) == len(asked[1]) else 1


def _whole_home(calls: list[Call], models: dict[str, Any], per_district: int) -> None:
    """The way home from every open hotspot of a district (the warm-up's set, as a car far
    from home or with a long budget lets the crow's ellipse in) to the homes of recorded
    clears' way-home questions, at their instant: thread CPU per question, per district."""
    for district, model in sorted(models.items()):
        spots = [c.destinations for c in calls if c.district == district
                 and c.phase == "warm" and "station_round_trips" in c.site]  # fmt: skip
        homes = [c for c in calls if c.district == district and c.phase.startswith("clear:")
                 and ":assemble:" in c.site and c.limit_s is None][:per_district]  # fmt: skip
        if not spots or not homes:
            continue
        where = max(spots, key=len)
        cpu = []
        for call in homes:
            began = time.thread_time()
            model.matrix(where, call.destinations, depart_at=call.depart_at)
            cpu.append(1000 * (time.thread_time() - began))
        print(
            f"way home from all {len(where):,} open hotspots of {district}: {len(cpu)} questions,"
            f" thread CPU median {statistics.median(cpu):.2f} ms, max {max(cpu):.2f} ms"
        )


def _rss_mb() -> float:
    """This process's resident memory (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--hotspots", type=int, default=10_000)
    rec.add_argument("--cars", type=int, default=400)
    rec.add_argument("--clears", type=int, default=60)
    rec.add_argument("--returning", type=int, default=1)
    rec.add_argument("--seed", type=int, default=1)
    rec.add_argument("--keep", type=Path, help="a prepared SQLite file to copy (made if absent)")
    rec.add_argument("--out", type=Path, default=Path("benchmarks/out/travel_calls.pkl"))
    rec.add_argument("--keep-limit", type=float, default=None,
                     help="after the warm-up, keep every open hotspot's tree cut at this")  # fmt: skip
    rep = sub.add_parser("replay")
    rep.add_argument("calls", type=Path)
    rep.add_argument("--cache-dir", type=Path, default=None)
    rep.add_argument("--check", action="store_true", help="compare answers with the recording")
    rep.add_argument("--only-clears", action="store_true")
    rep.add_argument("--max-rows", type=int, default=None)
    rep.add_argument("--keep-limit", type=float, default=None,
                     help="keep every open hotspot's tree cut at this many seconds first")  # fmt: skip
    rep.add_argument("--out", type=Path, default=None,
                     help="write the replayed questions and answers here (for compare)")  # fmt: skip
    rep.add_argument("--warm-shared", action="store_true",
                     help="first warm what every new point reads and the coverage guard's "
                     "kommune trees, as Vagtcentral.warm does since session 8")  # fmt: skip
    rep.add_argument("--whole-home", type=int, default=0, metavar="N",
                     help="then time the way home from all of a district's open hotspots, "
                     "to the homes of N recorded clears per district")  # fmt: skip
    both = sub.add_parser("compare")
    both.add_argument("before", type=Path)
    both.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    return {"record": record, "replay": replay, "compare": compare}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
