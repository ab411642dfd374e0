from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.geo.regions import Regions
from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.sim.district import build_district
from smartspot.sim.scenario import load_scenario, parse_scenario

BUNDLED = ("midt_vestjylland", "oestjylland")


def _raw(name: str = "midt_vestjylland") -> dict[str, Any]:
    data = tomllib.loads((SCENARIOS_DIR / name / "scenario.toml").read_text(encoding="utf-8"))
    data["policy"] = str(SCENARIOS_DIR / name / "policy.toml")
    return data


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenarios_load_with_their_stations(name: str, regions: Regions) -> None:
    scenario = load_scenario(SCENARIOS_DIR / name / "scenario.toml")
    district = build_district(scenario, regions, DATA_DIR, with_hotspots=False)
    assert all(s.location.politikreds == scenario.politikreds for s in district.stations)
    assert scenario.hotspots_path == SCENARIOS_DIR / name / "hotspots.geojson"
    assert 0 < scenario.callouts.urgent_share < 1


@pytest.mark.parametrize("name", BUNDLED)
def test_a_scenario_plans_with_its_districts_policy_file(name: str) -> None:
    from smartspot.live.policy import load_policy

    scenario = load_scenario(SCENARIOS_DIR / name / "scenario.toml")
    assert scenario.policy == load_policy(SCENARIOS_DIR / name / "policy.toml")
    assert scenario.policy.politikreds == scenario.politikreds


def test_shift_at_wraps_past_midnight() -> None:
    scenario = parse_scenario(_raw())
    from datetime import datetime

    assert scenario.shift_at(datetime(2026, 3, 2, 3, 0)) == "night"
    assert scenario.shift_at(datetime(2026, 3, 2, 7, 0)) == "day"
    assert scenario.shift_at(datetime(2026, 3, 2, 16, 30)) == "evening"
    assert scenario.shift_at(datetime(2026, 3, 2, 23, 30)) == "night"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["callouts"].update(hourly=[1.0] * 23), "callouts.hourly.*24"),
        (lambda d: d["callouts"].update(rural_share=1.5), "rural_share"),
        (lambda d: d["callouts"].pop("urgent_per_year"), "urgent_per_year.*number"),
        (
            lambda d: d["stations"][0].update(cars={"day": -1, "evening": 1, "night": 1}),
            "cars in the day shift",
        ),
        (lambda d: d["stations"][0].update(cars={"day": 1}), "exactly day, evening and night"),
        (lambda d: d["dispatch"].update(handling_s=[120, 60]), "handling_s"),
        (lambda d: d["smartspot"].update(acceptance_rate=2), "acceptance_rate"),
        (lambda d: d["smartspot"].update(detour_budget_min=20), "belong in the district's policy"),
        (lambda d: d["shifts"].update(day="06:00"), "policy's shift_starts"),
        (lambda d: d.update(start="next tuesday"), "start.*ISO"),
        (
            lambda d: d["callouts"].update(urgent_on_scene={"median_min": 50, "p90_min": 20}),
            "median < p90",
        ),
        (lambda d: d.update(stations=d["stations"] + d["stations"][:1]), "listed twice"),
    ],
)
def test_broken_scenarios_are_refused_with_the_key_named(change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _raw()
    change(data)
    with pytest.raises(InvalidInputError, match=message):
        parse_scenario(data)


def test_no_car_in_a_shift_is_refused() -> None:
    data = _raw()
    for station in data["stations"]:
        station["cars"]["night"] = 0
    with pytest.raises(InvalidInputError, match="no car at all in the night shift"):
        parse_scenario(data)


def test_unknown_station_and_foreign_station_are_refused(regions: Regions) -> None:
    data = _raw()
    data["stations"][0]["id"] = "st99"
    with pytest.raises(NotFoundError, match="st99"):
        build_district(parse_scenario(data), regions, DATA_DIR, with_hotspots=False)
    data["stations"][0]["id"] = "st12"  # Aarhus, in Østjylland
    with pytest.raises(InvalidInputError, match="lies in Østjyllands Politi"):
        build_district(parse_scenario(data), regions, DATA_DIR, with_hotspots=False)


def test_missing_and_malformed_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no scenario file"):
        load_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        load_scenario(bad)
