"""Benchmark instances on the real districts: stations, towns weighted by population, rural
scatter; values from Smart Spot's own value model; seeded, so every run sees the same problems.

Travel is straight line × 1.3 (circuity) at 60 km/h, rounded to whole seconds: the OSM road
graph is only extracted for small areas (data/osm), and the solvers only see the matrix. Sizes
up to 10 × 300 are also written as problem files to ``benchmarks/instances/``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartspot.domain import Category
from smartspot.geo.crs import lonlat_to_metric
from smartspot.optimise.problem import Car, Problem, Task
from smartspot.optimise.value import Situation, ValueSettings, value_of
from smartspot.resources import DATA_DIR
from smartspot.travel.port import cut_at

CIRCUITY = 1.3
SPEED_MPS = 60 / 3.6
KREDSE_SMALL = ("Midt- og Vestjyllands Politi",)
KREDSE_LARGE = ("Midt- og Vestjyllands Politi", "Østjyllands Politi")


@dataclass(frozen=True)
class District:
    name: str
    stations: NDArray[np.float64]  # (s, 2) EPSG:25832
    towns: NDArray[np.float64]  # (t, 2)
    weights: NDArray[np.float64]  # population shares


def district(kredse: tuple[str, ...]) -> District:
    """Stations and towns of the given politikredse, from data/."""
    with (DATA_DIR / "police_stations.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["politikreds_navn"] in kredse and r["lat"]]
    stations = lonlat_to_metric(
        np.array([float(r["lon"]) for r in rows]), np.array([float(r["lat"]) for r in rows])
    )
    with (DATA_DIR / "dk_places_geonames.csv").open(encoding="utf-8") as handle:
        places = [r for r in csv.DictReader(handle) if r["politikreds_navn"] in kredse]
    towns = lonlat_to_metric(
        np.array([float(p["longitude"]) for p in places]),
        np.array([float(p["latitude"]) for p in places]),
    )
    population = np.array([float(p["population"] or 0) + 500 for p in places])
    return District(" + ".join(kredse), stations, towns, population / population.sum())


def straight_seconds(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Straight line × circuity at 60 km/h, in seconds (a (n,2), b (m,2) → (n,m))."""
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    return d * CIRCUITY / SPEED_MPS


class StraightLineTravelTimes:
    """A TravelTimes (structurally) for the generator and the latency benchmark."""

    def matrix(
        self,
        origins: NDArray[np.float64],
        destinations: NDArray[np.float64],
        *,
        depart_at: object = None,  # no timetables on straight lines
        limit_s: float | None = None,
    ) -> NDArray[np.float64]:
        return cut_at(straight_seconds(np.asarray(origins), np.asarray(destinations)), limit_s)

    def route(self, a: NDArray[np.float64], b: NDArray[np.float64]) -> None:
        return None


def hotspot_points(rng: np.random.Generator, d: District, n: int) -> NDArray[np.float64]:
    """75 % around towns (weighted by population, 0.5–3 km spread), 25 % rural scatter."""
    town = d.towns[rng.choice(len(d.towns), size=n, p=d.weights)]
    spread = rng.uniform(500, 3000, size=(n, 1))
    points = town + rng.normal(0, 1, (n, 2)) * spread
    rural = rng.random(n) < 0.25
    base = d.towns[rng.integers(0, len(d.towns), int(rural.sum()))]
    points[rural] = base + rng.uniform(-12_000, 12_000, (int(rural.sum()), 2))
    return points


def values(
    rng: np.random.Generator, d: District, points: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each hotspot's value now from the real value model with a random history."""
    settings = ValueSettings()
    trip = straight_seconds(d.stations, points).min(axis=0) * 2
    categories = list(Category)
    out = np.empty(len(points))
    for i in range(len(points)):
        per_week = float(rng.choice([0.5, 1, 2, 3, 5]))
        since = float(rng.exponential(7 * 86400 / per_week)) + 3 * 3600
        situation = Situation(
            priority=int(rng.integers(1, 6)),
            category=categories[int(rng.integers(0, len(categories)))],
            visits_per_week=per_week,
            visits_last_week=int(rng.poisson(per_week * 0.7)),
            since_last_visit_s=since,
            active_now=True,
            opens_in_s=None,
            station_round_trip_s=float(trip[i]),
        )
        out[i] = round(value_of(situation, settings, rng).value, 3)
    return out


def windows(rng: np.random.Generator) -> tuple[tuple[int, int], ...]:
    """55 % none, 15 % night (open now for 1–4 h), 15 % opening in 10–60 min for 1–3 h,
    15 % closing in 15–60 min; 5 % of all get a second window 2–3 h later."""
    kind = rng.random()
    if kind < 0.55:
        return ()
    if kind < 0.70:
        first = (0, int(rng.integers(3600, 4 * 3600)))
    elif kind < 0.85:
        lo = int(rng.integers(600, 3600))
        first = (lo, lo + int(rng.integers(3600, 3 * 3600)))
    else:
        first = (0, int(rng.integers(900, 3600)))
    if rng.random() < 0.05 / 0.45:
        lo = first[1] + int(rng.integers(2 * 3600, 3 * 3600))
        return (first, (lo, lo + 3600))
    return (first,)


def generate(cars: int, hotspots: int, seed: int) -> Problem:
    """One seeded instance of ``cars`` free cars and ``hotspots`` open hotspots."""
    rng = np.random.default_rng([cars, hotspots, seed])
    d = district(KREDSE_LARGE if cars > 20 else KREDSE_SMALL)
    home = d.stations[rng.integers(0, len(d.stations), cars)]
    if cars <= 10:  # small fleets: the towns within 25–40 km of their stations
        radius = 25_000 if cars == 1 else 30_000 if cars <= 5 else 40_000
        near = straight_seconds(home, d.towns).min(axis=0) * SPEED_MPS / CIRCUITY <= radius
        w = d.weights[near]
        d = District(d.name, d.stations, d.towns[near], w / w.sum())
    angle = rng.uniform(0, 2 * math.pi, cars)
    radius = rng.uniform(3000, 25_000, cars)
    start = home + np.c_[np.cos(angle), np.sin(angle)] * radius[:, None]
    points = hotspot_points(rng, d, hotspots)
    nodes = np.vstack([start, home, points])
    travel = np.rint(straight_seconds(nodes, nodes))
    worth = values(rng, d, points)
    tasks = tuple(
        Task(f"h{i}", 2 * cars + i, float(worth[i]), int(rng.integers(10, 16)) * 60, windows(rng))
        for i in range(hotspots)
    )
    fleet = tuple(
        Car(f"car{k}", k, cars + k, int(rng.integers(0, 600)), int(rng.integers(20, 46)) * 60)
        for k in range(cars)
    )
    return Problem(cars=fleet, hotspots=tasks, travel_s=travel)
