"""Travel-time benchmarks: the optimiser's hot path on a district-sized road graph and on the fallback.

Run: ``.venv/bin/python benchmarks/travel.py`` (add ``--quick`` for fewer repetitions), and
for the national-size graph ``--national benchmarks/out/denmark_synthetic.osm.pbf`` (write it
first with ``.venv/bin/python -m benchmarks.national_extract``; about 10 min in all).

The district-sized road graph is the real Samsø OSM graph (ferries off) tiled 5 × 4 times:
each copy is shifted by 25 km east / 35 km north, and neighbouring copies are joined by
two-way 80 km/h links between their 15 closest node pairs, so the result is one connected
network of 204,740 nodes and about 420,000 directed edges with real street structure.

Measured, each as the median of several runs (fresh random points every run):

- **A, freed car**: times from 1 car to the 3,000 open hotspots plus from those hotspots to
  the 40 stations; a different car position every query. The stations' reverse trees are
  computed once up front (``warm_to``; stations do not move) and the open hotspots were seen
  (snapped) before, so a query costs one tree from the car plus array look-ups. Also shown
  with 3,000 never-seen hotspots, which must be snapped inside the query.
- **B, 40 × 3,000 matrix** from the stations to the hotspots: warm (station trees pinned by
  ``warm_from``) and cold (caches emptied, new hotspots, every tree computed in the query).
- the same with a 30-minute cut-off (``limit_s``), and graph load time from ``.npz``.

``--national`` builds the synthetic Denmark-sized extract with ``smartspot roads build`` in a
child process (build time, its peak memory, file size; ``--reuse`` keeps the last build and its
figures), loads it (``RoadGraph.load``, then the
adapter), and runs A and B with the 40 stations and 3,000 hotspots of one district-sized area
(100 × 100 km in the middle of the country), without a cut-off and with a 60-minute one.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from smartspot.resources import DATA_DIR
from smartspot.travel.config import auto_limit_s, land_graph
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.graph import RoadGraph, from_edges
from smartspot.travel.land import FallbackParams
from smartspot.travel.options import TravelOptions
from smartspot.travel.osm import BuildOptions, build_graph
from smartspot.travel.road import RoadTravelTimes

TILES_X, TILES_Y = 5, 4
SHIFT_X, SHIFT_Y = 25_000.0, 35_000.0
JOINS = 15


def tiled_samsoe() -> RoadGraph:
    """The Samsø graph tiled into a connected district-sized network (see module doc)."""
    base = build_graph(DATA_DIR / "osm" / "samsoe.osm.pbf", BuildOptions(ferries=False))
    keep = base.snappable  # drop the isolated ferry terminals
    index = -np.ones(base.n_nodes, dtype=np.int64)
    index[keep] = np.arange(keep.sum())
    edge_ok = keep[base.tails] & keep[base.heads]
    xy0 = base.xy[keep]
    t0, h0 = index[base.tails[edge_ok]], index[base.heads[edge_ok]]
    s0, m0 = base.seconds[edge_ok], base.metres[edge_ok]
    n0 = len(xy0)
    xys, tails, heads, secs, metres = [], [], [], [], []
    for ty in range(TILES_Y):
        for tx in range(TILES_X):
            k = ty * TILES_X + tx
            xys.append(xy0 + np.array([tx * SHIFT_X, ty * SHIFT_Y]))
            tails.append(t0 + k * n0)
            heads.append(h0 + k * n0)
            secs.append(s0)
            metres.append(m0)
    xy = np.vstack(xys)
    for ty in range(TILES_Y):
        for tx in range(TILES_X):
            k = ty * TILES_X + tx
            for nx, ny in ((tx + 1, ty), (tx, ty + 1)):
                if nx >= TILES_X or ny >= TILES_Y:
                    continue
                j = ny * TILES_X + nx
                a = np.arange(k * n0, (k + 1) * n0)
                b = np.arange(j * n0, (j + 1) * n0)
                d, near = cKDTree(xy[b]).query(xy[a])
                best = np.argsort(d)[:JOINS]
                u, v = a[best], b[near[best]]
                length = np.maximum(d[best], 1.0)
                for p, q in ((u, v), (v, u)):
                    tails.append(p)
                    heads.append(q)
                    secs.append(length / (80 / 3.6))
                    metres.append(length)
    tails_a, heads_a = np.concatenate(tails), np.concatenate(heads)
    n_edges = len(tails_a)
    return from_edges(
        xy,
        tails_a,
        heads_a,
        np.concatenate(secs),
        np.concatenate(metres),
        np.zeros(n_edges, dtype=bool),
        np.zeros(n_edges, dtype=bool),
        np.ones(len(xy), dtype=bool),
        source="samsoe.osm.pbf tiled 5x4",
    )


def timed(run: Callable[[int], object], repeat: int) -> str:
    """Median wall and CPU milliseconds, as a table cell (CPU time is what contention on the
    shared machine does not inflate)."""
    wall, cpu = [], []
    for i in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        run(i)
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return f"{statistics.median(wall):.1f} ms | {statistics.median(cpu):.1f} ms"


def pick(
    model: RoadTravelTimes,
    n: int,
    rng: np.random.Generator,
    within: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    ok = model.graph.snappable if within is None else model.graph.snappable & within
    nodes = np.flatnonzero(ok)
    chosen: NDArray[np.float64] = model.graph.xy[rng.choice(nodes, size=n, replace=False)]
    return chosen


def bench(
    name: str,
    model: RoadTravelTimes,
    repeat: int,
    seed: int = 7,
    within: NDArray[np.bool_] | None = None,
) -> list[str]:
    rng = np.random.default_rng(seed)
    stations = pick(model, 40, rng, within)
    hotspots = pick(model, 3_000, rng, within)  # the open hotspots: the same set every query
    fresh = [pick(model, 3_000, rng, within) for _ in range(repeat)]  # brand-new sets
    cars = pick(model, 2 * repeat, rng, within)  # every query is a different freed car
    warm_to = timed(lambda _: model.warm_to(stations), 1)
    warm_from = timed(lambda _: model.warm_from(stations), 1)
    model.matrix(hotspots, stations)  # first sight of the hotspots: they get snapped once

    def freed_car(i: int, spots: NDArray[np.float64] = hotspots) -> None:
        out = model.matrix(cars[i : i + 1], spots)
        back = model.matrix(spots, stations)
        assert out.shape == (1, 3_000) and back.shape == (3_000, 40)

    def freed_car_new_hotspots(i: int) -> None:
        freed_car(repeat + i, fresh[i])

    def warm_matrix(i: int) -> None:
        assert model.matrix(stations, hotspots).shape == (40, 3_000)

    def cold_matrix(i: int) -> None:
        model.invalidate(pinned=True)
        assert model.matrix(stations, fresh[i]).shape == (40, 3_000)

    a = timed(freed_car, repeat)
    a_new = timed(freed_car_new_hotspots, repeat)
    b_warm = timed(warm_matrix, repeat)
    b_cold = timed(cold_matrix, max(3, repeat // 4))
    return [
        f"| {name} | A: 1 car × 3,000 hotspots + 3,000 × 40 stations | {a} |",
        f"| {name} | A, but 3,000 never-seen hotspots (snapped in the query) | {a_new} |",
        f"| {name} | B: 40 × 3,000 matrix, station trees warm | {b_warm} |",
        f"| {name} | B: 40 × 3,000 matrix, cold (40 trees computed) | {b_cold} |",
        f"| {name} | one-off: 40 reverse station trees (`warm_to`) | {warm_to} |",
        f"| {name} | one-off: 40 forward station trees (`warm_from`) | {warm_from} |",
    ]


def count_ways(pbf: Path) -> tuple[int, int]:
    """Drivable ways and the way nodes they hold (with repeats at junctions), as built."""
    import osmium

    from smartspot.travel.speeds import way_speed_kmh

    ways = nodes = 0
    processor = osmium.FileProcessor(str(pbf), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    for way in processor:
        if isinstance(way, osmium.osm.Way) and way_speed_kmh(dict(way.tags)) is not None:
            ways += 1
            nodes += len(way.nodes)
    return ways, nodes


def national(pbf: Path, repeat: int, *, reuse: bool = False) -> list[str]:
    """Build, load and query the national-size graph (see the module docstring)."""
    out = pbf.parent / "denmark_synthetic.npz"
    report_path = out.with_suffix(".build.json")
    if not reuse or not report_path.exists():
        cli = shutil.which("smartspot") or str(Path(sys.executable).parent / "smartspot")
        started = time.perf_counter()
        done = subprocess.run(
            [cli, "roads", "build", str(pbf), "--out", str(out), "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        report = json.loads(done.stdout)
        report["build_s"] = time.perf_counter() - started
        report["peak_gb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6  # kB
        report_path.write_text(json.dumps(report), encoding="utf-8")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    build_s, peak_gb = report["build_s"], report["peak_gb"]
    ways, way_nodes = count_ways(pbf)
    size_mb = out.stat().st_size / 1e6
    load = timed(lambda _: RoadGraph.load(out), 3)
    w, c = time.perf_counter(), time.process_time()
    graph = RoadGraph.load(out)
    ready = RoadTravelTimes(graph, TravelOptions(ferries=False))
    ready_ms = ((time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000)
    stored = "stored contraction" if graph.prepared is not None else "contraction computed"
    del ready
    label = f"national synthetic ({graph.n_nodes:,} nodes, {graph.n_edges:,} edges)"
    rows = [
        f"| {label} | extract: {pbf.stat().st_size / 1e6:.0f} MB .osm.pbf, {ways:,} drivable "
        f"ways, {way_nodes:,} way nodes, {report['turn_restrictions']:,} turn restrictions | – | – |",
        f"| {label} | `smartspot roads build` (child process) | {build_s:.0f} s, peak "
        f"{peak_gb:.1f} GB | – |",
        f"| {label} | load `.npz` ({size_mb:.0f} MB) | {load} |",
        f"| {label} | load + adapter ready ({stored}, cell index), one run | "
        f"{ready_ms[0]:.0f} ms | {ready_ms[1]:.0f} ms |",
    ]
    centre = np.median(graph.xy, axis=0)
    within = (np.abs(graph.xy - centre) <= 50_000).all(axis=1)
    # the district: a 100 x 100 km area in the middle; its automatic cut-off on this graph
    (x0, y0), (x1, y1) = graph.xy.min(axis=0), graph.xy.max(axis=0)
    box = (centre[0] - 50_000, centre[1] - 50_000, centre[0] + 50_000, centre[1] + 50_000)
    auto = auto_limit_s((float(x0), float(y0), float(x1), float(y1)), box)
    for limit, text in (
        (float("inf"), "no cut-off"),
        (auto, f"automatic cut-off ({auto / 60:.0f} min, `auto_limit_s`: the default)"),
    ):
        started = time.perf_counter()
        model = RoadTravelTimes(graph, TravelOptions(ferries=False, limit_s=limit))
        ready = time.perf_counter() - started
        name = f"national, {text}"
        rows.append(f"| {name} | adapter ready (graph loaded) | {ready * 1000:.0f} ms | – |")
        rows += bench(name, model, repeat, within=within)
        print(f"done: {name}", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--national", type=Path, help="the synthetic national .osm.pbf")
    parser.add_argument(
        "--reuse", action="store_true", help="with --national: keep the graph built last time"
    )
    args = parser.parse_args(argv)
    repeat = 5 if args.quick else 21
    rows: list[str] = []
    if args.national is not None:
        rows = national(args.national, repeat=5, reuse=args.reuse)
        print("| graph | measurement | median wall | median CPU |")
        print("| --- | --- | --- | --- |")
        print("\n".join(rows))
        return 0

    started = time.perf_counter()
    graph = tiled_samsoe()
    build_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "district.npz"
        graph.save(path)
        load = timed(lambda _: RoadGraph.load(path), 5)
        size_mb = path.stat().st_size / 1e6
    label = f"road, tiled Samsø ({graph.n_nodes:,} nodes, {graph.n_edges:,} edges)"
    print(f"built {label} in {build_s:.1f} s; .npz {size_mb:.1f} MB", file=sys.stderr)
    rows.append(f"| {label} | load `.npz` ({size_mb:.1f} MB) | {load} |")
    road = RoadTravelTimes(graph, TravelOptions(ferries=False))
    plain = graph.csr(ferries=False, ferry_wait_s=0)
    sources = np.random.default_rng(1).choice(graph.n_nodes, repeat)
    reference = timed(lambda i: dijkstra(plain, indices=int(sources[i])), repeat)
    rows.append(f"| {label} | reference: one plain scipy Dijkstra, uncontracted | {reference} |")
    rows += bench(label, road, repeat)
    cut = RoadTravelTimes(graph, TravelOptions(ferries=False, limit_s=1_800))
    rows += bench(f"{label}, 30 min cut-off", cut, repeat)[:4]

    started = time.perf_counter()
    land = land_graph("Midt- og Vestjyllands Politi", FallbackParams())
    land_s = time.perf_counter() - started
    flabel = f"fallback, Midt- og Vestjylland ({land.graph.n_nodes:,} nodes)"
    rows.append(f"| {flabel} | one-off: build the land graph | {land_s * 1000:.0f} ms | – |")
    rows += bench(flabel, LandTravelTimes(land), repeat)

    print("| graph | measurement | median wall | median CPU |")
    print("| --- | --- | --- | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
