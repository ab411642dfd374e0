from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from smartspot.domain import Category
from smartspot.errors import InvalidInputError
from smartspot.optimise.value import DEFAULT_HARM, Situation, ValueSettings, value_of
from smartspot.reasons import joined

NO_JITTER = ValueSettings(jitter=0)
BASE = Situation(
    priority=3,
    category=Category.YOUTH_NUISANCE,
    visits_per_week=2,
    visits_last_week=2,
    since_last_visit_s=2 * 86400,
    active_now=True,
    opens_in_s=None,
    station_round_trip_s=10 * 60,
)


def test_remote_hotspot_outranks_an_otherwise_equal_town_hotspot() -> None:
    town = value_of(BASE, NO_JITTER)
    remote = value_of(replace(BASE, station_round_trip_s=76 * 60), NO_JITTER)
    assert remote.value > 1.5 * town.value
    assert remote.reasons[1].text() == "remote: nearest station 38 min"


def test_value_is_priority_times_harm_weight() -> None:
    burglary = value_of(replace(BASE, category=Category.BURGLARY_AREA), NO_JITTER)
    nuisance = value_of(BASE, NO_JITTER)
    assert burglary.value / nuisance.value == pytest.approx(
        DEFAULT_HARM[Category.BURGLARY_AREA] / DEFAULT_HARM[Category.YOUTH_NUISANCE]
    )
    assert value_of(replace(BASE, priority=5), NO_JITTER).value == pytest.approx(
        nuisance.value * 5 / 3
    )


def test_nothing_during_the_cool_down_after_a_visit() -> None:
    just_visited = value_of(replace(BASE, since_last_visit_s=119 * 60), NO_JITTER)
    assert just_visited.value == 0
    assert "cool-down: visited 119 min ago" in joined(just_visited.reasons)
    assert value_of(replace(BASE, since_last_visit_s=121 * 60), NO_JITTER).value > 0
    shorter = ValueSettings(jitter=0, cooldown_min=60)
    assert value_of(replace(BASE, since_last_visit_s=61 * 60), shorter).value > 0


def test_need_grows_when_behind_and_when_long_unvisited() -> None:
    on_track = value_of(BASE, NO_JITTER)
    behind = value_of(replace(BASE, visits_last_week=0), NO_JITTER)
    stale = value_of(replace(BASE, since_last_visit_s=9 * 86400, visits_last_week=0), NO_JITTER)
    assert on_track.value < behind.value < stale.value
    assert "not visited for 9 days" in joined(stale.reasons)
    never = value_of(replace(BASE, since_last_visit_s=None), NO_JITTER)
    assert "never visited" in joined(never.reasons)


def test_activity_full_inside_reduced_shortly_before_zero_outside() -> None:
    inside = value_of(BASE, NO_JITTER).value
    soon = value_of(replace(BASE, active_now=False, opens_in_s=20 * 60), NO_JITTER).value
    later = value_of(replace(BASE, active_now=False, opens_in_s=3 * 3600), NO_JITTER).value
    never = value_of(replace(BASE, active_now=False, opens_in_s=None), NO_JITTER).value
    assert soon == pytest.approx(inside * NO_JITTER.soon_factor)
    assert later == 0 and never == 0


def test_jitter_is_seeded_small_and_off_when_zero() -> None:
    plain = value_of(BASE, NO_JITTER).value
    a = value_of(BASE, ValueSettings(), np.random.default_rng(7)).value
    b = value_of(BASE, ValueSettings(), np.random.default_rng(7)).value
    c = value_of(BASE, ValueSettings(), np.random.default_rng(8)).value
    assert a == b != c
    assert abs(a / plain - 1) <= 0.1
    assert value_of(BASE, NO_JITTER, np.random.default_rng(7)).value == plain


def test_unreachable_from_every_station_counts_as_most_remote() -> None:
    cut_off = value_of(replace(BASE, station_round_trip_s=math.nan), NO_JITTER)
    assert cut_off.opportunity == 1 + NO_JITTER.opportunity_cap_hours
    assert "no station reaches it" in cut_off.reasons[1].text()


@pytest.mark.parametrize(
    "changes",
    [{"cooldown_min": -1}, {"jitter": 1.0}, {"soon_factor": 2}, {"harm": {Category.OTHER: 1.0}}],
)
def test_bad_settings_are_refused(changes: dict) -> None:
    with pytest.raises(InvalidInputError):
        ValueSettings(**changes)


def test_behind_schedule_weighs_more_late_in_the_week_and_more_when_outlying() -> None:
    behind = replace(BASE, visits_this_week=0, since_last_visit_s=8 * 86400)
    monday = value_of(replace(behind, week_elapsed=0.05), NO_JITTER)
    saturday = value_of(replace(behind, week_elapsed=0.8), NO_JITTER)
    assert saturday.need == pytest.approx(monday.need + NO_JITTER.need_late * 0.75)
    far = replace(behind, week_elapsed=0.8, station_round_trip_s=50 * 60)  # 25 min each way
    outlying = value_of(far, NO_JITTER)
    assert outlying.need == pytest.approx(saturday.need + 2.0 * 0.8 * NO_JITTER.need_outlying)
    assert "2 of 2 visits still missing this week, 34 h left" in joined(saturday.reasons)
    assert joined(outlying.reasons).count("outlying and behind") == 1
    assert "missing" not in joined(monday.reasons)  # early in the week: not yet behind
    served = value_of(replace(BASE, visits_this_week=2, week_elapsed=0.8), NO_JITTER)
    assert served.need == pytest.approx(NO_JITTER.need_served + 0.5 * 2 / 3.5)
    assert "this week's visits made (2 of 2)" in joined(served.reasons)


def test_short_only_leaves_a_hotspot_whose_weeks_visits_are_made_worth_nothing() -> None:
    served = replace(BASE, visits_this_week=2, week_elapsed=0.6)
    short = replace(BASE, visits_this_week=1, week_elapsed=0.6)
    idle = replace(NO_JITTER, short_only=True)
    assert value_of(served, NO_JITTER).value > 0  # a passing car may still look in
    worthless = value_of(served, idle)
    assert worthless.value == 0 and worthless.need == 0
    assert "week_served" in [r.code for r in worthless.reasons]
    assert value_of(short, idle).value == value_of(short, NO_JITTER).value > 0
