from __future__ import annotations

import numpy as np
import pytest

from smartspot.sim.cars import IDLE, RETURNING, TO_HOTSPOT, Fleet
from smartspot.sim.district import District
from smartspot.sim.engine import Environment
from smartspot.sim.table import PointTable
from smartspot.travel.port import TravelTimes, TravelTrips


def _fleet(district: District, travel: TravelTimes) -> tuple[Environment, Fleet]:
    env = Environment()
    points = np.vstack([district.station_xy, district.hotspot_xy])
    fleet = Fleet(env, district, PointTable(travel, points))
    fleet.set_shift("day")
    return env, fleet


def _straight_km(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.hypot(*(a - b))) / 1000.0


def test_a_driven_leg_counts_the_travel_layers_metres(
    mvj_district: District, fallback: TravelTimes
) -> None:
    assert isinstance(fallback, TravelTrips)
    env, fleet = _fleet(mvj_district, fallback)
    car = next(c for c in fleet.cars if c.state == IDLE)
    target = mvj_district.hotspot_xy[3]  # Thyborøn, round Nissum Bredning from most stations
    seconds = fleet.times_to([car], target, 0.0)[0]
    fleet.drive(car, target, float(seconds), TO_HOTSPOT, lambda: fleet.arrive_leg(car))
    env.run(until=seconds + 1)
    driven = fallback.trips(car.home.reshape(1, 2), target.reshape(1, 2)).metres[0, 0] / 1000
    assert car.km == pytest.approx(driven, rel=1e-9)
    # not the straight line times a constant (what the simulation counted before)
    assert abs(car.km / _straight_km(car.home, target) - 1.3) > 0.02


def test_a_car_turned_back_mid_leg_counts_the_way_out_and_back(
    mvj_district: District, fallback: TravelTimes
) -> None:
    env, fleet = _fleet(mvj_district, fallback)
    car = next(c for c in fleet.cars if c.state == IDLE)
    target = mvj_district.hotspot_xy[6]  # Fur
    seconds = float(fleet.times_to([car], target, 0.0)[0])
    fleet.drive(car, target, seconds, TO_HOTSPOT, lambda: fleet.arrive_leg(car))
    env.run(until=seconds * 0.25)
    fleet.go_home(car)  # turning back beats driving on to Fur and back
    assert car.state == RETURNING
    env.run(until=seconds * 0.25 * 2 + 1)
    assert car.state == IDLE
    out = fallback.trips(car.home.reshape(1, 2), target.reshape(1, 2)).metres[0, 0] / 1000
    assert car.km == pytest.approx(2 * 0.25 * out, rel=1e-6)
