"""A part as PyVRP data: long routes pay for their duration, several cars more than one, short
routes (the districts) not at all."""

from __future__ import annotations

import numpy as np

from smartspot.optimise import pyvrp_model
from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance
from smartspot.optimise.pyvrp_model import build_model
from smartspot.optimise.solver import Part, has_long_routes
from tests.optimise.test_pyvrp_pool import _ring


def _duration_costs(cars: int, budget_s: int) -> tuple[bool, set[int]]:
    inst = Instance.of(_ring(30, cars=cars, budget_s=budget_s, window_s=100_000))
    reach = inst.reach_lists()
    warm = construct(inst, reach)
    hotspots = np.unique(np.concatenate(reach)).astype(np.int64)
    model = build_model(inst, Part(list(range(cars)), hotspots, reach, warm))
    return has_long_routes(warm), {t.unit_duration_cost for t in model.data.vehicle_types()}


def test_long_routes_of_several_cars_pay_more_for_duration_than_one_car() -> None:
    assert _duration_costs(3, 3900) == (True, {pyvrp_model.LONG_DURATION_COST_CARS})
    assert _duration_costs(1, 3900) == (True, {pyvrp_model.LONG_DURATION_COST})
    assert pyvrp_model.LONG_DURATION_COST_CARS > pyvrp_model.LONG_DURATION_COST > 0


def test_short_routes_pay_for_driving_only() -> None:
    assert _duration_costs(3, 1600) == (False, {0})  # 1-2 stops a car
