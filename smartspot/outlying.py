"""The one definition of "outlying" (yderområde): far, by road, from every station.

A hotspot's *station time* is half the round trip (there and back) from the station nearest to
it by the district's travel model, so one-way streets and ferries count both ways. It is
outlying when that time exceeds the district's ``outlying_min`` (``policy.toml``), or when no
station reaches it at all. The value model's opportunity factor reads the same round trips
(:func:`station_round_trips`), so what the reports call outlying is what the optimiser favours.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from smartspot.travel.port import TravelTimes


def station_round_trips(
    travel: TravelTimes, stations: NDArray[np.float64], points: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Seconds of the round trip from the nearest station to each point, ``NaN`` where no
    station reaches it (``stations`` ``(s, 2)`` and ``points`` ``(n, 2)``, EPSG:25832).

    Timed without a departure time (the travel model's flat ferry wait): the figure describes
    where a hotspot lies, not tonight's timetable.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    stations = np.asarray(stations, dtype=np.float64).reshape(-1, 2)
    if len(points) == 0:
        return np.empty(0)
    if len(stations) == 0:
        return np.full(len(points), np.nan)
    there = travel.matrix(stations, points)
    back = travel.matrix(points, stations).T
    both = there + back
    best = np.where(np.isnan(both), np.inf, both).min(axis=0)
    return np.where(np.isinf(best), np.nan, best)


def is_outlying(round_trip_s: NDArray[np.float64], outlying_min: float) -> NDArray[np.bool_]:
    """Outlying: half the station round trip above ``outlying_min`` minutes, or unreachable."""
    trips = np.asarray(round_trip_s, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.isnan(trips) | (trips / 2 > outlying_min * 60)
