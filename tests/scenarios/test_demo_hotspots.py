"""The demo districts' hotspots and stations: every feature is one the product accepts, in the
right place, and the places the source documents name are all there."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from datetime import date, datetime, time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, shape

from smartspot.domain import Category, HandlingInstruction, Source
from smartspot.drafts import draft_properties, parse_properties
from smartspot.geo.regions import Regions
from smartspot.geo.validate import check_hotspot_geometry
from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.windows import LOCAL_TZ, ActiveWindow, is_active
from tests.conftest import metric_point

DISTRICTS = {
    "midt_vestjylland": ("Midt- og Vestjyllands Politi", "DEMO-MV-"),
    "oestjylland": ("Østjyllands Politi", "DEMO-OJ-"),
}
CONTRACT_KEYS = {
    "id",
    "title",
    "category",
    "description",
    "instruction",
    "steps",
    "minutes_on_site",
    "priority",
    "windows",
    "valid_from",
    "valid_to",
    "visits_per_week",
    "source",
    "source_ref",
    "demo",
}
COAST_TOLERANCE_M = 300.0


def load_features(folder: str) -> list[dict[str, Any]]:
    with (SCENARIOS_DIR / folder / "hotspots.geojson").open(encoding="utf-8") as handle:
        collection = json.load(handle)
    assert collection["type"] == "FeatureCollection"
    assert collection["demo"] is True
    return list(collection["features"])


def all_features() -> list[tuple[str, dict[str, Any]]]:
    return [(folder, item) for folder in DISTRICTS for item in load_features(folder)]


def feature_id(value: Any) -> str:
    if isinstance(value, dict) and "id" in value:
        return str(value["id"])
    return str(value)


def kommune_of(item: dict[str, Any], regions: Regions) -> str:
    return regions.locate(check_hotspot_geometry(shape(item["geometry"]))).kommune.kode


@pytest.mark.parametrize(("folder", "item"), all_features(), ids=feature_id)
def test_every_feature_is_a_valid_hotspot_in_its_district(
    folder: str, item: dict[str, Any], regions: Regions
) -> None:
    politikreds, prefix = DISTRICTS[folder]
    props = item["properties"]
    assert item["type"] == "Feature"
    assert set(props) == CONTRACT_KEYS
    assert props["demo"] is True
    assert props["id"] == item["id"]
    assert props["id"].startswith(prefix)
    assert props["source_ref"].startswith(props["id"])

    wgs84 = shape(item["geometry"])
    assert isinstance(wgs84, Point | Polygon)
    if isinstance(wgs84, Polygon):
        assert wgs84.exterior.is_ccw, "RFC 7946: exterior rings counter-clockwise"
    metric = check_hotspot_geometry(wgs84)  # valid, in Denmark, ≤ 25 km²
    placement = regions.locate(metric)
    assert placement.kommune.politikreds == politikreds
    # every vertex on land (or on a quay just off the generalised coastline) in the same kommune
    for x, y in shapely.get_coordinates(metric):
        vertex = regions.locate(Point(x, y))
        assert vertex.kommune == placement.kommune
        assert vertex.snapped_m <= COAST_TOLERANCE_M

    Category(props["category"])
    Source(props["source"])
    instruction = HandlingInstruction(
        props["instruction"], tuple(props["steps"]), props["minutes_on_site"]
    )
    assert 2 <= len(instruction.steps) <= 4
    assert 10 <= instruction.minutes_on_site <= 20
    assert isinstance(props["priority"], int)
    assert 1 <= props["priority"] <= 5
    assert 1 <= props["visits_per_week"] <= 7
    for text in props["windows"]:
        ActiveWindow.parse(text)
    valid_from = date.fromisoformat(props["valid_from"])
    assert valid_from == date(2026, 1, 1)
    if props["valid_to"] is not None:
        assert date.fromisoformat(props["valid_to"]) > valid_from
    assert props["title"].strip()
    assert props["description"].strip()


@pytest.mark.parametrize("folder", DISTRICTS)
def test_each_district_has_30_to_60_hotspots_with_unique_ids(folder: str) -> None:
    features = load_features(folder)
    assert 30 <= len(features) <= 60
    ids = [item["properties"]["id"] for item in features]
    refs = [item["properties"]["source_ref"] for item in features]
    assert len(set(ids)) == len(ids)
    assert len(set(refs)) == len(refs)


def test_ids_are_unique_across_both_districts() -> None:
    ids = [item["properties"]["id"] for _, item in all_features()]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("folder", DISTRICTS)
def test_every_kommune_of_the_district_has_a_hotspot(folder: str, regions: Regions) -> None:
    politikreds, _ = DISTRICTS[folder]
    found = {kommune_of(item, regions) for item in load_features(folder)}
    expected = {k.kode for k in regions.kommuner_in(politikreds)}
    assert found == expected


@pytest.mark.parametrize("folder", DISTRICTS)
def test_hotspots_mix_town_and_outlying_places(folder: str) -> None:
    from smartspot.outlying import is_outlying, station_round_trips
    from smartspot.sim.scenario import load_scenario
    from smartspot.sim.travel_setup import travel_for

    scenario = load_scenario(SCENARIOS_DIR / folder / "scenario.toml")
    stations = [metric_point(float(row["lon"]), float(row["lat"])) for row in read_stations(folder)]
    station_xy = np.array([[p.x, p.y] for p in stations])
    points, distances_km = [], []
    for item in load_features(folder):
        centre = check_hotspot_geometry(shape(item["geometry"])).representative_point()
        points.append([centre.x, centre.y])
        distances_km.append(np.min(np.hypot(*(station_xy - [centre.x, centre.y]).T)) / 1000)
    # outlying as the product computes it: by road from the nearest station, the policy's minutes
    trips = station_round_trips(travel_for(scenario), station_xy, np.array(points))
    outlying = is_outlying(trips, scenario.policy.outlying_min)
    assert outlying.sum() >= 0.15 * len(points), "outlying hotspots (a sixth or more)"
    assert sum(d <= 3 for d in distances_km) >= 10, "town hotspots (≤ 3 km from a station)"


@pytest.mark.parametrize("folder", DISTRICTS)
def test_every_category_and_source_is_used_and_priorities_spread(folder: str) -> None:
    props = [item["properties"] for item in load_features(folder)]
    assert {p["source"] for p in props} == {s.value for s in Source}
    assert {p["category"] for p in props} >= {
        "youth_nuisance",
        "mopeds_traffic",
        "speeding",
        "nightlife",
        "burglary_area",
        "drugs_near_school",
    }
    assert len({p["priority"] for p in props}) >= 3
    assert any(p["valid_to"] is not None for p in props)
    time_bound = {"nightlife", "speeding", "drugs_near_school", "youth_nuisance"}
    assert all(p["windows"] for p in props if p["category"] in time_bound)


@pytest.mark.parametrize(
    ("name", "kode"),
    [
        ("Sønderager/Brændgårdsparken", "0657"),
        ("Holtbjerg", "0657"),
        ("Trekanten", "0661"),
        ("Resedavej/Nørrevang II", "0740"),
    ],
)
def test_the_four_prevention_areas_are_small_polygons_in_their_town(
    name: str, kode: str, regions: Regions
) -> None:
    found = [
        item
        for item in load_features("midt_vestjylland")
        if f"Forebyggelsesområde {name}" in item["properties"]["title"]
    ]
    assert len(found) == 1
    metric = check_hotspot_geometry(shape(found[0]["geometry"]))
    assert isinstance(metric, Polygon)
    assert 0.05 <= metric.area / 1e6 <= 1.0  # a neighbourhood, a few hundred metres across
    assert regions.locate(metric).kommune.kode == kode


@pytest.mark.parametrize(
    ("title", "kode"), [("Aarhus centrum", "0751"), ("Randers centrum", "0730")]
)
def test_nightlife_zones_are_open_from_midnight_to_five(
    title: str, kode: str, regions: Regions
) -> None:
    found = [
        item
        for item in load_features("oestjylland")
        if item["properties"]["title"] == f"Nattelivszone {title}"
    ]
    assert len(found) == 1
    props = found[0]["properties"]
    assert props["category"] == "nightlife"
    assert kommune_of(found[0], regions) == kode
    windows = [ActiveWindow.parse(text) for text in props["windows"]]
    assert any(w.start == time(0, 0) and w.end == time(5, 0) for w in windows)
    # Friday night into Saturday and Saturday night into Sunday; not Saturday afternoon.
    assert is_active(windows, datetime(2026, 1, 10, 2, 30, tzinfo=LOCAL_TZ))
    assert is_active(windows, datetime(2026, 1, 11, 4, 30, tzinfo=LOCAL_TZ))
    assert not is_active(windows, datetime(2026, 1, 10, 5, 30, tzinfo=LOCAL_TZ))
    assert not is_active(windows, datetime(2026, 1, 10, 15, 0, tzinfo=LOCAL_TZ))


def test_the_camera_towns_each_have_a_camera_hotspot(regions: Regions) -> None:
    kommuner = {
        kommune_of(item, regions)
        for item in load_features("oestjylland")
        if "tryghedskamera" in item["properties"]["title"]
    }
    assert {"0751", "0730", "0727", "0707"} <= kommuner  # Aarhus, Randers, Odder, Grenaa


def test_samsoe_has_ballen_harbour_and_tranebjerg(regions: Regions) -> None:
    samsoe = [
        item["properties"]["title"]
        for item in load_features("oestjylland")
        if kommune_of(item, regions) == "0741"
    ]
    assert any("Ballen" in title for title in samsoe)
    assert any("Tranebjerg" in title for title in samsoe)


def read_stations(folder: str) -> list[dict[str, str]]:
    with (SCENARIOS_DIR / folder / "stations.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("folder", DISTRICTS)
def test_stations_are_the_districts_rows_with_coordinates(folder: str, regions: Regions) -> None:
    politikreds, _ = DISTRICTS[folder]
    with (DATA_DIR / "police_stations.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        source = [r for r in reader if r["politikreds_navn"] == politikreds]
        columns = reader.fieldnames
    rows = read_stations(folder)
    with (SCENARIOS_DIR / folder / "stations.csv").open(encoding="utf-8", newline="") as handle:
        assert csv.DictReader(handle).fieldnames == columns
    assert rows == [r for r in source if r["lat"] and r["lon"]]
    assert len(rows) >= 10
    for row in rows:
        placement = regions.locate(metric_point(float(row["lon"]), float(row["lat"])))
        assert placement.kommune.politikreds == politikreds
        assert placement.kommune.kode == row["kommunekode"]


def load_builder() -> ModuleType:
    path = Path(SCENARIOS_DIR / "build_demo.py")
    spec = importlib.util.spec_from_file_location("build_demo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("folder", DISTRICTS)
def test_committed_geojson_is_what_the_table_builds(
    folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    built = load_builder().build(folder, write=False)
    capsys.readouterr()
    assert json.loads(json.dumps(built)) == load_features(folder)


@pytest.mark.parametrize(("folder", "item"), all_features(), ids=feature_id)
def test_every_feature_reads_through_the_import_contract_unchanged(
    folder: str, item: dict[str, Any]
) -> None:
    props = item["properties"]
    draft, problems = parse_properties(props, today=date(2026, 1, 1))
    assert problems == []
    assert draft is not None
    back = draft_properties(draft)
    windows = back.pop("windows")
    assert back == {k: v for k, v in props.items() if k not in {"id", "demo", "windows"}}
    assert [ActiveWindow.parse(w) for w in windows] == [
        ActiveWindow.parse(w) for w in props["windows"]
    ]


#: Words that occur in almost any English text and are no Danish words ("to", "at", "for" and
#: "by" are Danish too).
ENGLISH_WORDS = {"the", "and", "with", "of", "are", "from", "when", "where", "which", "they", "on"}
DANISH_WORDS = {"og", "i", "på", "ved", "med", "til", "af", "er", "de", "for", "hvor", "om"}


@pytest.mark.parametrize(("folder", "item"), all_features(), ids=feature_id)
def test_descriptions_and_handling_instructions_are_danish(
    folder: str, item: dict[str, Any]
) -> None:
    props = item["properties"]
    for text in (props["description"], props["instruction"], *props["steps"]):
        words = {w.strip(".,;:()!?–").lower() for w in text.split()}
        assert not words & ENGLISH_WORDS, (text, words & ENGLISH_WORDS)
    prose = " ".join((props["description"], props["instruction"], *props["steps"])).lower()
    assert {w.strip(".,;:()!?–") for w in prose.split()} & DANISH_WORDS, prose
