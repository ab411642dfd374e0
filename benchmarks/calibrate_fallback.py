"""How close the fallback model comes to real roads and to published driving times.

Run: ``.venv/bin/python benchmarks/calibrate_fallback.py``

1. **Samsø**: 400 random pairs of road nodes (seed 11). Circuity = shortest road distance on
   the OSM graph over the straight line; times = the fallback (Østjylland land graph) against
   the road model on Samsø's real OSM graph.
2. **Town pairs** of ``data/published_drive_times.csv``: fallback minutes against the
   published (or estimated, as marked) minutes.
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


def main() -> int:
    params = FallbackParams()
    print("| check | measure | result |")
    print("| --- | --- | --- |")
    print("\n".join(samsoe(params)))
    print()
    print("| town pair | reference minutes | fallback minutes | error |")
    print("| --- | --- | --- | --- |")
    print("\n".join(towns(params)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
