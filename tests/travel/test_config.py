from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.geo.crs import lonlat_to_metric
from smartspot.travel.composite import CompositeTravelTimes
from smartspot.travel.config import (
    NATIONAL_LIMIT_S,
    ROADS_DIR,
    TravelModelConfig,
    auto_limit_s,
    district_config,
    district_slug,
    road_options,
    travel_times,
)
from smartspot.travel.graph import RoadGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.road import RoadTravelTimes
from tests.travel.conftest import NORDBY_SAMSOE, TRANEBJERG, town, xy


def test_district_slug_is_a_plain_file_name() -> None:
    assert district_slug("Østjyllands Politi") == "oestjyllands-politi"
    assert district_slug("Midt- og Vestjyllands Politi") == "midt--og-vestjyllands-politi"


def test_district_without_a_graph_uses_the_fallback_with_its_island_graphs() -> None:
    config = district_config("Østjyllands Politi")
    assert config.model == "fallback"
    assert {p.stem for p in config.island_graphs} == {"samsoe", "anholt", "tunoe"}
    assert district_config("Midt- og Vestjyllands Politi").island_graphs == ()


def test_district_found_from_the_origin() -> None:
    assert district_config(None, town("Skive")[0]).district == "Midt- og Vestjyllands Politi"


def test_unknown_district_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        district_config("Atlantis Politi")


def test_blank_district_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        TravelModelConfig(district=" ")


def test_a_built_district_graph_selects_the_road_model(tmp_path: Path) -> None:
    # pretend Samsø's graph were the whole district's, as a full extract would be
    shutil.copy(ROADS_DIR / "samsoe.npz", tmp_path / "oestjyllands-politi.npz")
    config = district_config("Østjyllands Politi", roads_dir=tmp_path)
    assert config.model == "road"
    model = travel_times(config)
    assert isinstance(model, RoadTravelTimes)
    assert model.leg(xy(*TRANEBJERG)[0], xy(*NORDBY_SAMSOE)[0]).model == "road"


def test_island_trips_use_the_real_roads_and_mainland_trips_the_fallback() -> None:
    model = travel_times(district_config("Østjyllands Politi"))
    assert isinstance(model, CompositeTravelTimes)
    assert model.leg(xy(*TRANEBJERG)[0], xy(*NORDBY_SAMSOE)[0]).model == "road"
    assert model.leg(town("Odder")[0], town("Randers")[0]).model == "fallback"
    points = np.vstack([xy(*TRANEBJERG), town("Odder")])
    t = model.matrix(points, points)
    road = model.roads[0].matrix(xy(*TRANEBJERG), xy(*TRANEBJERG))
    assert t[0, 0] == pytest.approx(road[0, 0])
    assert t[1, 0] > 3600  # Odder to Samsø crosses on the ferry


# Aarhus C, on the area graph aarhus_c_marselis: Dalgas Avenue and Marselis Boulevard
AARHUS_DALGAS = (10.204978, 56.1404849)
AARHUS_MARSELIS = (10.2093, 56.1428)
VIBY = (10.15, 56.10)  # outside the area graph, on the fallback


def test_a_partial_district_graph_is_configured_for_its_district() -> None:
    config = district_config("Østjyllands Politi")
    assert {p.stem for p in config.area_graphs} == {"aarhus_c_marselis"}
    assert district_config("Midt- og Vestjyllands Politi").area_graphs == ()


def test_a_trip_inside_aarhus_c_is_answered_by_its_road_graph() -> None:
    # smartspot travel picks the district from the origin, as here
    a, b = xy(*AARHUS_DALGAS)[0], xy(*AARHUS_MARSELIS)[0]
    config = district_config(None, a)
    model = travel_times(config)
    leg = model.leg(a, b)
    assert leg.model == "road"
    own = RoadTravelTimes(RoadGraph.load(ROADS_DIR / "aarhus_c_marselis.npz"))
    assert leg.seconds == pytest.approx(own.leg(a, b).seconds)
    assert model.matrix(a, b)[0, 0] == pytest.approx(leg.seconds)


def test_a_trip_leaving_the_area_graph_joins_it_to_the_fallback_seamlessly() -> None:
    model = travel_times(district_config("Østjyllands Politi"))
    assert isinstance(model, CompositeTravelTimes)
    inside, outside = xy(*AARHUS_DALGAS)[0], xy(*VIBY)[0]
    out = model.leg(inside, outside)
    back = model.leg(outside, inside)
    assert out.model == back.model == "road+fallback"
    assert model.matrix(inside, outside)[0, 0] == pytest.approx(out.seconds)
    assert model.matrix(outside, inside)[0, 0] == pytest.approx(back.seconds)
    # walking the start out of the area, 300 m at a time: no jump at the graph's edge
    starts = lonlat_to_metric(np.linspace(10.205, 10.193, 5), np.full(5, 56.141))
    times = model.matrix(starts, xy(*VIBY))[:, 0]
    assert np.isfinite(times).all()
    assert np.abs(np.diff(times)).max() < 90  # seconds, for 300 m steps


def test_composite_trips_give_each_models_own_metres_and_the_joined_legs_sum() -> None:
    model = travel_times(district_config("Østjyllands Politi"))
    assert isinstance(model, CompositeTravelTimes)
    inside, marselis, outside = (
        xy(*AARHUS_DALGAS)[0],
        xy(*AARHUS_MARSELIS)[0],
        xy(*VIBY)[0],
    )
    island = xy(*TRANEBJERG)[0]
    points = np.vstack([inside, marselis, outside, island, town("Odder")[0]])
    trips = model.trips(points, points)
    # seconds are the matrix's, metres come with them
    np.testing.assert_allclose(trips.seconds, model.matrix(points, points), equal_nan=True)
    for i in range(len(points)):
        for j in range(len(points)):
            if i == j:
                continue
            leg = model.leg(points[i], points[j])
            assert trips.metres[i, j] == pytest.approx(leg.metres, rel=1e-6), (i, j, leg.model)
    # a driven kilometre is never shorter than the straight line
    gap = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    assert (trips.metres >= gap * 0.999).all()


def test_a_graph_reaching_far_beyond_the_district_gets_the_national_cut_off() -> None:
    district = (500_000.0, 6_200_000.0, 600_000.0, 6_300_000.0)
    own = (470_000.0, 6_170_000.0, 640_000.0, 6_330_000.0)  # the district plus 30-40 km
    country = (440_000.0, 6_050_000.0, 890_000.0, 6_400_000.0)
    assert auto_limit_s(own, district) == np.inf
    assert auto_limit_s(country, district) == NATIONAL_LIMIT_S


def test_a_district_on_a_graph_reaching_far_beyond_it_is_cut_at_the_national_limit() -> None:
    graph = ROADS_DIR / "anholt.npz"  # 90 km east of Midt- og Vestjylland: far beyond it
    far = TravelModelConfig("Midt- og Vestjyllands Politi", road_graph=graph)
    assert road_options(far).limit_s == NATIONAL_LIMIT_S
    own = TravelModelConfig("Midt- og Vestjyllands Politi", road_graph=graph, auto_limit=False)
    assert road_options(own).limit_s == np.inf
    chosen = TravelOptions(limit_s=900.0)
    set_by_hand = TravelModelConfig(
        "Midt- og Vestjyllands Politi", road_graph=graph, options=chosen
    )
    assert road_options(set_by_hand).limit_s == 900.0
    inside = TravelModelConfig("Østjyllands Politi", road_graph=graph)  # Anholt is in Østjylland
    assert road_options(inside).limit_s == np.inf
