"""Which OSM ways a car drives on, how fast, and in which direction. The one speed table.

Danish general limits (Færdselsloven §42–43): 50 km/h in built-up areas (``DK:urban``), 80 km/h
outside (``DK:rural``), 130 km/h on motorways (``DK:motorway``; many stretches are signed 110).
A way without a ``maxspeed`` tag gets the default of its class below. Classes that normally run
through towns (residential, living_street, service) get the built-up limit, and the high
classes the rural or motorway limit; the figures are *free-flow* speeds a patrol car can hold,
so small roads sit below the legal limit where traffic, junctions and curves slow real driving.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Default free-flow speed (km/h) by ``highway`` class when ``maxspeed`` is missing.
#: Only these classes are drivable; track, path, footway, cycleway, steps, pedestrian are not.
DEFAULT_SPEED_KMH: Mapping[str, float] = {
    "motorway": 120.0,  # 130 signed on most Danish motorway, 110 near cities
    "motorway_link": 60.0,
    "trunk": 80.0,  # motortrafikvej: 80 (some 90)
    "trunk_link": 50.0,
    "primary": 80.0,  # rural general limit
    "primary_link": 50.0,
    "secondary": 80.0,
    "secondary_link": 50.0,
    "tertiary": 70.0,
    "tertiary_link": 40.0,
    "unclassified": 60.0,  # small rural roads: 80 signed, rarely held
    "road": 50.0,
    "residential": 40.0,  # built-up 50, minus junctions and parked cars
    "living_street": 15.0,  # opholds- og legeområde: 15 km/h by law
    "service": 25.0,
}

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

    ``maxspeed`` wins over the class default, but never exceeds :data:`MAX_SPEED_KMH`; an
    explicit ``motor_vehicle``/``motorcar``/``vehicle``/``access`` = ``no`` makes it undrivable.
    """
    highway = tags.get("highway", "")
    if highway not in DEFAULT_SPEED_KMH:
        return None
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        if tags.get(key) in ("no", "private"):
            # emergency vehicles may use private roads, but a detour is not an emergency
            return None
        if key in tags and tags[key] not in ("no", "private"):
            break  # the most specific access tag present decides
    limit = parse_maxspeed(tags.get("maxspeed"))
    default = DEFAULT_SPEED_KMH[highway]
    # A legal limit is an upper bound; on small roads real speeds stay near the class default.
    speed = default if limit is None else min(limit, max(default, 0.85 * limit))
    return float(min(max(speed, MIN_SPEED_KMH), MAX_SPEED_KMH))


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
