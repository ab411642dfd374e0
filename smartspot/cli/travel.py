"""``smartspot roads build`` (OSM extract → road graph) and ``smartspot travel`` (one trip)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from smartspot.cli.output import emit, help_text
from smartspot.errors import InvalidInputError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.geo.validate import check_lonlat
from smartspot.i18n import N_, msg
from smartspot.travel.config import ROADS_DIR, TravelModelConfig, district_config, leg_between
from smartspot.travel.options import DEFAULT_FERRY_WAIT_S, TravelOptions
from smartspot.travel.osm import BuildOptions, build_graph_with_report


def register(subparsers: Any) -> None:
    roads = subparsers.add_parser(
        "roads", help=help_text("build road graphs from OpenStreetMap extracts")
    )
    roads_sub = roads.add_subparsers(dest="roads_command", required=True, metavar="ACTION")
    build = roads_sub.add_parser(
        "build", help=help_text("read FILE.osm.pbf and save its drivable graph")
    )
    build.add_argument(
        "file", type=Path, help=help_text("an OpenStreetMap extract (.osm.pbf or .osm)")
    )
    build.add_argument(
        "--out",
        required=True,
        help=help_text("graph name (saved as data/roads/NAME.npz) or a path ending in .npz"),
    )
    build.add_argument("--no-ferries", action="store_true", help=help_text("leave car ferries out"))
    build.add_argument(
        "--ferry-wait-min",
        type=float,
        default=None,
        help=help_text(
            "ferry waiting time in minutes stored as this graph's default (15 if not given); 'smartspot travel --ferry-wait-min' overrides it without a rebuild"
        ),
    )
    build.add_argument("--json", action="store_true", help=help_text("print JSON"))
    build.set_defaults(func=run_build)

    travel = subparsers.add_parser(
        "travel", help=help_text("driving time between two WGS84 points")
    )
    for name, words in (
        ("lon1", N_("origin longitude")),
        ("lat1", N_("origin latitude")),
        ("lon2", N_("destination longitude")),
        ("lat2", N_("destination latitude")),
    ):
        travel.add_argument(name, type=float, help=help_text(words))
    travel.add_argument(
        "--district",
        default=None,
        help=help_text("politikreds name; default: the one the origin is in"),
    )
    travel.add_argument(
        "--no-ferries", action="store_true", help=help_text("cars may not take ferries")
    )
    travel.add_argument(
        "--ferry-wait-min",
        type=float,
        default=None,
        help=help_text(
            "waiting time at each ferry departure in minutes (default: the graph's, or 15)"
        ),
    )
    travel.add_argument(
        "--roads-dir", type=Path, default=ROADS_DIR, help=help_text("folder of built road graphs")
    )
    travel.add_argument(
        "--no-cache",
        action="store_true",
        help=help_text("build the fallback graph afresh instead of reading the user cache folder"),
    )
    travel.add_argument("--json", action="store_true", help=help_text("print JSON"))
    travel.set_defaults(func=run_travel)


def _out_path(out: str) -> Path:
    if out.endswith(".npz") or "/" in out:
        return Path(out)
    if not out.replace("_", "").replace("-", "").isalnum():
        raise InvalidInputError(
            msg(
                "--out {out!r}: use a plain name (letters, digits, - and _) or a path ending in .npz",
                out=out,
            )
        )
    return ROADS_DIR / f"{out}.npz"


def run_build(args: argparse.Namespace) -> int:
    if args.ferry_wait_min is not None and not 0 <= args.ferry_wait_min <= 360:
        raise InvalidInputError(msg("--ferry-wait-min must be between 0 and 360 minutes"))
    out = _out_path(args.out)
    started = time.perf_counter()
    wait_min = DEFAULT_FERRY_WAIT_S / 60 if args.ferry_wait_min is None else args.ferry_wait_min
    options = BuildOptions(ferries=not args.no_ferries, ferry_wait_s=wait_min * 60)
    graph, turns = build_graph_with_report(args.file, options)
    out.parent.mkdir(parents=True, exist_ok=True)
    graph.save(out)
    result = {
        "out": str(out),
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "ferry_edges": int(graph.ferry.sum()),
        "turn_restrictions": turns.used,
        "turn_restrictions_left_out": dict(turns.skipped),
        "seconds": round(time.perf_counter() - started, 2),
        "attribution": "© OpenStreetMap contributors (ODbL 1.0)",
    }
    emit(
        result,
        as_json=args.json,
        text=msg(
            "{out}: {nodes} nodes, {edges} edges ({ferry} on ferries), {turns} turn restrictions "
            "({skipped} left out: via ways, malformed) in {seconds} s",
            out=out,
            nodes=graph.n_nodes,
            edges=graph.n_edges,
            ferry=result["ferry_edges"],
            turns=turns.used,
            skipped=sum(turns.skipped.values()),
            seconds=result["seconds"],
        ),
    )
    return 0


def run_travel(args: argparse.Namespace) -> int:
    check_lonlat(args.lon1, args.lat1)
    check_lonlat(args.lon2, args.lat2)
    wait = None if args.ferry_wait_min is None else args.ferry_wait_min * 60
    options = TravelOptions(ferries=not args.no_ferries, ferry_wait_s=wait)
    a = lonlat_to_metric(np.array([args.lon1]), np.array([args.lat1]))[0]
    b = lonlat_to_metric(np.array([args.lon2]), np.array([args.lat2]))[0]
    config: TravelModelConfig = district_config(
        args.district,
        a,
        options=options,
        roads_dir=args.roads_dir,
        cache_dir=None if args.no_cache else Path(platformdirs.user_cache_dir("smartspot")),
    )
    leg = leg_between(config, a, b)
    result = leg.as_dict()
    if leg.reachable:
        text = msg(
            "{minutes:.1f} min, {km:.1f} km ({model})",
            minutes=leg.seconds / 60,
            km=leg.metres / 1000,
            model=leg.model,
        )
    else:
        text = (
            msg("unreachable by car ({model})", model=leg.model)
            if options.ferries
            else msg("unreachable by car ({model}, ferries off)", model=leg.model)
        )
    emit(result, as_json=args.json, text=text)
    return 0
