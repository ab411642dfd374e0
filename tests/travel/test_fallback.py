from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from smartspot.errors import InvalidInputError
from smartspot.geo.regions import Regions
from smartspot.resources import DATA_DIR
from smartspot.travel.config import load_towns
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import (
    FallbackParams,
    LandGraph,
    build_land_graph,
    direct_kmh,
    load_land_graph,
    save_land_graph,
)
from smartspot.travel.links import load_links
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import TravelTimes, reachable
from tests.travel.conftest import KATTEGAT, TRANEBJERG, town, xy

FUR_TOWN = (9.0125, 56.8200)  # Nederby, Fur
TUNOE_TOWN = (10.4410, 55.9480)
ANHOLT_TOWN = (11.5120, 56.7160)


def test_fallback_is_a_travel_times(mvj_fallback: LandTravelTimes) -> None:
    assert isinstance(mvj_fallback, TravelTimes)


def _published() -> list[dict[str, str]]:
    with (DATA_DIR / "published_drive_times.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_published_time_has_a_source() -> None:
    rows = _published()
    assert {(r["from"], r["to"]) for r in rows} >= {
        ("Holstebro", "Herning"),
        ("Aarhus", "Randers"),
        ("Viborg", "Skive"),
    }
    assert all(r["source"].startswith("http") for r in rows)
    assert {r["minutes_basis"] for r in rows} <= {"published", "own_estimate"}


@pytest.mark.parametrize("row", _published(), ids=lambda r: f"{r['from']}-{r['to']}")
def test_fallback_within_20_percent_of_published_drive_times(
    row: dict[str, str], mvj_fallback: LandTravelTimes, oej_land: LandGraph
) -> None:
    names = {"Aarhus": "Århus"}
    a, b = (town(names.get(row[k], row[k])) for k in ("from", "to"))
    model = mvj_fallback
    if "Aarhus" in (row["from"], row["to"]) and "Holstebro" not in (row["from"], row["to"]):
        model = LandTravelTimes(oej_land)
    minutes = model.matrix(a, b)[0, 0] / 60
    assert minutes == pytest.approx(float(row["minutes"]), rel=0.20)


def test_mors_reached_over_its_bridges(mvj_fallback: LandTravelTimes) -> None:
    t = mvj_fallback.matrix(town("Nykøbing Mors"), np.vstack([town("Skive"), town("Thisted")]))
    assert reachable(t).all()
    # Nykøbing Mors–Skive is about 30 km by road over Sallingsundbroen
    assert 20 * 60 < t[0, 0] < 45 * 60


@pytest.fixture(scope="module")
def mors_area(regions: Regions) -> shapely.Polygon:
    return shapely.buffer(regions.polygons[[k.navn for k in regions.kommuner].index("Morsø")], 1)


def _mors_model(regions: Regions, area: shapely.Polygon, link_ids: set[str]) -> LandTravelTimes:
    links = [x for x in load_links(DATA_DIR / "fixed_links.csv") if x.id in link_ids]
    params = FallbackParams(margin_m=8_000)
    land = build_land_graph(
        list(regions.polygons), load_towns(DATA_DIR), links, area=area, params=params
    )
    return LandTravelTimes(land)


def test_without_its_bridges_mors_is_an_island(
    regions: Regions, mors_area: shapely.Polygon
) -> None:
    nykoebing, skive_side = town("Nykøbing Mors"), xy(8.90, 56.72)
    bridged = _mors_model(regions, mors_area, {"sallingsund", "vilsund"})
    cut = _mors_model(regions, mors_area, set())
    assert reachable(bridged.matrix(nykoebing, skive_side)).all()
    assert not reachable(cut.matrix(nykoebing, skive_side)).any()


def test_fur_needs_its_ferry(mvj_fallback: LandTravelTimes) -> None:
    fur, skive = xy(*FUR_TOWN), town("Skive")
    assert reachable(mvj_fallback.matrix(fur, skive)).all()
    off = LandTravelTimes(mvj_fallback.land, TravelOptions(ferries=False))
    assert not reachable(off.matrix(fur, skive)).any()


def test_samsoe_from_the_mainland_only_by_ferry(oej_land: LandGraph) -> None:
    odder, samsoe = town("Odder"), xy(*TRANEBJERG)
    wait = 10 * 60.0
    on = LandTravelTimes(oej_land, TravelOptions(ferry_wait_s=wait))
    t = on.matrix(odder, samsoe)[0, 0]
    assert 3600 + wait < t < 3600 + wait + 40 * 60  # Hou–Sælvig, 1 h
    off = LandTravelTimes(oej_land, TravelOptions(ferries=False))
    assert np.isnan(off.matrix(odder, samsoe)).all()


def test_tunoe_and_anholt_unreachable_with_ferries_off(oej_land: LandGraph) -> None:
    islands = np.vstack([xy(*TUNOE_TOWN), xy(*ANHOLT_TOWN)])
    off = LandTravelTimes(oej_land, TravelOptions(ferries=False))
    assert np.isnan(off.matrix(town("Grenaa"), islands)).all()
    on = LandTravelTimes(oej_land, TravelOptions(ferry_wait_s=0))
    t = on.matrix(town("Grenaa"), islands)[0]
    assert t[1] == pytest.approx(165 * 60, abs=15 * 60)  # Grenaa–Anholt 2:45


def test_sea_point_is_refused_with_a_clear_message(oej_land: LandGraph) -> None:
    model = LandTravelTimes(oej_land)
    with pytest.raises(InvalidInputError, match=r"from the land .* refused .*sea"):
        model.matrix(xy(*KATTEGAT), town("Odder"))


def test_point_just_off_the_coast_snaps_to_land(oej_land: LandGraph) -> None:
    model = LandTravelTimes(oej_land)
    pier = xy(10.2200, 56.1500)  # Aarhus harbour, outside the generalised outline
    assert reachable(model.matrix(pier, town("Randers"))).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=3, max_size=3))
def test_triangle_inequality_on_the_land_graph(
    mvj_fallback: LandTravelTimes, picks: list[int]
) -> None:
    n = mvj_fallback.graph.n_nodes
    a, b, c = (p % n for p in picks)
    t = mvj_fallback.node_matrix(np.array([a, b, a]), np.array([b, c, c]))
    if np.isfinite(t[0, 0]) and np.isfinite(t[1, 1]):
        assert t[2, 2] <= t[0, 0] + t[1, 1] + 1e-2


def test_land_graph_cache_round_trips_and_checks_its_key(
    oej_land: LandGraph, tmp_path: Path
) -> None:
    path = tmp_path / "fallback.npz"
    save_land_graph(oej_land, path, key="abc")
    loaded = load_land_graph(path, key="abc", params=oej_land.params)
    assert loaded is not None
    assert np.array_equal(loaded.graph.heads, oej_land.graph.heads)
    assert np.array_equal(loaded.landmass, oej_land.landmass)
    assert all(p.equals(q) for p, q in zip(loaded.parts, oej_land.parts, strict=True))
    a, b = town("Odder"), xy(*TRANEBJERG)
    assert LandTravelTimes(loaded).matrix(a, b)[0, 0] == pytest.approx(
        LandTravelTimes(oej_land).matrix(a, b)[0, 0]
    )
    assert load_land_graph(path, key="other data", params=oej_land.params) is None
    assert load_land_graph(tmp_path / "missing.npz", key="abc", params=oej_land.params) is None


@pytest.mark.parametrize(
    ("a", "b", "typical_min"),
    [("Thisted", "Struer", 45), ("Hurup", "Struer", 30), ("Thisted", "Holstebro", 55)],
)
def test_thy_reaches_struer_over_oddesundbroen(
    a: str, b: str, typical_min: float, mvj_fallback: LandTravelTimes
) -> None:
    # typical car times from issue 11 (rute 11 over Oddesundbroen, not round through Mors)
    minutes = mvj_fallback.matrix(town(a), town(b))[0, 0] / 60
    assert minutes == pytest.approx(typical_min, rel=0.20)


def _through(name: str, half_m: float = 1_500.0) -> tuple[np.ndarray, np.ndarray]:
    centre = town(name)[0]
    step = np.array([half_m, 0.0])
    return centre - step, centre + step


def test_a_road_past_a_village_runs_at_the_rural_speed_but_a_town_core_is_slow(
    mvj_fallback: LandTravelTimes,
) -> None:
    p = mvj_fallback.land.params
    rural = 3_000.0 * p.circuity / (direct_kmh(np.array(3_000.0), p) / 3.6)
    a, b = _through("Vinderup")  # 3,077 inhabitants: no core of its own
    assert mvj_fallback.matrix(a, b)[0, 0] == pytest.approx(rural, rel=1e-6)
    a, b = _through("Holstebro")  # 32,072: a 1.2 km core at the town speed
    assert mvj_fallback.matrix(a, b)[0, 0] > 1.5 * rural


def test_a_longer_direct_trip_runs_faster_up_to_the_main_road_speed() -> None:
    p = FallbackParams()
    kmh = direct_kmh(np.array([500.0, p.direct_fast_from_m, 6_000.0, p.direct_max_m, 20_000.0]), p)
    assert kmh[0] == kmh[1] == p.rural_kmh  # short trips: the rural speed
    assert p.rural_kmh < kmh[2] < p.trunk_kmh
    assert kmh[3] == kmh[4] == pytest.approx(p.trunk_kmh)  # the main roads' speed at the end
    off = FallbackParams(direct_fast_from_m=p.direct_max_m)
    assert (direct_kmh(np.array([2_000.0, 9_000.0]), off) == off.rural_kmh).all()


def test_a_direct_trip_between_villages_is_timed_at_its_distance_band(
    mvj_fallback: LandTravelTimes,
) -> None:
    p = mvj_fallback.land.params
    a = town("Vinderup")[0]  # no core of its own; open farmland to the east
    for metres in (2_000.0, 8_000.0):
        b = a + np.array([metres, 0.0])
        expected = metres * p.circuity / (direct_kmh(np.array(metres), p) / 3.6)
        assert mvj_fallback.matrix(a, b)[0, 0] == pytest.approx(expected, rel=1e-6)
