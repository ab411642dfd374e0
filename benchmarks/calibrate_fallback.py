"""How close the fallback model comes to real roads and to published driving times.

Run: ``.venv/bin/python -m benchmarks.calibrate_fallback`` (from the repository root: the town
circuity part imports ``tests.travel``)

1. **Samsø**: 400 random pairs of road nodes (seed 11). Circuity = shortest road distance on
   the OSM graph over the straight line; times = the fallback (Østjylland land graph) against
   the road model on Samsø's real OSM graph.
2. **Town pairs** of ``data/published_drive_times.csv``: fallback minutes against the
   published (or estimated, as marked) minutes; and the three Thy trips of issue 11.
3. **Measured Aarhus routes** (``data/aarhus_measured_routes.csv``, Open Data Aarhus, CC BY
   4.0): error in time and in length, median and p90, per road type and distance band, for the
   fallback and, where the Aarhus C OSM graph covers both ends (within 150 m of a road node),
   the road graph.
4. **Town circuity**: driven metres / straight line over every pair of GeoNames towns of at
   least 1,000 inhabitants per district, one landmass, under 80 km apart.
"""

from __future__ import annotations

import csv
import statistics
import sys

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from smartspot.geo.crs import lonlat_to_metric
from smartspot.resources import DATA_DIR
from smartspot.travel.config import land_graph
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.graph import RoadGraph
from smartspot.travel.land import FallbackParams
from smartspot.travel.osm import BuildOptions, build_graph
from smartspot.travel.road import RoadTravelTimes

PAIRS = 400
MIN_STRAIGHT_M = 1_000.0


def samsoe(params: FallbackParams) -> list[str]:
    graph = build_graph(DATA_DIR / "osm" / "samsoe.osm.pbf", BuildOptions(ferries=False))
    road = RoadTravelTimes(graph)
    n = graph.n_nodes
    metres = sp.csr_matrix((graph.metres, (graph.tails, graph.heads)), shape=(n, n))
    rng = np.random.default_rng(11)
    nodes = np.flatnonzero(graph.snappable)
    a = rng.choice(nodes, PAIRS)
    b = rng.choice(nodes, PAIRS)
    straight = np.hypot(*(graph.xy[a] - graph.xy[b]).T)
    keep = straight >= MIN_STRAIGHT_M
    a, b, straight = a[keep], b[keep], straight[keep]
    road_m = np.array([dijkstra(metres, indices=int(u))[int(v)] for u, v in zip(a, b, strict=True)])
    ok = np.isfinite(road_m)
    circuity = road_m[ok] / straight[ok]
    road_s = np.diag(road.matrix(graph.xy[a], graph.xy[b]))
    fallback = LandTravelTimes(land_graph("Østjyllands Politi", params))
    fall_s = np.diag(fallback.matrix(graph.xy[a], graph.xy[b]))
    both = np.isfinite(road_s) & np.isfinite(fall_s)
    ratio = fall_s[both] / road_s[both]
    return [
        f"| Samsø, {len(circuity)} random road-node pairs ≥ 1 km apart | circuity (road m / "
        f"straight m) | median {np.median(circuity):.3f}, mean {circuity.mean():.3f}, "
        f"p10–p90 {np.percentile(circuity, 10):.2f}–{np.percentile(circuity, 90):.2f} |",
        f"| Samsø, {both.sum()} pairs | fallback time / OSM road-model time | median "
        f"{np.median(ratio):.3f}; mean abs. error {np.mean(np.abs(ratio - 1)):.1%}; "
        f"p10–p90 {np.percentile(ratio, 10):.2f}–{np.percentile(ratio, 90):.2f} |",
    ]


def towns(params: FallbackParams) -> list[str]:
    with (DATA_DIR / "dk_places_geonames.csv").open(encoding="utf-8") as handle:
        places = {r["name"]: r for r in csv.DictReader(handle)}
    names = {"Aarhus": "Århus"}

    def point(name: str) -> np.ndarray:
        row = places[names.get(name, name)]
        return lonlat_to_metric(
            np.array([float(row["longitude"])]), np.array([float(row["latitude"])])
        )

    models = {
        d: LandTravelTimes(land_graph(d, params))
        for d in ("Midt- og Vestjyllands Politi", "Østjyllands Politi")
    }
    rows, errors = [], []
    with (DATA_DIR / "published_drive_times.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            district = (
                "Østjyllands Politi"
                if "Aarhus" in (row["from"], row["to"])
                and "Holstebro" not in (row["from"], row["to"])
                else "Midt- og Vestjyllands Politi"
            )
            minutes = models[district].matrix(point(row["from"]), point(row["to"]))[0, 0] / 60
            error = minutes / float(row["minutes"]) - 1
            errors.append(abs(error))
            rows.append(
                f"| {row['from']}–{row['to']} | {row['minutes']} ({row['minutes_basis']}) | "
                f"{minutes:.1f} | {error:+.1%} |"
            )
    rows.append(
        f"| **mean absolute error** | | | **{statistics.mean(errors):.1%}** "
        f"(max {max(errors):.1%}) |"
    )
    return rows


def held_out(a: np.ndarray, b: np.ndarray, sel: np.ndarray, seed: int = 2026) -> np.ndarray:
    """The held-out half of the routes ``sel``: whole corridors (both directions of a road,
    end points rounded to 100 m) drawn at random, so no route is judged on a constant fitted to
    its own return trip. The rest is the training half the constants were chosen on."""
    idx = np.flatnonzero(sel)
    key = [
        tuple(
            sorted(
                (tuple(np.round(a[i] / 100).astype(int)), tuple(np.round(b[i] / 100).astype(int)))
            )
        )
        for i in idx
    ]
    groups = sorted(set(key))
    rng = np.random.default_rng(seed)
    chosen = {groups[k] for k in rng.permutation(len(groups))[: len(groups) // 2]}
    out = np.zeros(len(a), dtype=bool)
    out[idx] = [k in chosen for k in key]
    return out


THY = (("Thisted", "Struer", 45), ("Hurup", "Struer", 30), ("Thisted", "Holstebro", 55))
BANDS = ((1_500, 3_000), (3_000, 6_000), (6_000, 100_000))


def thy(params: FallbackParams) -> list[str]:
    model = LandTravelTimes(land_graph("Midt- og Vestjyllands Politi", params))
    rows = []
    for a, b, typical in THY:
        leg = model.leg(_town(a)[0], _town(b)[0])
        rows.append(
            f"| {a}–{b} | about {typical} (issue 11) | {leg.seconds / 60:.1f} | "
            f"{leg.seconds / 60 / typical - 1:+.1%} | {leg.metres / 1000:.1f} km |"
        )
    return rows


def _town(name: str) -> np.ndarray:
    with (DATA_DIR / "dk_places_geonames.csv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            if r["name"] == name:
                return lonlat_to_metric(
                    np.array([float(r["longitude"])]), np.array([float(r["latitude"])])
                )
    raise KeyError(name)


def _errors(model: np.ndarray, measured: np.ndarray) -> str:
    ratio = model / measured
    err = np.abs(ratio - 1)
    return (
        f"{np.median(err):.0%} | {np.percentile(err, 90):.0%} | {np.median(ratio) - 1:+.0%} "
        f"| {np.mean(ratio) - 1:+.0%}"
    )


def aarhus(params: FallbackParams) -> list[str]:
    with (DATA_DIR / "aarhus_measured_routes.csv").open(encoding="utf-8") as handle:
        routes = list(csv.DictReader(handle))
    a = lonlat_to_metric(
        np.array([float(r["POINT_1_LNG"]) for r in routes]),
        np.array([float(r["POINT_1_LAT"]) for r in routes]),
    )
    b = lonlat_to_metric(
        np.array([float(r["POINT_2_LNG"]) for r in routes]),
        np.array([float(r["POINT_2_LAT"]) for r in routes]),
    )
    seconds = np.array([float(r["DURATION_IN_SEC"]) for r in routes])
    metres = np.array([float(r["DISTANCE_IN_METERS"]) for r in routes])
    kind = np.array([r["ROAD_TYPE"] for r in routes])
    straight = np.hypot(*(a - b).T)
    fallback = LandTravelTimes(land_graph("Østjyllands Politi", params))
    fall = [fallback.trips(a[i], b[i]) for i in range(len(routes))]
    f_s = np.array([t.seconds[0, 0] for t in fall])
    f_m = np.array([t.metres[0, 0] for t in fall])
    graph = RoadGraph.load(DATA_DIR / "roads" / "aarhus_c_marselis.npz")
    road = RoadTravelTimes(graph)
    near_a = road.road_distance(a)
    near_b = road.road_distance(b)
    covered = (near_a <= 150) & (near_b <= 150)
    r_s = np.full(len(routes), np.nan)
    r_m = np.full(len(routes), np.nan)
    for i in np.flatnonzero(covered):
        leg = road.leg(a[i], b[i])
        r_s[i], r_m[i] = leg.seconds, leg.metres
    rows = []
    test = held_out(a, b, straight >= 1_500)
    groups: list[tuple[str, np.ndarray]] = [
        ("**held-out half ≥ 1.5 km (target)**", test),
        ("training half ≥ 1.5 km", (straight >= 1_500) & ~test),
        ("all ≥ 1.5 km", straight >= 1_500),
        ("all < 1.5 km", straight < 1_500),
    ]
    groups += [
        (f"{lo / 1000:g}–{hi / 1000:g} km", (straight >= lo) & (straight < hi)) for lo, hi in BANDS
    ]
    groups += [
        (f"{k} ≥ 1.5 km", (kind == k) & (straight >= 1_500)) for k in sorted(set(kind.tolist()))
    ]
    for label, sel in groups:
        for model, ms, mm in (("fallback", f_s, f_m), ("road graph (Aarhus C)", r_s, r_m)):
            use = sel & np.isfinite(ms)
            if use.sum() == 0:
                continue
            rows.append(
                f"| {label} | {model} | {use.sum()} | {_errors(ms[use], seconds[use])} | "
                f"{_errors(mm[use], metres[use])} |"
            )
    return rows


def town_circuity(params: FallbackParams) -> list[str]:
    from tests.travel.test_town_circuity import town_ratios

    rows = []
    for district in ("Midt- og Vestjyllands Politi", "Østjyllands Politi"):
        model = LandTravelTimes(land_graph(district, params))
        ratios = np.array(list(town_ratios(model, district).values()))
        q = np.percentile(ratios, [10, 50, 90, 99])
        rows.append(
            f"| {district} | {len(ratios)} | {q[0]:.2f} | {q[1]:.2f} | {q[2]:.2f} | {q[3]:.2f} | "
            f"{ratios.max():.2f} | {(ratios > 1.6).sum()} |"
        )
    return rows


def main() -> int:
    params = FallbackParams()
    print("| check | measure | result |")
    print("| --- | --- | --- |")
    print("\n".join(samsoe(params)))
    print()
    print("| town pair | reference minutes | fallback minutes | error |")
    print("| --- | --- | --- | --- |")
    print("\n".join(towns(params)))
    print()
    print("| trip | typical minutes | fallback minutes | error | fallback km |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(thy(params)))
    print()
    print(
        "| routes | model | n | time: median error | p90 error | median bias | mean bias | "
        "length: median error | p90 error | median bias | mean bias |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(aarhus(params)))
    print()
    print("| district | town pairs | p10 | median | p90 | p99 | max | > 1.6 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(town_circuity(params)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
