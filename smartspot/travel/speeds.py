"""Which OSM ways a car drives on, how fast, and in which direction. The one speed table.

Danish general limits (Færdselsloven §42–43): 50 km/h in built-up areas (``DK:urban``), 80 km/h
outside (``DK:rural``), 130 km/h on motorways (``DK:motorway``; many stretches are signed 110).

A way with a ``maxspeed`` tag is driven at that limit, as established engines do (Valhalla 3.9
drives a rural road signed 80 at 80, and the measured Aarhus routes confirm that main roads run
at about their limit off-peak). A way without one gets the default of its class below, which
follows Valhalla's defaults (unclassified 40, residential 35, service 25; driveways and parking
aisles 10). Unpaved surfaces (``surface=gravel|ground|dirt|unpaved|…`` or a ``tracktype`` of
grade2–5) halve the class default and cap a signed limit at :data:`UNPAVED_CAP_KMH`.
``highway=track`` is drivable at a low speed by ``tracktype`` (farm tracks are often the only
way to a house), never faster than :data:`TRACK_SPEED_KMH` gives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Default free-flow speed (km/h) by ``highway`` class when ``maxspeed`` is missing.
#: Only these classes (and ``track``) are drivable; path, footway, cycleway, steps are not.
DEFAULT_SPEED_KMH: Mapping[str, float] = {
    "motorway": 110.0,  # 130 signed on most Danish motorway, 110 near cities: usually tagged
    "motorway_link": 60.0,
    "trunk": 90.0,  # motortrafikvej
    "trunk_link": 50.0,
    "primary": 75.0,
    "primary_link": 50.0,
    "secondary": 60.0,
    "secondary_link": 45.0,
    "tertiary": 50.0,
    "tertiary_link": 40.0,
    "unclassified": 40.0,  # small rural roads, untagged: Valhalla's 40
    "road": 40.0,
    "residential": 35.0,  # built-up 50, minus junctions and parked cars (Valhalla 35)
    "living_street": 15.0,  # opholds- og legeområde: 15 km/h by law
    "service": 25.0,
}

#: ``service=*`` values that are driven at walking-plus pace (private access, car parks).
SLOW_SERVICE_KMH: Mapping[str, float] = {
    "driveway": 10.0,
    "parking_aisle": 10.0,
    "drive-through": 10.0,
}

#: ``highway=track`` speed by ``tracktype`` (grade1 is paved or heavily compacted), as Valhalla
#: 3.9 drives them: a farm track is a last resort, taken only to reach a place nothing else
#: reaches.
TRACK_SPEED_KMH: Mapping[str, float] = {
    "grade1": 15.0,
    "grade2": 7.0,
    "grade3": 6.0,
    "grade4": 5.0,
    "grade5": 2.0,
}
TRACK_DEFAULT_KMH = 2.0  # no tracktype: Valhalla assumes the worst

#: ``surface`` values a car drives slowly on (OSM wiki, "Key:surface", unpaved group).
UNPAVED_SURFACES = frozenset(
    {
        "unpaved",
        "compacted",
        "fine_gravel",
        "gravel",
        "pebblestone",
        "rock",
        "ground",
        "dirt",
        "earth",
        "grass",
        "grass_paver",
        "mud",
        "sand",
        "woodchips",
        "shells",
    }
)
UNPAVED_FACTOR = 0.5  # Valhalla: residential 35 → 17, unclassified 40 → 20, service 25 → 12
UNPAVED_CAP_KMH = 70.0  # a signed 80 on a gravel road is not held (Valhalla: 70)

#: What the ``DK:…`` (and generic) zone values of ``maxspeed`` mean in km/h.
ZONE_SPEED_KMH: Mapping[str, float] = {
    "dk:urban": 50.0,
    "dk:rural": 80.0,
    "dk:motorway": 130.0,
    "dk:living_street": 15.0,
    "walk": 7.0,
    "living_street": 15.0,
}

#: Never route faster than the zone would allow a real car to hold on average.
MAX_SPEED_KMH = 130.0
MIN_SPEED_KMH = 5.0

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)
_MPH = 1.609344
_KNOT = 1.852

ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
ONEWAY_BACKWARD = frozenset({"-1", "reverse"})


def parse_maxspeed(value: str | None) -> float | None:
    """``maxspeed`` in km/h, or ``None`` when missing or not understood.

    Understands plain numbers (``"50"``), units (``"50 mph"``, ``"30 km/h"``), zone values
    (``"DK:urban"``, ``"DK:rural"``, ``"DK:motorway"``), ``"none"`` (the motorway limit) and
    multiple values separated by ``;`` (the lowest is taken: the conservative choice).
    """
    if value is None:
        return None
    text = value.strip().lower()
    if not text:
        return None
    if ";" in text:
        parts = [parse_maxspeed(part) for part in text.split(";")]
        known = [p for p in parts if p is not None]
        return min(known) if known else None
    if text in ZONE_SPEED_KMH:
        return ZONE_SPEED_KMH[text]
    if text == "none":
        return MAX_SPEED_KMH
    if text.startswith("dk:"):
        return None  # an unknown zone: fall back to the class default
    match = _NUMBER.match(text)
    if match is None:
        return None
    number = float(match.group(1))
    unit = (match.group(2) or "km/h").lower()
    if unit == "mph":
        number *= _MPH
    elif unit == "knots":
        number *= _KNOT
    return number if number > 0 else None


def way_speed_kmh(tags: Mapping[str, str]) -> float | None:
    """Free-flow speed of a way in km/h, or ``None`` if a car may not drive it.

    ``maxspeed`` wins over the class default (never above :data:`MAX_SPEED_KMH`); an unpaved
    surface halves the default and caps a limit at :data:`UNPAVED_CAP_KMH`; an explicit
    ``motor_vehicle``/``motorcar``/``vehicle``/``access`` = ``no`` makes the way undrivable.
    """
    highway = tags.get("highway", "")
    if highway not in DEFAULT_SPEED_KMH and highway != "track":
        return None
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        if tags.get(key) in ("no", "private"):
            # emergency vehicles may use private roads, but a detour is not an emergency
            return None
        if key in tags and tags[key] not in ("no", "private"):
            break  # the most specific access tag present decides
    limit = parse_maxspeed(tags.get("maxspeed"))
    if highway == "track":
        speed = TRACK_SPEED_KMH.get(tags.get("tracktype", ""), TRACK_DEFAULT_KMH)
        return float(min(speed, limit or speed))
    default = SLOW_SERVICE_KMH.get(tags.get("service", ""), DEFAULT_SPEED_KMH[highway])
    if _unpaved(tags):
        speed = UNPAVED_FACTOR * default if limit is None else min(limit, UNPAVED_CAP_KMH)
    else:
        speed = default if limit is None else limit
    return float(min(max(speed, MIN_SPEED_KMH), MAX_SPEED_KMH))


def _unpaved(tags: Mapping[str, str]) -> bool:
    surface = tags.get("surface", "").strip().lower()
    if surface:
        return surface in UNPAVED_SURFACES
    return tags.get("tracktype", "grade1") != "grade1"


def oneway_direction(tags: Mapping[str, str]) -> int:
    """``1`` one-way along the way, ``-1`` against it, ``0`` both ways.

    Roundabouts and motorways are one-way unless tagged ``oneway=no``.
    """
    value = tags.get("oneway", "").strip().lower()
    if value in ONEWAY_FORWARD:
        return 1
    if value in ONEWAY_BACKWARD:
        return -1
    if value == "no":
        return 0
    if tags.get("junction") in ("roundabout", "circular"):
        return 1
    if tags.get("highway") in ("motorway", "motorway_link"):
        return 1
    return 0


def parse_duration_s(value: str | None) -> float | None:
    """An OSM ``duration`` (``"1:15"``, ``"01:15:00"``, ``"45"`` minutes, ISO ``PT1H15M``)."""
    if value is None:
        return None
    text = value.strip().upper()
    iso = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    if iso and any(iso.groups()):
        h, m, s = (int(g) if g else 0 for g in iso.groups())
        return float(h * 3600 + m * 60 + s)
    parts = text.split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if len(numbers) == 1:
        return numbers[0] * 60.0
    if len(numbers) == 2:
        return numbers[0] * 3600.0 + numbers[1] * 60.0
    if len(numbers) == 3:
        return numbers[0] * 3600.0 + numbers[1] * 60.0 + numbers[2]
    return None
