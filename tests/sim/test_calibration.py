"""Calibration against the published 2017 figures, with the product's own travel layer.

Mean urgent response (received → first car on scene) under the ``none`` policy must land within
±15 % of the published mean for the district, and the urgent callout volume must match the
national count of measured urgent callouts apportioned to the district by population.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.sim.runner import district_for
from smartspot.sim.scenario import load_scenario
from smartspot.sim.simulation import simulate
from smartspot.sim.travel_setup import travel_for

DAYS = 21
NATIONAL_URGENT_2017 = 31_381  # measured urgent callouts, all districts but Københavns Politi
DENMARK_2017 = 5_748_769  # inhabitants (calibration_notes.md §2)
MEASURED_2017 = 4_984_874  # inhabitants outside Københavns Politi, where it is measured


def _fact(scope: str, metric: str, period: str) -> float:
    with (DATA_DIR / "calibration_facts.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row["scope"], row["metric"], row["period"]) == (scope, metric, period):
                return float(row["value"])
    raise LookupError(f"{scope} {metric} {period}")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "population_period"),
    [("midt_vestjylland", "c. 2016"), ("oestjylland", '2018 ("over 580.000")')],
)
def test_none_policy_matches_published_response_time_and_volume(
    folder: str, population_period: str
) -> None:
    scenario = load_scenario(SCENARIOS_DIR / folder / "scenario.toml")
    published = _fact(scenario.politikreds, "mean_response_time", "2017")
    population = _fact(scenario.politikreds, "population", population_period)
    # volume: between the count apportioned over all of Denmark and over the measured part
    low = NATIONAL_URGENT_2017 * population / DENMARK_2017
    high = NATIONAL_URGENT_2017 * population / MEASURED_2017
    assert low * 0.99 <= scenario.callouts.urgent_per_year <= high * 1.01

    district = district_for(scenario, with_hotspots=False)
    records = simulate(district, travel_for(scenario), policy="none", days=DAYS, seed=1)
    assert records.unanswered == ()
    urgent = [c.response_s for c in records.calls if c.urgent]
    expected = scenario.callouts.urgent_per_year * DAYS / 365.25
    assert abs(len(urgent) - expected) < 3 * np.sqrt(expected)
    mean = float(np.mean(urgent))
    assert abs(mean - published) <= 0.15 * published, f"{mean:.0f} s against {published:.0f} s"


@pytest.mark.parametrize("folder", ["midt_vestjylland", "oestjylland"])
def test_blue_light_factor_is_the_published_one(folder: str) -> None:
    scenario = load_scenario(SCENARIOS_DIR / folder / "scenario.toml")
    published = _fact(
        "USA (rural Minnesota EMS)", "lights_and_siren_speedup", "1998-2000 (67 runs)"
    )
    assert scenario.dispatch.urgent_speedup == pytest.approx(published)
