"""The live engine's open-hotspot cache holds every open hotspot, however many pages of the
store they take (a national service: more than one page of 10,000)."""

from __future__ import annotations

from smartspot.hotspots import HotspotService
from smartspot.live.visits import OpenHotspots
from tests.hotspot_fixtures import TREKANTEN, draft
from tests.live.conftest import MakeEngine


def test_the_cache_holds_every_open_hotspot_past_one_page(make_engine: MakeEngine) -> None:
    engine = make_engine()
    service = HotspotService(engine.ctx.store, engine.ctx.regions, engine.ctx.clock)
    ids = [service.register(draft(), TREKANTEN, user="a").id for _ in range(5)]
    service.close(ids[0], "løst", user="a")
    politikreds = service.show(ids[1]).location.politikreds
    assert [h.id for h in OpenHotspots(engine.ctx, page=2).of(politikreds)] == ids[1:]
    assert [h.id for h in OpenHotspots(engine.ctx, page=10).of(politikreds)] == ids[1:]
