"""Canonical follow-up inputs for the store, service, API and CLI tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from shapely.geometry import Point

from smartspot.clock import FixedClock
from smartspot.followup_drafts import FollowUpDraft, draft_from_properties
from smartspot.followup_service import FollowUpService
from smartspot.followups import FollowUpRules
from smartspot.geo.regions import Regions
from smartspot.store.sqlite import SqliteStore

START = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # a Friday
TODAY = date(2026, 3, 6)
#: A house in Lemvig (an outlying kommune of Midt- og Vestjylland).
LEMVIG = Point(8.3125, 56.5486)
#: The citizen's personal data: no operator-facing text may ever contain these.
NAME = "Karen Mikkelsen-Østergaard"
PHONE = "+45 29 48 37 16"
PHONE_DIGITS = "29483716"


def props(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "case_ref": "4100-76543-00123-26",
        "category": "burglary",
        "task": "Tryghedsopfølgning efter indbrud: spørg til tryghed, giv forebyggelsesfolder",
        "name": NAME,
        "phone": PHONE,
        "address": "Vestergade 12, 7620 Lemvig",
        "windows": ["mon-fri 16:00-20:00"],
        "priority": 3,
    }
    base.update(overrides)
    return base


def draft(**overrides: Any) -> FollowUpDraft:
    return draft_from_properties(props(**overrides), today=TODAY, rules=FollowUpRules())


def new_service(path: Path | str, regions: Regions, **rules: Any) -> FollowUpService:
    store = SqliteStore(path, create=True)
    return FollowUpService(store, regions, FixedClock(START), FollowUpRules(**rules))
