"""Canonical hotspot inputs for store, service, io and CLI tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from shapely.geometry import Point, Polygon

from smartspot.clock import FixedClock
from smartspot.drafts import HotspotDraft, draft_from_properties
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from smartspot.store.open import open_store

START = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
TREKANTEN = Point(8.6375, 56.3560)  # Trekanten, Holstebro
# A small square in Silkeborg (Resedavej), drawn clockwise on purpose.
SILKEBORG_CW = Polygon([(9.52, 56.17), (9.52, 56.175), (9.527, 56.175), (9.527, 56.17)])
SAMSOE = Point(10.59723, 55.8326)


def props(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Trekanten: unge samles om aftenen",
        "category": "youth_nuisance",
        "description": "Grupper af unge samles ved Trekanten og chikanerer forbipasserende.",
        "instruction": "Parker synligt, gå en runde og tal med de unge.",
        "steps": ["Parker ved Trekanten", "Gå en runde om blokkene"],
        "minutes_on_site": 15,
        "priority": 4,
        "windows": ["fri,sat 20:00-02:00"],
        "valid_from": "2026-03-01",
        "visits_per_week": 3,
        "source": "lokalraad",
        "source_ref": "LR-2026-03",
    }
    base.update(overrides)
    return base


def draft(**overrides: Any) -> HotspotDraft:
    return draft_from_properties(props(**overrides), today=date(2026, 3, 6))


def new_service(path: str | Path, regions: Regions, **store_options: Any) -> HotspotService:
    """A hotspot service on the database ``path`` (an SQLite file or a PostgreSQL URL)."""
    store = open_store(path, create=True, **store_options)
    return HotspotService(store, regions, FixedClock(START))
