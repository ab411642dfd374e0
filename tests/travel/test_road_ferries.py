from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartspot.resources import DATA_DIR
from smartspot.travel.ferries import load_timetables
from smartspot.travel.graph import RoadGraph
from smartspot.travel.links import load_links
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.road_ferries import osm_crossings, timed_ferries
from tests.travel.conftest import HOU_HARBOUR, NORDBY_SAMSOE, TRANEBJERG, xy

LOCAL = ZoneInfo("Europe/Copenhagen")
TUESDAY_NOON = datetime(2026, 12, 1, 11, 50, tzinfo=LOCAL)  # the 12:00 from Hou is next
TUESDAY_NIGHT = datetime(2026, 12, 1, 2, 0, tzinfo=LOCAL)


@pytest.fixture(scope="module")
def samsoe_timed(samsoe: RoadGraph) -> RoadTravelTimes:
    ferries = timed_ferries(
        samsoe,
        load_links(DATA_DIR / "fixed_links.csv"),
        load_timetables(DATA_DIR / "ferry_timetables.csv"),
    )
    assert ferries is not None
    return RoadTravelTimes(samsoe, ferries=ferries)


def test_samsoe_has_its_two_car_ferries_each_way(samsoe: RoadGraph) -> None:
    crossings = osm_crossings(samsoe)
    assert sorted(round(c.seconds) for c in crossings) == [3600, 3600, 4500, 4500]
    assert all(samsoe.snappable[c.tail] and samsoe.snappable[c.head] for c in crossings)


def test_osm_ferries_take_the_links_timetables(samsoe_timed: RoadTravelTimes) -> None:
    assert samsoe_timed.ferries is not None
    assert {c.table.link_id for c in samsoe_timed.ferries.crossings} >= {"hou_saelvig"}


def test_the_wait_is_until_the_next_departure(samsoe_timed: RoadTravelTimes) -> None:
    hou, town = xy(*HOU_HARBOUR), xy(*TRANEBJERG)
    t = samsoe_timed.matrix(hou, town, depart_at=TUESDAY_NOON)[0, 0]
    island = samsoe_timed.matrix(xy(10.548863, 55.864263), town)[0, 0]  # Sælvig to the town
    assert t == pytest.approx(600 + 3600 + island, abs=120)  # 10 min wait, the crossing, roads
    flat = samsoe_timed.matrix(hou, town)[0, 0]  # no time given: the flat 15-minute wait
    assert flat == pytest.approx(t + 300, abs=120)


def test_after_the_last_ferry_samsoe_is_unreachable_until_morning(
    samsoe_timed: RoadTravelTimes,
) -> None:
    hou = xy(*HOU_HARBOUR)
    island = np.vstack([xy(*TRANEBJERG), xy(*NORDBY_SAMSOE)])
    assert np.isnan(samsoe_timed.matrix(hou, island, depart_at=TUESDAY_NIGHT)).all()
    # the island's own roads do not depend on the ferry
    on_island = samsoe_timed.matrix(island, island, depart_at=TUESDAY_NIGHT)
    assert np.isfinite(on_island).all()


def test_the_district_model_times_samsoe_ferries_by_the_clock() -> None:
    from smartspot.travel.config import district_config, travel_times

    model = travel_times(district_config("Østjyllands Politi"))
    hou, town = xy(*HOU_HARBOUR), xy(*TRANEBJERG)
    noon = model.matrix(hou, town, depart_at=TUESDAY_NOON)[0, 0]
    assert 3600 < noon < 3600 + 30 * 60
    assert np.isnan(model.matrix(hou, town, depart_at=TUESDAY_NIGHT)[0, 0])


def test_trips_give_the_driven_metres_of_the_timed_path(samsoe_timed: RoadTravelTimes) -> None:
    hou, town = xy(*HOU_HARBOUR), xy(*TRANEBJERG)
    trips = samsoe_timed.trips(hou, town, depart_at=TUESDAY_NOON)
    assert trips.seconds[0, 0] == pytest.approx(
        samsoe_timed.matrix(hou, town, depart_at=TUESDAY_NOON)[0, 0]
    )
    straight = float(np.hypot(*(hou - town)[0]))
    assert straight < trips.metres[0, 0] < 1.6 * straight  # the ferry line, then the roads
    night = samsoe_timed.trips(hou, town, depart_at=TUESDAY_NIGHT)
    assert np.isnan(night.seconds).all() and np.isnan(night.metres).all()
