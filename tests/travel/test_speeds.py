from __future__ import annotations

import pytest

from smartspot.travel.speeds import (
    DEFAULT_SPEED_KMH,
    oneway_direction,
    parse_duration_s,
    parse_maxspeed,
    way_speed_kmh,
)


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        ("DK:urban", 50.0),
        ("dk:rural", 80.0),
        ("DK:motorway", 130.0),
        ("50 mph", pytest.approx(80.47, abs=0.01)),
        ("30 km/h", 30.0),
        ("60;80", 60.0),
        ("none", 130.0),
        (" 70 ", 70.0),
    ],
)
def test_maxspeed_understands_numbers_units_and_danish_zones(value: str, kmh: float) -> None:
    assert parse_maxspeed(value) == kmh


@pytest.mark.parametrize("value", [None, "", "signals", "DK:unknown_zone", "-5", "fast"])
def test_maxspeed_it_cannot_read_is_none(value: str | None) -> None:
    assert parse_maxspeed(value) is None


def test_class_default_applies_without_maxspeed() -> None:
    assert way_speed_kmh({"highway": "residential"}) == DEFAULT_SPEED_KMH["residential"]
    assert way_speed_kmh({"highway": "motorway"}) == DEFAULT_SPEED_KMH["motorway"]


def test_maxspeed_caps_the_class_speed() -> None:
    assert way_speed_kmh({"highway": "primary", "maxspeed": "50"}) == 50.0
    assert way_speed_kmh({"highway": "motorway", "maxspeed": "110"}) == 110.0


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway"},
        {"highway": "path"},
        {"highway": "track", "motor_vehicle": "no"},
        {"highway": "cycleway"},
        {"building": "yes"},
        {"highway": "service", "access": "private"},
        {"highway": "residential", "motor_vehicle": "no"},
    ],
)
def test_ways_a_car_may_not_drive_have_no_speed(tags: dict[str, str]) -> None:
    assert way_speed_kmh(tags) is None


def test_a_signed_limit_is_driven_at_the_limit() -> None:
    # Valhalla drives a rural road signed 80 at 80, not at a share of it
    assert way_speed_kmh({"highway": "unclassified", "maxspeed": "80"}) == 80.0
    assert way_speed_kmh({"highway": "tertiary", "maxspeed": "DK:rural"}) == 80.0


@pytest.mark.parametrize(
    ("tags", "kmh"),
    [
        ({"highway": "unclassified"}, 40.0),
        ({"highway": "residential"}, 35.0),
        ({"highway": "residential", "surface": "unpaved"}, 17.5),
        ({"highway": "unclassified", "surface": "gravel"}, 20.0),
        ({"highway": "residential", "tracktype": "grade3"}, 17.5),
        ({"highway": "residential", "surface": "asphalt"}, 35.0),
        ({"highway": "unclassified", "surface": "ground", "maxspeed": "80"}, 70.0),
        ({"highway": "service", "service": "driveway"}, 10.0),
    ],
)
def test_class_and_surface_speeds_follow_valhalla(tags: dict[str, str], kmh: float) -> None:
    assert way_speed_kmh(tags) == kmh


def test_tracks_are_drivable_slowly_as_valhalla_drives_them() -> None:
    assert way_speed_kmh({"highway": "track", "tracktype": "grade1"}) == 15.0
    assert way_speed_kmh({"highway": "track", "tracktype": "grade3"}) == 6.0
    assert way_speed_kmh({"highway": "track"}) == 2.0  # no tracktype: the worst is assumed


def test_specific_access_tag_overrides_general_one() -> None:
    assert way_speed_kmh({"highway": "service", "access": "no", "motorcar": "yes"}) is not None


@pytest.mark.parametrize(
    ("tags", "direction"),
    [
        ({"oneway": "yes"}, 1),
        ({"oneway": "true"}, 1),
        ({"oneway": "1"}, 1),
        ({"oneway": "-1"}, -1),
        ({"junction": "roundabout"}, 1),
        ({"highway": "motorway"}, 1),
        ({"highway": "motorway", "oneway": "no"}, 0),
        ({"highway": "residential"}, 0),
    ],
)
def test_oneway_rules(tags: dict[str, str], direction: int) -> None:
    assert oneway_direction(tags) == direction


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("1:00", 3600.0), ("01:15", 4500.0), ("2:45", 9900.0), ("00:05:30", 330.0), ("45", 2700.0)],
)
def test_ferry_duration_formats(value: str, seconds: float) -> None:
    assert parse_duration_s(value) == seconds


def test_iso_duration() -> None:
    assert parse_duration_s("PT1H15M") == 4500.0
    assert parse_duration_s("soon") is None
