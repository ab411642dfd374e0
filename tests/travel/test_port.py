from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.port import Trips, check_depart_at
from tests.travel.conftest import town


def test_a_naive_departure_time_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        check_depart_at(datetime(2026, 12, 1, 12, 0))


def test_aware_departure_times_and_none_are_accepted() -> None:
    local = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert check_depart_at(local) is local
    assert check_depart_at(None) is None


def test_matrix_takes_the_departure_time_as_a_keyword(mvj_fallback: LandTravelTimes) -> None:
    a, b = town("Holstebro"), town("Herning")
    without = mvj_fallback.matrix(a, b)
    at_noon = mvj_fallback.matrix(a, b, depart_at=datetime(2026, 12, 1, 11, 0, tzinfo=UTC))
    # no ferry between them: the time does not depend on the clock
    assert at_noon[0, 0] == pytest.approx(without[0, 0])
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        mvj_fallback.matrix(a, b, depart_at=datetime(2026, 12, 1, 11, 0))


def test_trips_need_matching_shapes() -> None:
    with pytest.raises(InvalidInputError, match="same shape"):
        Trips(np.zeros((2, 3)), np.zeros((3, 2)))
