from __future__ import annotations

from smartspot.geo.regions import Regions
from smartspot.geo.stations import load_stations, nearest_station
from smartspot.resources import DATA_DIR
from tests.conftest import SAMSOE_TRANEBJERG, metric_point


def test_stations_load_with_their_kommune(regions: Regions) -> None:
    stations = load_stations(DATA_DIR / "police_stations.csv", regions)
    assert len(stations) == 31  # 32 rows, Aarhus Vest has no coordinate
    by_id = {s.id: s for s in stations}
    assert by_id["st01"].location.kommunekode == "0661"
    assert by_id["st22"].location.kommunenavn == "Samsø"


def test_nearest_station_to_a_samsoe_farm_is_the_samsoe_officer(regions: Regions) -> None:
    stations = load_stations(DATA_DIR / "police_stations.csv", regions)
    station, distance = nearest_station(stations, metric_point(*SAMSOE_TRANEBJERG))
    assert station.id == "st22"
    assert distance < 100
