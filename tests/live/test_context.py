"""The engine's shared context (``smartspot.live.context``)."""

from __future__ import annotations

from smartspot.live.engine import Vagtcentral


def test_each_politikreds_has_the_stations_that_lie_in_it(engine: Vagtcentral) -> None:
    ctx = engine.ctx
    by_district = {p: ctx.stations_of(p) for p in {ctx.district_of_base(b) for b in ctx.bases}}
    assert len(by_district) == 12  # every station of the country, in its politikreds
    for politikreds, stations in by_district.items():
        assert stations and all(ctx.district_of_base(s) == politikreds for s in stations)
    assert sorted(s for found in by_district.values() for s in found) == sorted(ctx.bases)
    assert ctx.stations_of("Atlantis Politi") == frozenset()
