"""A clear's problem on the Østjylland district model (fallback, Samsø/Tunø/Anholt graphs,
Aarhus C area graph, timetabled ferries) is the one the full timetable search gives: the
travel layer's shortcuts (timetables searched only where a crossing may beat the road, the
warm direct pairs looked up at once) change no time, no task and no reason, by day and at
night (Samsø closed)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from shapely.geometry import Point

from smartspot.optimise.build import BuiltProblem, FreeCar, build_problem
from smartspot.optimise.value import ValueSettings
from smartspot.travel.composite import CompositeTravelTimes
from smartspot.travel.config import district_config, travel_times
from smartspot.travel.port import Points, Seconds
from smartspot.travel.speed_bound import top_speed_mps
from tests.test_domain import make_hotspot
from tests.travel.conftest import NORDBY_SAMSOE, OEJ_TOWNS, TRANEBJERG, around, town, xy

CPH = ZoneInfo("Europe/Copenhagen")
DISTRICT = "Østjyllands Politi"
AARHUS_C = ((10.2178, 56.1422), (10.2150, 56.1410))


class FullSearch(CompositeTravelTimes):
    """The same model (its parts, caches and top speed), every question answered with the
    timetables searched from every origin (``trips``, metres asked: the path the shortcuts
    are measured against)."""

    def __init__(self, travel: CompositeTravelTimes) -> None:
        self.__dict__.update(travel.__dict__)

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        trips = self.trips(origins, destinations, depart_at=depart_at, limit_s=limit_s)
        seconds: Seconds = trips.seconds
        return seconds


def _model(places: np.ndarray, stations: np.ndarray) -> CompositeTravelTimes:
    model = travel_times(district_config(DISTRICT))
    assert isinstance(model, CompositeTravelTimes)
    model.warm_to(stations)  # as the live engine warms a district
    model.warm_from(stations)
    model.warm_among(places, limit_s=2400.0)
    return model


def _build(travel: object, now: datetime, places: np.ndarray, stations: np.ndarray) -> BuiltProblem:
    spots = [
        make_hotspot(id=f"HS-{k:06d}", geometry=Point(p), priority=1 + k % 5, windows=())
        for k, p in enumerate(places.tolist())
    ]
    odder, aarhus = town("Odder")[0], town("Århus")[0]
    cars = [
        FreeCar("OJ-1", Point(odder + 300), Point(stations[0]), now, budget_s=3 * 3600),
        FreeCar("OJ-2", Point(aarhus + 200), Point(stations[1]), now, budget_s=1800),
    ]
    return build_problem(
        cars, spots, travel, now, stations=stations,  # type: ignore[arg-type]
        settings=ValueSettings(), rng=np.random.default_rng(7),
    )  # fmt: skip


@pytest.mark.parametrize("hour", [(11, 30), (23, 30), (2, 0)])
def test_a_clears_problem_is_the_one_the_full_timetable_search_gives(
    hour: tuple[int, int],
) -> None:
    now = datetime(2026, 12, 1, *hour, tzinfo=CPH)
    places = np.vstack(
        [
            around(OEJ_TOWNS, seed=21, per_town=5),
            *(xy(*p) for p in AARHUS_C),
            xy(*TRANEBJERG),
            xy(*NORDBY_SAMSOE),
        ]
    )
    stations = np.vstack([town("Odder"), town("Århus")])
    fast = _build(_model(places, stations), now, places, stations)
    full_model = FullSearch(_model(places, stations))
    assert top_speed_mps(full_model) is not None  # the same straight-line prefilter
    full = _build(full_model, now, places, stations)
    assert fast.problem is not None and full.problem is not None
    assert fast.problem.hotspots == full.problem.hotspots
    np.testing.assert_array_equal(fast.problem.travel_s, full.problem.travel_s)
    assert fast.left_out == full.left_out
    assert fast.direct_s == full.direct_s
    samsoe = {f"HS-{len(places) - 2:06d}", f"HS-{len(places) - 1:06d}"}
    on_samsoe = {t.id for t in fast.problem.hotspots} & samsoe
    reasons = {fast.left_out[k].code for k in samsoe - on_samsoe}
    if hour[0] in (23, 2):  # the last ferry has left: no way home from Samsø tonight
        assert not on_samsoe and reasons == {"unreachable"}
    else:
        assert on_samsoe or reasons <= {"outside_budget"}
