from __future__ import annotations

import numpy as np
import pytest
import shapely

from smartspot.sim.callouts import generate_callouts, hourly_rates
from smartspot.sim.district import District
from smartspot.travel.port import TravelTimes
from tests.sim.straight import StraightLine


def test_callout_volume_follows_the_yearly_rates(
    mvj_district: District, fallback: TravelTimes
) -> None:
    calls = generate_callouts(mvj_district, fallback, 28, np.random.default_rng(7))
    settings = mvj_district.scenario.callouts
    expected_urgent = settings.urgent_per_year * 28 / 365.25
    urgent = sum(c.urgent for c in calls)
    assert abs(urgent - expected_urgent) < 4 * np.sqrt(expected_urgent)
    expected_all = (settings.urgent_per_year + settings.non_urgent_per_year) * 28 / 365.25
    assert abs(len(calls) - expected_all) < 4 * np.sqrt(expected_all)
    assert hourly_rates(mvj_district, 28).sum() == pytest.approx(expected_all, rel=0.01)


def test_evening_is_busier_than_early_morning(
    mvj_district: District, fallback: TravelTimes
) -> None:
    calls = generate_callouts(mvj_district, fallback, 28, np.random.default_rng(1))
    start_hour = mvj_district.scenario.start.hour
    hours = np.array([(start_hour + c.received_s / 3600) % 24 for c in calls]).astype(int)
    assert (hours == 20).sum() > 2 * (hours == 4).sum()


def test_callouts_lie_in_the_district_with_their_kommune(
    mvj_district: District, fallback: TravelTimes
) -> None:
    calls = generate_callouts(mvj_district, fallback, 3, np.random.default_rng(3))
    xy = np.array([(c.x, c.y) for c in calls])
    assert shapely.contains_xy(mvj_district.polygon, xy[:, 0], xy[:, 1]).all()
    assert {c.kommunekode for c in calls} <= set(mvj_district.kommuner)
    times = [c.received_s for c in calls]
    assert times == sorted(times) and times[0] >= 0 and times[-1] < 3 * 86400


def test_rural_share_is_respected(mvj_district: District, fallback: TravelTimes) -> None:
    calls = generate_callouts(mvj_district, fallback, 14, np.random.default_rng(9))
    share = np.mean([c.rural for c in calls])
    assert abs(share - mvj_district.scenario.callouts.rural_share) < 0.05


class _NoFerries(StraightLine):
    """Nothing north of Limfjorden's latitude at Thisted can be reached (a closed island)."""

    def matrix(self, origins, destinations):  # type: ignore[no-untyped-def]
        seconds = super().matrix(origins, destinations)
        seconds[:, destinations[:, 1] > 6_300_000] = np.nan
        return seconds


def test_places_no_station_can_reach_are_redrawn(mvj_district: District) -> None:
    calls = generate_callouts(mvj_district, _NoFerries(), 3, np.random.default_rng(2))
    assert calls and all(c.y <= 6_300_000 for c in calls)
