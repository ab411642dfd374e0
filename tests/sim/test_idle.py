"""``optimiser+idle`` in a fixed scenario: cars standing at their posts take the round trip to an
outlying hotspot that no car clearing a call can fit into its way home."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from smartspot.geo.regions import Regions
from smartspot.resources import DATA_DIR
from smartspot.sim.district import District, build_district
from smartspot.sim.policies import IDLE_AFTER_MIN, planning_for
from smartspot.sim.simulation import simulate
from tests.sim.straight import StraightLine
from tests.sim.test_policies import _hotspot

# 30 km from every station and 19 km from the nearest post, in Ringkøbing-Skjern's farmland:
# out and back at 70 km/h plus 15 min on site is ~48 min, beyond a homebound car's 30-min
# detour budget from anywhere its calls take it, inside an idle car's 60-min round trip.
FAR = np.array([-42_183.0, -35_180.0])  # from Herning station (st02)

# The fixture's own posts (towns where free cars wait; the district's scenario has none, its
# cars wait at their stations): an idle car at Skjern or Videbæk is 19 km from the hotspot.
POSTS = {
    "st01": ("station", "Lemvig", "Vinderup"),
    "st02": ("station", "Vildbjerg", "Sunds"),
    "st07": ("station", "Skjern", "Videbæk"),
}


@pytest.fixture(scope="module")
def one_far_hotspot(mvj_district: District, regions: Regions) -> District:
    xy = mvj_district.station_xy[1] + FAR
    spot = dataclasses.replace(_hotspot(0, xy, 3, regions), visits_per_week=3)
    km = float(np.hypot(*(mvj_district.station_xy - xy).T).min() / 1000)
    scenario = mvj_district.scenario
    stations = tuple(
        dataclasses.replace(s, posts=POSTS.get(s.station_id, ())) for s in scenario.stations
    )
    # hotspots only: no follow-up stream, so every plan is the idle trip to this hotspot
    followups = dataclasses.replace(scenario.followups, enabled=False)
    scenario = dataclasses.replace(scenario, stations=stations, followups=followups)
    posted = build_district(scenario, regions, DATA_DIR)
    posts = np.concatenate(posted.car_homes)
    assert 18.0 < np.hypot(*(posts - xy).T).min() / 1000 < 20.0  # the nearest post, as said
    return dataclasses.replace(
        posted,
        hotspots=(spot,),
        hotspot_xy=xy.reshape(1, 2),
        hotspot_station_km=np.array([km]),
    )


def test_optimiser_with_idle_cars_serves_an_outlying_hotspot_the_optimiser_leaves_alone(
    one_far_hotspot: District,
) -> None:
    district = one_far_hotspot
    guard_min = district.scenario.policy.coverage_guard_min
    assert guard_min is not None  # the district's own policy: the guard is on
    plain = simulate(district, StraightLine(), policy="optimiser", days=1, seed=3)
    idle = simulate(district, StraightLine(), policy="optimiser+idle", days=1, seed=3)
    assert plain.visits == ()  # no car clearing a call can fit it into its way home
    assert idle.visits and all(v.outlying and not v.aborted for v in idle.visits)
    taken = [p for p in idle.plans if p.accepted]
    assert taken and all(p.idle for p in taken)  # every visit came from an idle car's trip
    assert idle.unanswered == plain.unanswered == ()
    # the same calls (common random numbers); none answered later than the guard's minutes
    before = {c.callout: c.response_s for c in plain.calls if c.urgent}
    after = {c.callout: c.response_s for c in idle.calls if c.urgent}
    assert before.keys() == after.keys() and before
    assert max(after[k] - before[k] for k in before) <= guard_min * 60


def test_the_idle_variant_switches_idle_proposals_on_and_nothing_else(
    mvj_district: District,
) -> None:
    policy = mvj_district.scenario.policy
    assert policy.idle_after_min is None  # off in the district's file, as in the live service
    idle = planning_for("optimiser+idle", policy)
    assert idle == policy.with_changes(idle_after_min=IDLE_AFTER_MIN)
    own = policy.with_changes(idle_after_min=25)
    assert planning_for("optimiser+idle", own) == own  # a district's own threshold is kept
