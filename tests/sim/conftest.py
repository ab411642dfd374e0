"""Fixtures for the simulation tests: the real Midt- og Vestjylland scenario, a handful of
real-place hotspots, and a straight-line travel model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartspot.geo.regions import Regions
from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.sim.district import District, build_district
from smartspot.sim.scenario import Scenario, load_scenario
from smartspot.sim.travel_setup import travel_for
from smartspot.travel.port import TravelTimes
from tests.sim.straight import StraightLine

# (title, lon, lat, priority, windows): real places in Midt- og Vestjylland.
PLACES = (
    ("Trekanten, Holstebro", 8.6060, 56.3510, 4, []),
    ("Torvet, Herning", 8.9760, 56.1380, 3, ["fri,sat 20:00-04:00"]),
    ("Harboøre havn", 8.1870, 56.6170, 3, []),
    ("Thyborøn", 8.2120, 56.6980, 2, []),
    ("Hvide Sande", 8.1300, 56.0000, 3, []),
    ("Karup", 9.1680, 56.3060, 2, []),
    ("Fur", 9.0200, 56.8100, 2, []),
    ("Hanstholm", 8.6160, 57.1170, 4, []),
)


def hotspot_geojson() -> dict[str, object]:
    features = []
    for number, (title, lon, lat, priority, windows) in enumerate(PLACES, start=1):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": f"t{number}",
                    "title": title,
                    "category": "youth_nuisance",
                    "description": f"test hotspot at {title}",
                    "instruction": "drive through, talk to the group",
                    "minutes_on_site": 15,
                    "priority": priority,
                    "windows": windows,
                    "visits_per_week": 3,
                    "source": "analysis",
                    "valid_from": "2025-01-01",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@pytest.fixture(scope="session")
def hotspot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hotspots") / "hotspots.geojson"
    path.write_text(json.dumps(hotspot_geojson()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def mvj_scenario() -> Scenario:
    return load_scenario(SCENARIOS_DIR / "midt_vestjylland" / "scenario.toml")


@pytest.fixture(scope="session")
def mvj_district(mvj_scenario: Scenario, regions: Regions, hotspot_file: Path) -> District:
    import dataclasses

    scenario = dataclasses.replace(mvj_scenario, hotspots_path=hotspot_file)
    return build_district(scenario, regions, DATA_DIR)


@pytest.fixture(scope="session")
def straight() -> StraightLine:
    return StraightLine()


@pytest.fixture(scope="session")
def fallback(mvj_scenario: Scenario) -> TravelTimes:
    """The product's travel layer for Midt- og Vestjylland (the calibrated land fallback)."""
    return travel_for(mvj_scenario)
