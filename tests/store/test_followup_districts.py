"""Follow-ups are listed within a user's districts, in the database (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import Point

from smartspot.clock import FixedClock
from smartspot.followup_rules import FollowUpRules
from smartspot.followup_service import FollowUpService
from smartspot.geo.regions import Regions
from smartspot.store.open import open_store
from smartspot.store.port import FollowUpQuery
from tests.followup_fixtures import LEMVIG, START, draft

AARHUS = Point(10.2039, 56.1629)
MV, OJ = "Midt- og Vestjyllands Politi", "Østjyllands Politi"


@pytest.fixture
def service(database: str | Path, regions: Regions) -> Iterator[FollowUpService]:
    store = open_store(database, create=True)
    yield FollowUpService(store, regions, FixedClock(START), FollowUpRules())
    store.close()


def test_a_list_within_districts_holds_only_their_follow_ups(service: FollowUpService) -> None:
    lemvig = service.register(draft(), LEMVIG, user="ana")
    aarhus = service.register(draft(), AARHUS, user="ana")
    assert (lemvig.location.politikreds, aarhus.location.politikreds) == (MV, OJ)

    def ids(query: FollowUpQuery) -> list[str]:
        return [f.id for f in service.list(query)]

    assert ids(FollowUpQuery(within=frozenset({MV}))) == [lemvig.id]
    assert ids(FollowUpQuery(within=frozenset({OJ}))) == [aarhus.id]
    assert ids(FollowUpQuery(within=frozenset({MV, OJ}))) == [lemvig.id, aarhus.id]
    assert ids(FollowUpQuery(within=frozenset())) == []  # no districts: nothing
    assert ids(FollowUpQuery()) == [lemvig.id, aarhus.id]  # no limit
    assert service.count(FollowUpQuery(within=frozenset({OJ}))) == 1
    assert ids(FollowUpQuery(politikreds=MV, within=frozenset({OJ}))) == []
