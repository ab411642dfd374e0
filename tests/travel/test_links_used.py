"""Every row of ``data/fixed_links.csv`` carries the trips it exists for.

For each link, two points about 3 km either side of the crossing: the fallback's fastest path
between them must use the link, and take about (straight line × circuity) / speed plus the
crossing time. This is the test that would have caught Oddesundbroen being unusable.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from smartspot.geo.crs import lonlat_to_metric
from smartspot.resources import DATA_DIR
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import LandGraph
from smartspot.travel.links import Link, load_links
from smartspot.travel.options import TravelOptions

LINKS = load_links(DATA_DIR / "fixed_links.csv")
EAST = {"hou_saelvig", "kalundborg_ballen", "hou_tunoe", "grenaa_anholt", "udbyhoej"}
SIDE_M = (3_000.0, 2_000.0, 1_500.0)


def _ends(link: Link) -> np.ndarray:
    return lonlat_to_metric(np.array([link.a[0], link.b[0]]), np.array([link.a[1], link.b[1]]))


def _side_point(model: LandTravelTimes, end: np.ndarray, other: np.ndarray) -> np.ndarray:
    """A point 1.5–3 km from ``end`` on its own side, reached from it in a (nearly) straight
    line on land: of 36 directions, the one most nearly away from ``other`` whose line stays
    on land (a spit such as Oddesund Syd may point along the crossing, not away from it)."""
    away = np.arctan2(*(end - other)[::-1])
    angles = away + np.radians(np.arange(36) * 10.0)
    angles = angles[np.argsort(np.abs(np.angle(np.exp(1j * (angles - away)))))]
    unit = np.column_stack([np.cos(angles), np.sin(angles)])
    own = model._landmass(end[None], "end", [0])[0]
    for reach in SIDE_M:
        targets = end + reach * unit
        # the berth sits on the generalised coastline, often at the tip of a spit narrower
        # than the raster: the line may cross up to 1 km of the outline's water
        ok = model.land.mask.lines_on_land(end + 300.0 * unit, targets, gap_m=1_000.0)
        ok &= model.land.mask.on_land(targets[:, 0], targets[:, 1])
        ok[ok] &= model._landmass(targets[ok], "side", list(range(int(ok.sum())))) == own
        if ok.any():
            return targets[int(np.flatnonzero(ok)[0])]
    raise AssertionError("no land within 3 km beyond this link end")


@pytest.fixture(scope="module")
def models(mvj_fallback: LandTravelTimes, oej_land: LandGraph) -> dict[str, LandTravelTimes]:
    no_wait = TravelOptions(ferry_wait_s=0)
    return {
        "west": LandTravelTimes(mvj_fallback.land, no_wait),
        "east": LandTravelTimes(oej_land, no_wait),
    }


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.id)
def test_every_link_carries_the_trip_across_it(
    link: Link, models: dict[str, LandTravelTimes]
) -> None:
    model = models["east" if link.id in EAST else "west"]
    nodes, _ = model.snap(_ends(link))  # the link's berths as the graph has them (on land)
    a_end, b_end = model.graph.xy[nodes]
    a = _side_point(model, a_end, b_end)
    b = _side_point(model, b_end, a_end)
    leg = model.leg(a, b)
    assert leg.reachable and leg.line is not None
    # the path runs over the link: within 1 km of both of its ends
    assert leg.line.distance(shapely.Point(a_end)) < 1_000
    assert leg.line.distance(shapely.Point(b_end)) < 1_000
    p = model.land.params
    straight = np.linalg.norm(a - a_end) + np.linalg.norm(b - b_end)
    urban = model._direct._urban(np.vstack([a, b, a_end, b_end])).mean()
    pace = urban / (p.urban_kmh / 3.6) + (1 - urban) / (p.rural_kmh / 3.6)
    expected = straight * p.circuity * pace + link.crossing_s
    assert leg.seconds == pytest.approx(expected, rel=0.30)
