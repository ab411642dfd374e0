"""``every``: all the records a query matches, past one page (a national service holds more
open hotspots than one page of 10,000), read after the last id, so that a write between two
pages cannot make a record that stayed as it was appear twice or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smartspot.clock import FixedClock
from smartspot.domain import HotspotStatus
from smartspot.followup_service import FollowUpService
from smartspot.followups import FollowUpRules, FollowUpStatus
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotFilter, HotspotService
from smartspot.store.port import FollowUpQuery, HotspotQuery, every
from tests import followup_fixtures
from tests.hotspot_fixtures import TREKANTEN, draft, new_service


@pytest.fixture
def service(database: str | Path, regions: Regions) -> Iterator[HotspotService]:
    svc = new_service(database, regions)
    yield svc
    svc.store.close()


def test_every_reads_all_pages_in_id_order(service: HotspotService) -> None:
    ids = [service.register(draft(), TREKANTEN, user="a").id for _ in range(7)]
    store = service.store
    assert [h.id for h in every(store.hotspots.list, HotspotQuery(limit=3))] == ids
    assert [h.id for h in every(store.hotspots.list, HotspotQuery(limit=7))] == ids
    assert [h.id for h in store.hotspots.list(HotspotQuery(limit=3))] == ids[:3]  # one page
    assert [h.id for h in service.every(HotspotFilter(limit=2, offset=5))] == ids  # from the first


def test_a_record_closed_between_two_pages_does_not_hide_the_next(service: HotspotService) -> None:
    ids = [service.register(draft(), TREKANTEN, user="a").id for _ in range(7)]
    store = service.store
    pages: list[list[str]] = []

    def read(query: HotspotQuery) -> list:  # type: ignore[type-arg]
        page = store.hotspots.list(query)
        if not pages:  # an analyst closes the second hotspot while the first page is in hand
            service.close(ids[1], "løst", user="a")
        pages.append([h.id for h in page])
        return page

    found = [h.id for h in every(read, HotspotQuery(status=HotspotStatus.OPEN, limit=3))]
    # by offset, the second page would have started at the fifth: the fourth left out
    assert found == ids
    assert pages == [ids[:3], ids[3:6], ids[6:]]


def test_every_follow_up_past_one_page(service: HotspotService, regions: Regions) -> None:
    store = service.store
    tasks = FollowUpService(store, regions, FixedClock(followup_fixtures.START), FollowUpRules())
    ids = [
        tasks.register(followup_fixtures.draft(), followup_fixtures.LEMVIG, user="a").id
        for _ in range(5)
    ]
    query = FollowUpQuery(status=FollowUpStatus.OPEN, limit=2)
    assert [f.id for f in every(store.followups.list, query)] == ids
