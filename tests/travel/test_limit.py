"""A question's own cut-off (``limit_s`` on the TravelTimes port): every time within it is the
unbounded answer, every time beyond it is NaN, on every adapter, and a tree grown only to a
short cut-off never answers a longer question."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from smartspot.resources import DATA_DIR
from smartspot.travel.config import district_config, land_graph, travel_times
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.ferries import load_timetables
from smartspot.travel.graph import RoadGraph
from smartspot.travel.land import FallbackParams
from smartspot.travel.links import load_links
from smartspot.travel.port import TravelTrips
from smartspot.travel.road import RoadTravelTimes
from smartspot.travel.road_ferries import timed_ferries
from smartspot.travel.straight import StraightLineTravelTimes
from tests.travel.conftest import HOU_HARBOUR, NORDBY_SAMSOE, TRANEBJERG, town, xy

NOON = datetime(2026, 12, 1, 11, 50, tzinfo=ZoneInfo("Europe/Copenhagen"))
MVJ_TOWNS = ("Holstebro", "Herning", "Struer", "Skive", "Viborg", "Lemvig", "Ringkøbing")
OEJ_TOWNS = ("Århus", "Odder", "Randers", "Grenaa", "Silkeborg", "Horsens")


def _cut(full: np.ndarray, limit: float) -> np.ndarray:
    return np.where(full <= limit, full, np.nan)


def _check(model: TravelTrips, points: np.ndarray, depart_at: datetime | None = None) -> None:
    full = model.matrix(points, points, depart_at=depart_at)
    values = np.unique(full[np.isfinite(full) & (full > 0)])
    # bounds halfway between two answers: no time sits on the bound itself
    for k in (len(values) // 3, len(values) // 2):
        limit = float(values[k] + values[k + 1]) / 2
        bounded = model.matrix(points, points, depart_at=depart_at, limit_s=limit)
        np.testing.assert_array_equal(bounded, _cut(full, limit))
        trips = model.trips(points, points, depart_at=depart_at, limit_s=limit)
        np.testing.assert_array_equal(trips.seconds, bounded)
        assert np.array_equal(np.isnan(trips.metres), np.isnan(bounded))
        assert np.isnan(bounded).sum() > np.isnan(full).sum()  # the bound took something away


def _points(names: tuple[str, ...]) -> np.ndarray:
    return np.vstack([town(name) for name in names])


def test_the_fallback_answers_within_a_bound_as_without_it(mvj_fallback: LandTravelTimes) -> None:
    _check(mvj_fallback, _points(MVJ_TOWNS))


def test_the_road_graph_and_its_timed_ferries_answer_within_a_bound(samsoe: RoadGraph) -> None:
    ferries = timed_ferries(
        samsoe,
        load_links(DATA_DIR / "fixed_links.csv"),
        load_timetables(DATA_DIR / "ferry_timetables.csv"),
    )
    model = RoadTravelTimes(samsoe, ferries=ferries)
    points = np.vstack([xy(*HOU_HARBOUR), xy(*TRANEBJERG), xy(*NORDBY_SAMSOE)])
    _check(model, points)
    _check(model, points, depart_at=NOON)


def test_the_district_model_answers_within_a_bound_at_noon() -> None:
    model = travel_times(district_config("Østjyllands Politi"))
    points = np.vstack([_points(OEJ_TOWNS), xy(*TRANEBJERG)])
    _check(model, points)
    _check(model, points, depart_at=NOON)


def test_the_straight_line_model_masks_beyond_a_bound() -> None:
    _check(StraightLineTravelTimes(), _points(MVJ_TOWNS))


@pytest.mark.parametrize("reverse", [False, True])
def test_a_tree_cut_short_is_grown_again_for_a_longer_question(reverse: bool) -> None:
    model = LandTravelTimes(land_graph("Midt- og Vestjyllands Politi", FallbackParams()))
    one, many = _points(MVJ_TOWNS[:1]), _points(MVJ_TOWNS)
    ask = (
        (lambda **kw: model.matrix(many, one, **kw))
        if reverse
        else (lambda **kw: model.matrix(one, many, **kw))
    )
    short = ask(limit_s=900.0)
    assert np.isnan(short).sum() > 0
    full = ask()  # the same trees, asked without the bound
    fresh = LandTravelTimes(land_graph("Midt- og Vestjyllands Politi", FallbackParams()))
    expected = fresh.matrix(many, one) if reverse else fresh.matrix(one, many)
    np.testing.assert_array_equal(full, expected)
    assert np.isfinite(full).all()
    np.testing.assert_array_equal(ask(limit_s=900.0), short)  # and the long tree answers short
