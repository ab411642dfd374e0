from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime

import numpy as np
import pytest
from numpy.typing import NDArray
from shapely.geometry import Point

from smartspot.domain import Category, HandlingInstruction, Hotspot, Location, PatrolStatus, Source
from smartspot.errors import InvalidInputError
from smartspot.geo.regions import Regions
from smartspot.plans import Proposal
from smartspot.sim.district import District
from smartspot.sim.engine import Environment
from smartspot.sim.policies import planning_for
from smartspot.sim.simulation import simulate
from smartspot.sim.world import World
from smartspot.travel.port import TravelTimes
from tests.sim.straight import StraightLine


def _hotspot(number: int, xy: NDArray[np.float64], priority: int, regions: Regions) -> Hotspot:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    point = Point(xy)
    return Hotspot(
        id=f"x{number}",
        title=f"test {number}",
        category=Category.YOUTH_NUISANCE,
        description="a fixed test hotspot",
        instruction=HandlingInstruction("drive through"),
        priority=priority,
        geometry=point,
        location=Location(**regions.locate(point).as_dict()),
        source=Source.ANALYSIS,
        valid_from=date(2025, 1, 1),
        created_by="test",
        created_at=moment,
        updated_by="test",
        updated_at=moment,
    )


def _extra_km(
    start: NDArray[np.float64], home: NDArray[np.float64], stops: list[NDArray[np.float64]]
) -> float:
    points = [start, *stops, home]
    driven = sum(float(np.hypot(*(a - b))) for a, b in itertools.pairwise(points))
    return (driven - float(np.hypot(*(start - home)))) / 1000 * 1.3


def test_in_a_fixed_scenario_the_optimiser_collects_more_value_than_greedy_for_no_more_km(
    mvj_district: District, regions: Regions
) -> None:
    # A car clears a call 20 km west of Herning station and drives home. A priority-5 hotspot
    # lies 4.5 km off the road; two priority-4 hotspots lie on it. Greedy (best value per
    # added minute) takes the first and then nothing fits; the optimiser takes the two.
    policy = mvj_district.scenario.policy.with_changes(
        coverage_guard_min=None, jitter=0.0, detour_budget_min=35, respect_shift_ends=False
    )
    scenario = dataclasses.replace(mvj_district.scenario, policy=policy)
    home = mvj_district.station_xy[1]
    start = home + np.array([-20_000.0, 0.0])
    places = [
        (start + np.array([10_000.0, -4_500.0]), 5),
        (start + np.array([9_000.0, 300.0]), 4),
        (start + np.array([11_000.0, 300.0]), 4),
    ]
    district = dataclasses.replace(
        mvj_district,
        scenario=scenario,
        hotspots=tuple(_hotspot(i, xy, p, regions) for i, (xy, p) in enumerate(places)),
        hotspot_xy=np.array([xy for xy, _ in places]),
        hotspot_station_km=np.zeros(3),
    )
    found: dict[str, tuple[Proposal, float]] = {}
    for name in ("greedy", "optimiser"):
        world = World(
            Environment(),
            district,
            StraightLine(),
            planning_for(name, policy),
            np.random.default_rng(0),
            acceptance_rate=1.0,
            with_hotspots=True,
        )
        car = world.by_station[1][0]
        world.desk.set_status(car.id, PatrolStatus.RETURNING, actor="test")
        world.report(car, start, [0.0])  # the car cleared its call here, just now
        [proposal] = world.desk.propose([car.id], actor="test")  # the live engine's plan
        stops = [district.hotspot_xy[world.index[s.hotspot]] for s in proposal.kept]
        found[name] = (proposal, _extra_km(start, car.home, stops))
    (greedy, greedy_km), (best, best_km) = found["greedy"], found["optimiser"]
    assert [s.hotspot for s in greedy.kept] == ["x0"]
    assert sorted(s.hotspot for s in best.kept) == ["x1", "x2"]
    assert best.value > greedy.value
    assert best_km <= greedy_km


@pytest.mark.parametrize("policy", ["greedy", "optimiser"])
def test_smart_spot_policies_visit_hotspots_and_outlying_ones(
    mvj_district: District, fallback: TravelTimes, policy: str
) -> None:
    none = simulate(mvj_district, fallback, policy="none", days=3, seed=21)
    records = simulate(mvj_district, fallback, policy=policy, days=3, seed=21)
    assert records.unanswered == ()
    assert len(records.calls) == len(none.calls)
    assert records.visits
    assert any(v.outlying for v in records.visits)
    accepted = [p for p in records.plans if p.accepted]
    done = [p.extra_km for p in accepted if not p.interrupted]
    # driven metres are those of the fastest paths, not the shortest: a plan through a hotspot
    # may drive a little less than the faster way home it replaced (here down to -1.2 km), but
    # never much less, and plans cost kilometres on the whole
    assert done and min(done) >= -2.0 and sum(done) > 0
    ids = {h.id for h in mvj_district.hotspots}
    assert {v.hotspot for v in records.visits} <= ids


def test_greedy_policy_is_reproducible(mvj_district: District, fallback: TravelTimes) -> None:
    first = simulate(mvj_district, fallback, policy="greedy", days=1, seed=5)
    again = simulate(mvj_district, fallback, policy="greedy", days=1, seed=5)
    assert first == again


def test_unknown_policy_is_refused(mvj_district: District) -> None:
    with pytest.raises(InvalidInputError, match="choose from none, greedy, optimiser"):
        planning_for("random", mvj_district.scenario.policy)
