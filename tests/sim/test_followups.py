"""The simulation's follow-up stream: the national figure scaled by population, located like
the callouts, due 14 days after the report, with the seed's chance of reaching the citizen."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import shapely

from smartspot.errors import InvalidInputError
from smartspot.followups import AttemptOutcome
from smartspot.sim.district import District
from smartspot.sim.followup_settings import (
    NATIONAL_PER_YEAR,
    NATIONAL_POPULATION,
    FollowUpSettings,
    parse_followups,
)
from smartspot.sim.followups import district_population, door_outcome, generate_followups
from smartspot.travel.port import TravelTimes


def test_the_yearly_stream_is_the_national_figure_scaled_by_population(
    mvj_district: District, fallback: TravelTimes
) -> None:
    population = district_population(mvj_district)
    assert population == pytest.approx(583_400)
    yearly = mvj_district.scenario.followups.yearly(population)
    assert yearly == pytest.approx(NATIONAL_PER_YEAR * population / NATIONAL_POPULATION)
    assert 600 < yearly < 660  # about 635 a year: under two a day
    specs = generate_followups(mvj_district, fallback, 60, np.random.default_rng(4))
    expected = yearly * (60 + 14) / 365.25
    assert abs(len(specs) - expected) < 4 * np.sqrt(expected)


def test_follow_ups_lie_in_the_district_and_are_due_fourteen_days_after_the_report(
    mvj_district: District, fallback: TravelTimes
) -> None:
    specs = generate_followups(mvj_district, fallback, 14, np.random.default_rng(2))
    xy = np.array([(s.x, s.y) for s in specs])
    assert shapely.contains_xy(mvj_district.polygon, xy[:, 0], xy[:, 1]).all()
    assert {s.kommunekode for s in specs} <= set(mvj_district.kommuner)
    backlog = [s for s in specs if s.reported_s < 0]
    assert backlog and all(s.registered_s == 0 for s in backlog)
    for spec in specs:
        days = (spec.due_s - spec.reported_s) / 86400
        assert 14 <= days <= 15.05  # due by the end of the 14th day after the report
    assert 0.2 < np.mean([s.preferred for s in specs]) < 0.6


def test_the_same_seed_draws_the_same_citizens(
    mvj_district: District, fallback: TravelTimes
) -> None:
    one = generate_followups(mvj_district, fallback, 7, np.random.default_rng(9))
    two = generate_followups(mvj_district, fallback, 7, np.random.default_rng(9))
    assert one == two


def test_a_knock_on_the_door_reaches_the_citizen_as_often_as_in_the_seed(
    mvj_district: District, fallback: TravelTimes
) -> None:
    settings = FollowUpSettings()
    specs = generate_followups(mvj_district, fallback, 200, np.random.default_rng(5))
    first = [door_outcome(s, 1, settings) for s in specs]
    reached = np.mean([outcome is AttemptOutcome.REACHED for outcome, _ in first])
    assert reached == pytest.approx(960 / 1178, abs=0.05)
    assert all(left is not None for outcome, left in first if outcome is AttemptOutcome.NOT_HOME)


def test_no_stream_when_switched_off(mvj_district: District, fallback: TravelTimes) -> None:
    off = replace(mvj_district.scenario.followups, enabled=False)
    assert generate_followups(mvj_district, fallback, 7, np.random.default_rng(1), off) == []


def test_bad_settings_are_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match="followups.reached_per_attempt"):
        parse_followups({"reached_per_attempt": 1.5})
    with pytest.raises(InvalidInputError, match="followups.table"):
        parse_followups({"per_week": 3})
    parsed = parse_followups({"per_year": 100, "preferred_hours": ["sat 10:00-14:00"]})
    assert parsed.yearly(1.0) == 100
    assert parsed.preferred_hours[0].label() == "sat 10:00-14:00"
