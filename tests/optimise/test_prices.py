"""A district's hotspots priced at once give what one ``value_of`` a hotspot gives: the same
values to the last bit, the same random draws, the same reason for the ones of no value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smartspot.domain import Category
from smartspot.optimise.build import ZERO_VALUE_REASONS
from smartspot.optimise.prices import Situations, Valuations, jitters, values, zero_reason
from smartspot.optimise.value import ValueSettings, value_of
from smartspot.reasons import Reason


def _situations(n: int, seed: int) -> Situations:
    rng = np.random.default_rng(seed)
    categories = list(Category)
    per_week = [float(rng.choice([0.5, 1.0, 2.0, 3.5, 7.0])) for _ in range(n)]
    return Situations(
        priority=[int(rng.integers(1, 6)) for _ in range(n)],
        category=[categories[int(rng.integers(len(categories)))] for _ in range(n)],
        visits_per_week=per_week,
        visits_last_week=[int(rng.integers(0, 5)) for _ in range(n)],
        # never visited, inside the 120-min cool-down, or long ago
        since_last_visit_s=[
            None if rng.random() < 0.2 else float(rng.choice([600.0, 7199.0, 7200.0, 9e4, 9e5]))
            for _ in range(n)
        ],
        active_now=[bool(rng.random() < 0.5) for _ in range(n)],
        opens_in_s=[None if rng.random() < 0.4 else float(rng.integers(0, 7200)) for _ in range(n)],
        station_round_trip_s=[
            math.nan if rng.random() < 0.1 else float(rng.integers(0, 12000)) for _ in range(n)
        ],
        visits_this_week=[int(rng.integers(0, 8)) for _ in range(n)],
        week_elapsed=float(rng.random()),
        labels=[f"window {k}" for k in range(n)],
    )


SETTINGS = (
    ValueSettings(),
    ValueSettings(jitter=0),
    ValueSettings(short_only=True, need_served=0.0),
    ValueSettings(cooldown_min=30, soon_min=90, outlying_min=5, need_late=3.5),
)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("settings", SETTINGS)
def test_values_at_once_are_value_of_to_the_last_bit(seed: int, settings: ValueSettings) -> None:
    s = _situations(400, seed)
    drawn = np.random.default_rng(seed + 10)
    jitter = jitters(len(s), settings, drawn)
    value, *_ = values(s, settings, jitter)
    one_by_one = np.random.default_rng(seed + 10)
    expected = [value_of(s.situation(i), settings, one_by_one).value for i in range(len(s))]
    assert value.tolist() == expected  # exactly, not approximately
    assert (value == 0).any() and (value > 0).any()
    # the generator is left where the single draws leave it (follow-ups draw next)
    assert drawn.random() == one_by_one.random()


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("settings", SETTINGS)
def test_a_hotspot_of_no_value_is_left_out_for_the_reason_value_of_gives_first(
    seed: int, settings: ValueSettings
) -> None:
    s = _situations(400, seed)
    jitter = jitters(len(s), settings, None)
    value, cooling, served, inactive = values(s, settings, jitter)
    codes = set()
    for i in np.flatnonzero(value <= 0).tolist():
        full = value_of(s.situation(i), settings, window_label=s.labels[i])
        expected = next(
            (r for r in full.reasons if r.code in ZERO_VALUE_REASONS), Reason("not_active")
        )
        got = zero_reason(s, i, bool(cooling[i]), bool(served[i]), bool(inactive[i]))
        assert got == expected
        codes.add(got.code)
    assert {"cooldown", "not_active_now"} <= codes


def test_a_valuation_is_made_when_read_with_its_reasons_and_the_jitter_drawn_for_it() -> None:
    s = _situations(50, 4)
    settings = ValueSettings()
    ids = [f"HS-{k}" for k in range(len(s))]
    jitter = jitters(len(s), settings, np.random.default_rng(5))
    extra = value_of(s.situation(0), settings)
    priced = Valuations(ids, s, settings, jitter, {"FU-1": extra})
    assert len(priced) == 51 and list(priced)[-1] == "FU-1" and priced["FU-1"] is extra
    one_by_one = np.random.default_rng(5)
    for i, hotspot in enumerate(ids):
        expected = value_of(s.situation(i), settings, one_by_one, window_label=s.labels[i])
        assert priced[hotspot] == expected  # value, factors and every reason
        assert priced[hotspot] is priced[hotspot]  # made once
    with pytest.raises(KeyError):
        priced["HS-unknown"]
