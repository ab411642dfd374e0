"""Compare the road graph with Valhalla 3.9.1 on the same OSM extracts, 200 seeded trips each.

Run: ``.venv/bin/python -m benchmarks.valhalla_compare [--trips 200] [--seed 3]``

Valhalla (``pyvalhalla`` from PyPI) ships only cp312-abi3 wheels, so the script makes its own
Python 3.12 virtual environment under ``benchmarks/out/valhalla-venv`` (``python3.12`` from
the PATH or pyenv; never a test dependency), builds Valhalla's tiles for each extract with
``valhalla_build_tiles``, rebuilds Smart Spot's graph from the same file, and routes the same
trips through both: between random road nodes (seeded) of the graph, ferries off. Reported per
extract: the time and length error of Smart Spot against Valhalla (median, p90, signed median =
bias), trips that only one engine can do, and — from the turn restrictions — how many of Smart
Spot's paths make a forbidden turn, with restrictions honoured and (for contrast) without. For
Aarhus C it also compares both engines with the measured routes of Open Data Aarhus
(``../shared/data/aarhus_traffic/routes.csv`` or ``data/aarhus_traffic/routes.csv``; "Contains
data from Open Data Aarhus (Aarhus Kommune), Realtids trafikdata, CC BY 4.0") whose ends both lie
on the extract's roads.
"""

from __future__ import annotations

import argparse
import csv
import glob
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from smartspot.geo.crs import lonlat_to_metric, metric_to_lonlat
from smartspot.resources import DATA_DIR
from smartspot.travel.graph import RoadGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.osm import BuildOptions, build_graph
from smartspot.travel.road import RoadTravelTimes

OUT = Path(__file__).parent / "out"
VENV = OUT / "valhalla-venv"
PYVALHALLA = "pyvalhalla==3.9.1"
EXTRACTS = ("samsoe", "aarhus_c_marselis")
ROUTES = (
    Path(__file__).parents[2] / "shared" / "data" / "aarhus_traffic" / "routes.csv",
    Path(__file__).parents[3] / "shared" / "data" / "aarhus_traffic" / "routes.csv",
    DATA_DIR / "aarhus_traffic" / "routes.csv",
)

WORKER = r"""
import json, sys, valhalla
actor = valhalla.Actor(sys.argv[1])
out = []
for a, b in json.load(sys.stdin):
    request = {"locations": [{"lat": a[1], "lon": a[0]}, {"lat": b[1], "lon": b[0]}],
               "costing": "auto", "costing_options": {"auto": {"use_ferry": 0.0}},
               "units": "kilometers"}
    try:
        summary = json.loads(actor.route(json.dumps(request)))["trip"]["summary"]
        out.append([summary["time"], summary["length"] * 1000.0])
    except RuntimeError:
        out.append([None, None])
json.dump(out, open(sys.argv[2], 'w'))  # Valhalla logs to stdout
"""


def python312() -> str:
    """A Python 3.12 interpreter: from the PATH, else pyenv's."""
    found = shutil.which("python3.12")
    if found and subprocess.run([found, "--version"], capture_output=True).returncode == 0:
        return found
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))
    if not candidates:
        raise SystemExit("needs python3.12 (apt-get install python3.12, or pyenv install 3.12)")
    return candidates[-1]


def valhalla_env() -> tuple[Path, Path]:
    """The venv's python and Valhalla's bin folder (created on first use)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([python312(), "-m", "venv", str(VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import valhalla"], capture_output=True)
    if check.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", PYVALHALLA], check=True)
    code = "import valhalla, pathlib; print(pathlib.Path(valhalla.__file__).parent / 'bin')"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return python, Path(out.stdout.strip())


def valhalla_tiles(name: str, python: Path, bin_dir: Path) -> Path:
    """Build Valhalla's tiles for one extract (a few seconds each); returns its config."""
    work = OUT / "valhalla" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    config = subprocess.run(
        [
            str(python.parent / "valhalla_build_config"),
            "--mjolnir-tile-dir",
            str(work / "tiles"),
            "--mjolnir-tile-extract",
            str(work / "tiles.tar"),
            "--mjolnir-timezone",
            str(work / "tz.sqlite"),
            "--mjolnir-admin",
            str(work / "admins.sqlite"),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    (work / "valhalla.json").write_text(config.stdout)
    pbf = DATA_DIR / "osm" / f"{name}.osm.pbf"
    with (work / "build.log").open("w") as log:
        subprocess.run(
            [str(bin_dir / "valhalla_build_tiles"), "-c", str(work / "valhalla.json"), str(pbf)],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            env=env,
        )
    return work / "valhalla.json"


def valhalla_routes(
    python: Path, config: Path, pairs: list[tuple[list[float], list[float]]]
) -> NDArray[np.float64]:
    """Seconds and metres per trip from Valhalla (``nan`` where it finds no route)."""
    result = config.parent / "routes.json"
    subprocess.run(
        [str(python), "-c", WORKER, str(config), str(result)],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(result.read_text())
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)


def forbidden_turns(graph: RoadGraph, turns: NDArray[np.int64], path: list[int]) -> int:
    """How many turns along ``path`` (graph node indices) break one of ``turns``."""
    assert graph.original is not None
    nodes = graph.original[np.array(path)]
    bad = 0
    for a, b, c in zip(nodes[:-2], nodes[1:-1], nodes[2:], strict=True):
        for u, via, w, only in turns.tolist():
            if a == u and b == via and ((c != w) if only else (c == w)):
                bad += 1
    return bad


def errors(ours: NDArray[np.float64], theirs: NDArray[np.float64]) -> dict[str, float]:
    both = np.isfinite(ours) & np.isfinite(theirs) & (theirs > 0)
    rel = (ours[both] - theirs[both]) / theirs[both]
    return {
        "n": int(both.sum()),
        "median": float(np.median(np.abs(rel))) if both.any() else np.nan,
        "p90": float(np.percentile(np.abs(rel), 90)) if both.any() else np.nan,
        "bias": float(np.median(rel)) if both.any() else np.nan,
    }


def path_metres(model: RoadTravelTimes, path: list[int]) -> float:
    return float(sum(model.graph.metres[model._edge(u, v)] for u, v in itertools.pairwise(path)))


def compare(name: str, python: Path, bin_dir: Path, trips: int, seed: int) -> list[str]:
    started = time.perf_counter()
    config = valhalla_tiles(name, python, bin_dir)
    tiles_s = time.perf_counter() - started
    pbf = DATA_DIR / "osm" / f"{name}.osm.pbf"
    graph = build_graph(pbf, BuildOptions(ferries=False))
    free_graph = build_graph(pbf, BuildOptions(ferries=False, turn_restrictions=False))
    model = RoadTravelTimes(graph, TravelOptions(ferries=False))
    free = RoadTravelTimes(free_graph, TravelOptions(ferries=False))
    rng = np.random.default_rng(seed)
    # trip ends in the largest strongly connected part: a one-way street cut off at the
    # extract's edge can be left but never entered, which says nothing about either engine
    _, part = connected_components(model._csr, directed=True, connection="strong")
    main = part == np.bincount(part[graph.snappable]).argmax()
    nodes = np.flatnonzero(graph.snappable & main)
    a = rng.choice(nodes, trips)
    b = rng.choice(nodes, trips)
    keep = a != b
    a, b = a[keep], b[keep]
    lon_a, lat_a = metric_to_lonlat(graph.xy[a, 0], graph.xy[a, 1]).T
    lon_b, lat_b = metric_to_lonlat(graph.xy[b, 0], graph.xy[b, 1]).T
    pairs = [
        ([float(x1), float(y1)], [float(x2), float(y2)])
        for x1, y1, x2, y2 in zip(lon_a, lat_a, lon_b, lat_b, strict=True)
    ]
    theirs = valhalla_routes(python, config, pairs)
    ours_s = np.array(
        [model.node_matrix(np.array([u]), np.array([v]))[0, 0] for u, v in zip(a, b, strict=False)]
    )
    ours_m = np.full(len(a), np.nan)
    bad_paths = free_bad = 0
    junctions = np.zeros(len(a))
    degree = distinct_neighbours(graph)
    assert graph.turns is not None and graph.original is not None
    for i, (u, v) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        path = model.node_path(u, v)
        if path is not None:
            ours_m[i] = path_metres(model, path)
            junctions[i] = (degree[graph.original[np.array(path[1:-1], dtype=np.int64)]] >= 3).sum()
            bad_paths += forbidden_turns(graph, graph.turns, path) > 0
        free_path = free.node_path(u, v)
        if free_path is not None:
            free_bad += forbidden_turns(free_graph, graph.turns, free_path) > 0
    ours_s[~np.isfinite(ours_s)] = np.nan
    t, m = errors(ours_s, theirs[:, 0]), errors(ours_m, theirs[:, 1])
    only_ours = int((np.isfinite(ours_s) & np.isnan(theirs[:, 0])).sum())
    only_theirs = int((np.isnan(ours_s) & np.isfinite(theirs[:, 0])).sum())
    label = f"{name} ({graph.n_nodes:,} nodes; Valhalla tiles built in {tiles_s:.1f} s)"
    rows = [
        f"| {label} | time error vs Valhalla, {t['n']} trips | median {t['median']:.1%}, "
        f"p90 {t['p90']:.1%}, bias {t['bias']:+.1%} |",
        f"| {label} | length error vs Valhalla | median {m['median']:.1%}, p90 {m['p90']:.1%}, "
        f"bias {m['bias']:+.1%} |",
        f"| {label} | trips only Smart Spot / only Valhalla can drive | {only_ours} / "
        f"{only_theirs} |",
        f"| {label} | paths through a forbidden turn ({len(graph.turns)} restrictions) | "
        f"{bad_paths} (without restrictions: {free_bad}) |",
    ]
    # how much of the gap is Valhalla's cost of passing junctions (turn and stop penalties)?
    both = np.isfinite(ours_s) & np.isfinite(theirs[:, 0])
    gap = theirs[both, 0] - ours_s[both]
    per_junction = float((gap * junctions[both]).sum() / max((junctions[both] ** 2).sum(), 1))
    adjusted = errors(ours_s + per_junction * junctions, theirs[:, 0])
    rows.append(
        f"| {label} | gap fitted as seconds per junction passed (median {np.median(junctions):.0f} "
        f"junctions a trip) | {per_junction:.1f} s each; with it: median {adjusted['median']:.1%}, "
        f"p90 {adjusted['p90']:.1%}, bias {adjusted['bias']:+.1%} |"
    )
    if name == "aarhus_c_marselis":
        rows += measured(graph, model, python, config)
    return rows


def distinct_neighbours(graph: RoadGraph) -> NDArray[np.int64]:
    """Per original node: how many other nodes it is joined to (either direction)."""
    assert graph.original is not None
    t, h = graph.original[graph.tails], graph.original[graph.heads]
    keep = t != h
    pairs = np.unique(
        np.concatenate([t[keep] * graph.n_nodes + h[keep], h[keep] * graph.n_nodes + t[keep]])
    )
    return np.bincount(pairs // graph.n_nodes, minlength=graph.n_nodes)


def measured(graph: RoadGraph, model: RoadTravelTimes, python: Path, config: Path) -> list[str]:
    """Both engines against the measured Aarhus routes that lie on the extract's roads."""
    path = next((p for p in ROUTES if p.exists()), None)
    if path is None:
        return ["| aarhus_c_marselis | measured routes | routes.csv not found |"]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ends = [
        lonlat_to_metric(
            np.array([float(r["POINT_1_LNG"]), float(r["POINT_2_LNG"])]),
            np.array([float(r["POINT_1_LAT"]), float(r["POINT_2_LAT"])]),
        )
        for r in rows
    ]
    on = [i for i, e in enumerate(ends) if (model.road_distance(e) <= 80).all()]
    if not on:
        return ["| aarhus_c_marselis | measured routes on the extract | none |"]
    ours = np.array([model.matrix(ends[i][:1], ends[i][1:])[0, 0] for i in on])
    pairs = [
        (
            [float(rows[i]["POINT_1_LNG"]), float(rows[i]["POINT_1_LAT"])],
            [float(rows[i]["POINT_2_LNG"]), float(rows[i]["POINT_2_LAT"])],
        )
        for i in on
    ]
    theirs = valhalla_routes(python, config, pairs)[:, 0]
    real = np.array([float(rows[i]["DURATION_IN_SEC"]) for i in on])
    o, v = errors(ours, real), errors(theirs, real)
    return [
        f"| aarhus_c_marselis | {o['n']} measured routes (ends ≤ 80 m from its roads): Smart "
        f"Spot time error | median {o['median']:.1%}, p90 {o['p90']:.1%}, bias {o['bias']:+.1%} |",
        f"| aarhus_c_marselis | the same routes: Valhalla time error | median {v['median']:.1%}, "
        f"p90 {v['p90']:.1%}, bias {v['bias']:+.1%} |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--extract", action="append", choices=EXTRACTS)
    args = parser.parse_args(argv)
    python, bin_dir = valhalla_env()
    rows = []
    for name in args.extract or EXTRACTS:
        rows += compare(name, python, bin_dir, args.trips, args.seed)
    print("| extract | measure | result |")
    print("| --- | --- | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
