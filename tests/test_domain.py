from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from shapely.geometry import Point

from smartspot.domain import (
    Callout,
    Category,
    HandlingInstruction,
    Hotspot,
    HotspotStatus,
    Location,
    Patrol,
    Source,
    Visit,
)
from smartspot.errors import InvalidInputError

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def make_hotspot(**changes: Any) -> Hotspot:
    hotspot = Hotspot(
        id="HS-000001",
        title="Trekanten: knallerter på stisystemet",
        category=Category.MOPEDS_TRAFFIC,
        description="Unge kører knallert på stierne om aftenen.",
        instruction=HandlingInstruction("Kør stisystemet, tal med gruppen.", ("Noter antal",)),
        priority=3,
        geometry=Point(477_000, 6_247_000),
        location=Location("0661", "Holstebro", "Midt- og Vestjyllands Politi"),
        source=Source.LOKALRAAD,
        valid_from=date(2026, 1, 1),
        created_by="analyst",
        created_at=NOW,
        updated_by="analyst",
        updated_at=NOW,
    )
    return replace(hotspot, **changes)


def test_defaults_follow_the_evidence() -> None:
    hotspot = make_hotspot()
    assert hotspot.instruction.minutes_on_site == 15
    assert hotspot.is_open and hotspot.version == 1


@pytest.mark.parametrize("priority", [0, 6, 2.5, True])
def test_priority_out_of_range_is_refused(priority: object) -> None:
    with pytest.raises(InvalidInputError, match="priority .* 1 \\(low\\) to 5 \\(high\\)"):
        make_hotspot(priority=priority)


def test_valid_to_before_valid_from_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="valid_to .* is before valid_from"):
        make_hotspot(valid_to=date(2025, 12, 31))


def test_valid_on_respects_both_ends() -> None:
    hotspot = make_hotspot(valid_to=date(2026, 6, 30))
    assert hotspot.valid_on(date(2026, 6, 30))
    assert not hotspot.valid_on(date(2026, 7, 1))
    assert not hotspot.valid_on(date(2025, 12, 31))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "title must not be empty"),
        ({"title": "x" * 201}, "at most 200"),
        ({"visits_per_week": 0}, "visits per week"),
        ({"status": HotspotStatus.CLOSED}, "needs a reason"),
        ({"created_at": datetime(2026, 1, 1)}, "timezone"),
        ({"geometry": Point()}, "non-empty Point or Polygon"),
        ({"category": "knife_crime"}, "not a valid Category"),
        ({"version": 0}, "version starts at 1"),
    ],
)
def test_broken_rules_are_refused_with_a_message(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_hotspot(**changes)


def test_minutes_on_site_must_be_sensible() -> None:
    with pytest.raises(InvalidInputError, match="1–120"):
        HandlingInstruction("Kør forbi", minutes_on_site=0)


def test_callout_times_must_run_forward_and_response_time_is_received_to_arrived() -> None:
    callout = Callout(
        "C1",
        urgent=True,
        position=Point(0, 0),
        received_at=NOW,
        dispatched_at=NOW.replace(minute=1),
        arrived_at=NOW.replace(minute=10, second=24),
    )
    assert callout.response_s == 624
    with pytest.raises(InvalidInputError, match="before the step before it"):
        replace(callout, arrived_at=NOW.replace(second=30))


def test_patrol_position_needs_its_time() -> None:
    with pytest.raises(InvalidInputError, match="needs its time"):
        Patrol("MV-21", "st01", position=Point(0, 0))


def test_visit_dosage_is_minutes_on_site() -> None:
    visit = Visit("HS-000001", "MV-21", arrived_at=NOW, left_at=NOW.replace(minute=14))
    assert visit.minutes_on_site == 14
    with pytest.raises(InvalidInputError, match="left_at is before"):
        Visit("HS-000001", "MV-21", arrived_at=NOW, left_at=NOW.replace(hour=11))
