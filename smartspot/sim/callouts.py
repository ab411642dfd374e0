"""The stream of callouts (udrykninger) a district receives.

Arrivals are a non-homogeneous Poisson process: the yearly rate is spread over the hours of
the week by the scenario's hour-of-day and weekday weights (Danish local time). A callout lies
in a town, chosen in proportion to its GeoNames population and scattered around the town point,
or — with the rural share — anywhere on the district's land. Every callout carries its own call
handling, turnout and on-scene times, drawn here, so that every policy sees exactly the same
calls (common random numbers): the stream depends on the seed and the scenario, never on the
policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from smartspot.sim.district import District
from smartspot.travel.port import TravelTimes
from smartspot.windows import LOCAL_TZ

HOURS_PER_YEAR = 365.25 * 24
MAX_ON_SCENE_S = 8 * 3600.0
MIN_ON_SCENE_S = 120.0


@dataclass(frozen=True, slots=True)
class CalloutSpec:
    """One callout as it arrives; times in seconds from the start of the run."""

    id: str
    received_s: float
    urgent: bool
    x: float
    y: float
    kommunekode: str
    rural: bool
    handling_s: float  # vagtcentral call handling before a car is chosen
    turnout_s: float  # from the order to a parked car rolling
    on_scene_s: float


def hourly_rates(
    district: District, days: float, *, urgent: bool | None = None
) -> NDArray[np.float64]:
    """Expected callouts in each hour of the run: all of them (``urgent=None``), or only the
    urgent or the other ones (each with its own hour profile when the scenario gives one)."""
    settings = district.scenario.callouts
    if urgent is None:
        return hourly_rates(district, days, urgent=True) + hourly_rates(
            district, days, urgent=False
        )
    yearly = settings.urgent_per_year if urgent else settings.non_urgent_per_year
    profile = settings.hourly_urgent if urgent and settings.hourly_urgent else settings.hourly
    hourly = np.array(profile) / np.mean(profile)
    weekday = np.array(settings.weekday) / np.mean(settings.weekday)
    start = district.scenario.start
    hours = math.ceil(days * 24)
    rates = np.empty(hours)
    for h in range(hours):
        local = (start + timedelta(hours=h)).astimezone(LOCAL_TZ)
        rates[h] = yearly / HOURS_PER_YEAR * hourly[local.hour] * weekday[local.weekday()]
    return rates


def _uniform_in(area: BaseGeometry, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    minx, miny, maxx, maxy = area.bounds
    found = np.zeros((0, 2))
    while len(found) < n:
        batch = rng.uniform((minx, miny), (maxx, maxy), size=(max(64, 4 * n), 2))
        inside = shapely.contains_xy(area, batch[:, 0], batch[:, 1])
        found = np.vstack([found, batch[inside]])
    return found[:n]


def _town_points(
    district: District, towns: NDArray[np.int64], n: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``n`` places around the given towns (indices into ``district.towns``), by population."""
    settings = district.scenario.callouts
    population = district.towns.population[towns]
    choice = towns[rng.choice(len(towns), size=n, p=population / population.sum())]
    xy = district.towns.xy[choice]
    sd = np.minimum(
        settings.town_spread_m * np.sqrt(district.towns.population[choice] / 1000.0),
        settings.town_spread_max_m,
    )
    points = xy + rng.normal(size=(n, 2)) * sd[:, None]
    for _ in range(10):  # scatter that lands in the sea or a neighbour district is redrawn
        outside = ~shapely.contains_xy(district.polygon, points[:, 0], points[:, 1])
        if not outside.any():
            break
        k = int(outside.sum())
        points[outside] = xy[outside] + rng.normal(size=(k, 2)) * sd[outside, None]
    outside = ~shapely.contains_xy(district.polygon, points[:, 0], points[:, 1])
    points[outside] = xy[outside]
    return points


def call_places(
    district: District, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Where ``n`` callouts happen, and which of them are rural.

    With ``kommune_population`` each callout first falls in a kommune in proportion to its
    inhabitants (so towns GeoNames counts twice, like Aarhus and its suburbs, are not
    over-weighted), then on rural land of that kommune with the rural share, else at one of its
    towns. Without it, the rural ones lie anywhere on the district's land and the others at
    towns in proportion to GeoNames population.
    """
    settings = district.scenario.callouts
    rural = rng.random(n) < settings.rural_share
    points = np.empty((n, 2))
    all_towns = np.arange(len(district.towns.names))
    if not settings.kommune_population:
        points[rural] = _uniform_in(district.polygon, int(rural.sum()), rng)
        points[~rural] = _town_points(district, all_towns, int((~rural).sum()), rng)
        return points, rural
    codes = [kode for kode, _ in settings.kommune_population]
    weights = np.array([people for _, people in settings.kommune_population])
    which = rng.choice(len(codes), size=n, p=weights / weights.sum())
    for k, kode in enumerate(codes):
        here = which == k
        mine = np.array(
            [i for i in all_towns if district.towns.kommunekode[i] == kode], dtype=np.int64
        )
        if len(mine) == 0:
            rural[here] = True
        polygon = district.kommune_polygons[kode]
        for flag in (True, False):
            group = here & (rural == flag)
            count = int(group.sum())
            if count:
                points[group] = (
                    _uniform_in(polygon, count, rng)
                    if flag
                    else _town_points(district, mine, count, rng)
                )
    return points, rural


def reachable_places(
    district: District, travel: TravelTimes, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """``n`` places drawn like callouts (:func:`call_places`), those no station can reach by
    ``travel`` redrawn, and which of them are rural."""
    points, rural = call_places(district, n, rng)
    for _ in range(20):
        if n == 0:
            break
        seconds = travel.matrix(district.station_xy, points)
        lost = np.isnan(seconds).all(axis=0)
        if not lost.any():
            break
        new_points, new_rural = call_places(district, int(lost.sum()), rng)
        points[lost], rural[lost] = new_points, new_rural
    return points, rural


def generate_callouts(
    district: District, travel: TravelTimes, days: float, rng: np.random.Generator
) -> list[CalloutSpec]:
    """Draw every callout of a run of ``days`` days.

    Places no station can reach (by the travel layer) are redrawn, so every call can be
    answered.

    Parameters
    ----------
    district
        The district and its scenario.
    travel
        The travel-time layer, used only to refuse unreachable places.
    days
        Length of the run; arrivals lie in ``[0, days * 86400)`` seconds.
    rng
        The callout stream's own generator (independent of the policy's).
    """
    settings = district.scenario.callouts
    horizon = days * 86400.0
    arrivals = []
    for flag in (True, False):
        counts = rng.poisson(hourly_rates(district, days, urgent=flag))
        times = np.concatenate(
            [h * 3600.0 + rng.uniform(0.0, 3600.0, size=c) for h, c in enumerate(counts)]
        )
        arrivals.append((times, np.full(len(times), flag)))
    times = np.concatenate([a[0] for a in arrivals])
    urgent = np.concatenate([a[1] for a in arrivals])
    order = np.argsort(times, kind="stable")
    times, urgent = times[order], urgent[order]
    keep = times < horizon
    times, urgent = times[keep], urgent[keep]
    n = len(times)
    points, rural = reachable_places(district, travel, n, rng)
    handling = rng.uniform(*district.scenario.dispatch.handling_s, size=n)
    turnout = rng.uniform(*district.scenario.dispatch.turnout_s, size=n)
    normal = rng.normal(size=n)
    on_scene = np.empty(n)
    for flag, spec in ((True, settings.urgent_on_scene), (False, settings.non_urgent_on_scene)):
        mask = urgent == flag
        on_scene[mask] = spec.median_min * 60.0 * np.exp(spec.sigma * normal[mask])
    on_scene = np.clip(on_scene, MIN_ON_SCENE_S, MAX_ON_SCENE_S)
    regions = district.regions
    return [
        CalloutSpec(
            id=f"c{i:06d}",
            received_s=float(times[i]),
            urgent=bool(urgent[i]),
            x=float(points[i, 0]),
            y=float(points[i, 1]),
            kommunekode=regions.locate(Point(points[i])).kommune.kode,
            rural=bool(rural[i]),
            handling_s=float(handling[i]),
            turnout_s=float(turnout[i]),
            on_scene_s=float(on_scene[i]),
        )
        for i in range(n)
    ]
