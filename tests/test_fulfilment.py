"""Fulfilment arithmetic on a fixed visit log (issue 13 §6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.fulfilment import Target, VisitFact, fulfilment, hotspot_weeks
from smartspot.outlying import is_outlying, station_round_trips
from smartspot.travel.port import cut_at
from smartspot.weeks import calendar_weeks, rolling_weeks
from smartspot.windows import LOCAL_TZ

# Monday 30 November 2026, 00:00 in Copenhagen: the first of two whole weeks
MONDAY = datetime(2026, 11, 30, tzinfo=LOCAL_TZ)

TARGETS = (
    Target("town-3", 3, outlying=False, kommunekode="0661", kommunenavn="Holstebro"),
    Target("harbo-2", 2, outlying=True, kommunekode="0665", kommunenavn="Lemvig"),
    Target("fur-1", 1, outlying=True, kommunekode="0779", kommunenavn="Skive"),
    Target("lemvig-1", 1, outlying=False, kommunekode="0665", kommunenavn="Lemvig"),
)


def at(day: float) -> datetime:
    return MONDAY + timedelta(days=day)


LOG = (
    # week 1: town-3 gets 3 (met), harbo-2 gets 1 of 2, fur-1 none, lemvig-1 gets 2 (met)
    VisitFact("town-3", at(0.5), 15.0),
    VisitFact("town-3", at(2.5), 12.0),
    VisitFact("town-3", at(4.9), 15.0),
    VisitFact("harbo-2", at(3.0), 20.0),
    VisitFact("lemvig-1", at(1.0), 15.0),
    VisitFact("lemvig-1", at(6.5), 15.0),
    # week 2: town-3 gets 1 of 3, harbo-2 2 of 2, fur-1 1 of 1, lemvig-1 none
    VisitFact("town-3", at(8.0), 15.0),
    VisitFact("harbo-2", at(9.0), 15.0),
    VisitFact("harbo-2", at(12.0), 16.0),
    VisitFact("fur-1", at(13.9), 30.0),
    # a drive-through (under the minimum stay), another register's hotspot, and after the end
    VisitFact("fur-1", at(2.0), 1.0),
    VisitFact("elsewhere", at(2.0), 15.0),
    VisitFact("town-3", at(14.0), 15.0),
)


def test_hotspot_weeks_count_desired_against_achieved_visits_and_minutes() -> None:
    weeks = calendar_weeks(MONDAY.astimezone(UTC), at(14))
    assert [w.label for w in weeks] == ["2026-W49", "2026-W50"]
    rows = {(r.hotspot, r.week): r for r in hotspot_weeks(TARGETS, LOG, weeks, min_minutes=3)}
    assert len(rows) == 8
    town = rows[("town-3", "2026-W49")]
    assert (town.desired, town.achieved, town.minutes, town.met) == (3, 3, 42.0, True)
    harbo = rows[("harbo-2", "2026-W49")]
    assert (harbo.achieved, harbo.met, harbo.ratio, harbo.missing) == (1, False, 0.5, 1)
    fur = rows[("fur-1", "2026-W49")]  # the 1-minute drive-through does not count
    assert (fur.achieved, fur.minutes, fur.met, fur.ratio) == (0, 0.0, False, 0.0)
    assert rows[("lemvig-1", "2026-W49")].ratio == 1.0  # two of one: capped at 1
    assert rows[("town-3", "2026-W50")].achieved == 1  # the visit at the very end is outside
    assert rows[("fur-1", "2026-W50")].met


def test_district_and_kommune_shares_split_outlying_and_town() -> None:
    result = fulfilment(TARGETS, LOG, calendar_weeks(MONDAY, at(14)), min_minutes=3)
    district = result.district
    # met: W49 town-3, lemvig-1; W50 harbo-2, fur-1 → 4 of 8 hotspot-weeks
    assert (district.all.met, district.all.hotspot_weeks, district.all.share) == (4, 8, 0.5)
    # outlying (harbo-2, fur-1): W49 neither, W50 both → 2 of 4
    assert district.outlying.share == 0.5 and district.outlying.hotspots == 2
    # never visited in a week: fur-1 in W49, lemvig-1 in W50; every hotspot got some visit
    assert district.all.never_visited == 2 and district.all.hotspots_never_visited == 0
    assert district.outlying.never_visited == 1 and district.town.never_visited == 1
    ratios = [1, 0.5, 0, 1, 1 / 3, 1, 1, 0]
    assert district.all.mean_ratio == pytest.approx(sum(ratios) / 8)
    assert district.all.achieved == 10 and district.all.desired == 14
    lemvig = result.kommuner["0665"]  # harbo-2 (outlying) and lemvig-1 (town)
    assert (lemvig.all.met, lemvig.all.hotspot_weeks) == (2, 4)
    assert (lemvig.outlying.met, lemvig.town.met) == (1, 1)
    assert result.kommuner["0779"].town.share is None  # Skive has no town hotspot here
    document = result.to_dict()
    assert document["district"]["outlying"]["share"] == 0.5
    assert len(document["hotspots"]) == 8 and document["weeks"][0]["week"] == "2026-W49"


def test_a_part_week_and_a_part_validity_are_pro_rated() -> None:
    # a hotspot valid from Thursday 00:00 wants 3/7 of its 2 a week in that first week
    late = Target("new", 2, outlying=False, valid_from=at(3))
    weeks = calendar_weeks(MONDAY, at(14))
    rows = hotspot_weeks([late], [VisitFact("new", at(5), 15)], weeks)
    assert rows[0].desired == pytest.approx(2 * 4 / 7) and not rows[0].met
    assert rows[1].desired == 2
    # a run of 10 days: the second "week" is 3 days long; closed hotspots want nothing
    closed = Target("closed", 1, outlying=False, valid_to=at(2))
    run = rolling_weeks(at(0), at(10))
    assert [(w.label, (w.end - w.start).days) for w in run] == [("W1", 7), ("W2", 3)]
    rows = hotspot_weeks([late, closed], [], run)
    assert [(r.hotspot, r.week) for r in rows] == [("new", "W1"), ("closed", "W1"), ("new", "W2")]
    assert rows[1].desired == pytest.approx(2 / 7)
    assert rows[2].desired == pytest.approx(2 * 3 / 7)


def test_due_counts_only_the_week_so_far_and_marks_hotspots_behind() -> None:
    weeks = calendar_weeks(MONDAY, at(7))
    target = Target("town-3", 3, outlying=False)
    monday_noon = hotspot_weeks([target], [], weeks, now=at(0.5))[0]
    assert monday_noon.due == pytest.approx(3 * 0.5 / 7) and not monday_noon.behind
    thursday = hotspot_weeks([target], [VisitFact("town-3", at(0.5))], weeks, now=at(3.5))[0]
    assert thursday.due == pytest.approx(1.5) and thursday.behind  # 1 made, 2 due
    on_track = hotspot_weeks(
        [target], [VisitFact("town-3", at(0.5)), VisitFact("town-3", at(2))], weeks, now=at(3.5)
    )[0]
    assert not on_track.behind
    over = hotspot_weeks([target], [], weeks, now=at(30))[0]
    assert over.due == 3 and over.behind and not over.met


def test_a_target_refuses_negative_desired_visits() -> None:
    with pytest.raises(InvalidInputError):
        Target("h", -1, outlying=False)


class _Table:
    """A travel model from a fixed table of seconds between named points (x = index)."""

    def __init__(self, seconds: list[list[float]]) -> None:
        self.seconds = np.array(seconds, dtype=np.float64)

    def matrix(self, origins, destinations, *, depart_at=None, limit_s=None):  # type: ignore[no-untyped-def]
        rows = np.asarray(origins)[:, 0].astype(int)
        cols = np.asarray(destinations)[:, 0].astype(int)
        return cut_at(self.seconds[np.ix_(rows, cols)].copy(), limit_s)

    def route(self, a, b):  # type: ignore[no-untyped-def]
        return None


def test_outlying_is_the_road_time_from_the_nearest_station() -> None:
    nan = float("nan")
    # points 0, 1 are stations; 2 is 10 min from station 1 (20 min back: one-way streets);
    # 3 is 5 min from station 0 but 40 min back; 4 is on an island no station reaches
    table = _Table(
        [
            [0, 600, 1800, 300, nan],
            [600, 0, 600, 1800, nan],
            [1800, 1200, 0, 900, nan],
            [2400, 2400, 900, 0, nan],
            [nan, nan, nan, nan, 0],
        ]
    )
    stations = np.array([[0.0, 0.0], [1.0, 0.0]])
    points = np.array([[2.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    trips = station_round_trips(table, stations, points)
    assert trips[0] == 1800 and trips[1] == 2700 and np.isnan(trips[2])
    assert is_outlying(trips, 15).tolist() == [False, True, True]
    assert is_outlying(trips, 25).tolist() == [False, False, True]
