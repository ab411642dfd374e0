from __future__ import annotations

import pytest
from shapely.geometry import Polygon

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.geo.regions import Regions
from tests.conftest import (
    AARHUS_STATION,
    HOLSTEBRO_STATION,
    NORTH_SEA,
    SAMSOE_TRANEBJERG,
    metric_point,
)


def test_holstebro_station_lies_in_holstebro_kommune(regions: Regions) -> None:
    placement = regions.locate(metric_point(*HOLSTEBRO_STATION))
    assert placement.as_dict() == {
        "kommunekode": "0661",
        "kommunenavn": "Holstebro",
        "politikreds": "Midt- og Vestjyllands Politi",
    }
    assert placement.snapped_m == 0.0


def test_a_point_on_samsoe_lies_in_samsoe_kommune(regions: Regions) -> None:
    placement = regions.locate(metric_point(*SAMSOE_TRANEBJERG))
    assert placement.kommune.kode == "0741"
    assert placement.kommune.navn == "Samsø"
    assert placement.kommune.politikreds == "Østjyllands Politi"


def test_aarhus_station_lies_in_aarhus(regions: Regions) -> None:
    assert regions.locate(metric_point(*AARHUS_STATION)).kommune.kode == "0751"


def test_a_point_in_the_north_sea_is_refused_with_its_distance(regions: Regions) -> None:
    with pytest.raises(InvalidInputError, match=r"km outside Danish land"):
        regions.locate(metric_point(*NORTH_SEA))


def test_a_point_just_off_the_coast_snaps_to_the_nearest_kommune(regions: Regions) -> None:
    # Off Harboøre on the west coast: about 1.1 km outside the generalised coastline.
    placement = regions.locate(metric_point(8.133, 56.62))
    assert placement.kommune.kode == "0665"  # Lemvig
    assert 500 < placement.snapped_m <= 2_000


def test_a_point_3_km_off_the_coast_is_refused(regions: Regions) -> None:
    with pytest.raises(InvalidInputError, match=r"3\.1 km outside Danish land.*Lemvig"):
        regions.locate(metric_point(8.10, 56.62))


def test_a_polygon_takes_the_kommune_it_overlaps_most(regions: Regions) -> None:
    centre = metric_point(*HOLSTEBRO_STATION)
    square = Polygon(
        [(centre.x, centre.y), (centre.x + 300, centre.y), (centre.x + 300, centre.y + 300)]
    )
    assert regions.locate(square).kommune.navn == "Holstebro"


def test_kommuner_of_the_two_demo_districts(regions: Regions) -> None:
    midtvest = {k.navn for k in regions.kommuner_in("Midt- og Vestjyllands Politi")}
    assert midtvest == {
        "Herning", "Holstebro", "Ikast-Brande", "Lemvig", "Morsø", "Ringkøbing-Skjern",
        "Silkeborg", "Skive", "Struer", "Thisted", "Viborg",
    }  # fmt: skip
    assert len(regions.kommuner_in("Østjyllands Politi")) == 7


def test_unknown_politikreds_and_kommune_are_not_found(regions: Regions) -> None:
    with pytest.raises(NotFoundError, match="known:"):
        regions.kommuner_in("Atlantis Politi")
    with pytest.raises(NotFoundError, match="4 digits"):
        regions.kommune("9999")
