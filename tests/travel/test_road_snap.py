"""Snapping is remembered per point: a point snaps alike alone, among others never seen
together, and again; and a point off the fallback's coast snaps to its nearest landmass."""

from __future__ import annotations

import numpy as np
import pytest

from smartspot.errors import InvalidInputError
from smartspot.travel.fallback import LandTravelTimes
from smartspot.travel.land import LandGraph
from tests.travel.conftest import KATTEGAT, OEJ_TOWNS, around, xy


def test_points_snap_alike_alone_among_others_and_again(oej_land: LandGraph) -> None:
    model = LandTravelTimes(oej_land)
    points = around(OEJ_TOWNS, seed=1)
    fresh = LandTravelTimes(oej_land)
    alone = [fresh.snap(p) for p in points]  # each point the first time, on its own
    first = model.snap(points[::2])
    mixed = model.snap(points[::-1])  # a set never asked, half of its points seen
    again = model.snap(points[::2])
    nodes = np.array([a[0][0] for a in alone])
    gaps = np.array([a[1][0] for a in alone])
    np.testing.assert_array_equal(first[0], nodes[::2])
    np.testing.assert_array_equal(mixed[0], nodes[::-1])
    np.testing.assert_array_equal(mixed[1], gaps[::-1])
    np.testing.assert_array_equal(again[1], gaps[::2])


def test_an_edited_hotspot_snaps_where_it_now_lies(oej_land: LandGraph) -> None:
    """A snap is remembered by the point's exact coordinates: a hotspot moved (edited) is a
    new point and snaps anew, among the open ones remembered before, never to its old node."""
    model = LandTravelTimes(oej_land)
    points = around(OEJ_TOWNS, seed=2)
    before = model.snap(points)
    moved = points.copy()
    moved[3] += [1_500.0, -900.0]  # edited: 1.7 km away
    moved[4] += [0.0, 1e-6]  # and one by a micrometre: its own key, the same place
    after = model.snap(moved)
    cold = LandTravelTimes(oej_land).snap(moved)
    np.testing.assert_array_equal(after[0], cold[0])
    np.testing.assert_array_equal(after[1], cold[1])
    assert after[0][3] != before[0][3]
    np.testing.assert_array_equal(np.delete(after[0], 3), np.delete(before[0], 3))


def test_a_sea_point_among_remembered_ones_is_refused_by_its_place(oej_land: LandGraph) -> None:
    model = LandTravelTimes(oej_land)
    land = around(OEJ_TOWNS[:2], seed=2, per_town=2)
    model.snap(land)
    with pytest.raises(InvalidInputError, match=r"points\[2\]"):
        model.snap(np.vstack([land[:2], xy(*KATTEGAT), land[2:]]))


def test_a_point_off_the_coast_snaps_to_its_nearest_landmass(oej_land: LandGraph) -> None:
    import shapely

    model = LandTravelTimes(oej_land)
    rng = np.random.default_rng(6)
    points = []
    for part in oej_land.parts[:12]:  # the mainland and the islands, each from its own coast
        for f in rng.uniform(0, 1, size=4):
            at = part.exterior.interpolate(f, normalized=True)
            points.append((at.x + rng.uniform(-800, 800), at.y + rng.uniform(-800, 800)))
    xy_ = np.array(points)
    parts = np.array(oej_land.parts, dtype=object)
    off = [p for p in xy_ if not shapely.contains_xy(parts, *p).any()]
    assert len(off) > 10
    nearest = [int(np.argmin(shapely.distance(parts, shapely.Point(p)))) for p in off]
    np.testing.assert_array_equal(model._landmass(np.array(off), "points", []), nearest)


def test_a_point_on_land_takes_the_first_landmass_that_holds_it(oej_land: LandGraph) -> None:
    import shapely

    model = LandTravelTimes(oej_land)
    rng = np.random.default_rng(8)
    # every island's own point, then points anywhere in the district's box
    points = [shapely.get_coordinates(part.representative_point())[0] for part in oej_land.parts]
    x0, y0, x1, y1 = np.array([p.bounds for p in oej_land.parts]).T
    anywhere = rng.uniform((x0.min(), y0.min()), (x1.max(), y1.max()), (4000, 2))
    xy_ = np.vstack([points, anywhere])
    holds = np.stack([shapely.contains_xy(p, xy_[:, 0], xy_[:, 1]) for p in oej_land.parts])
    on = holds.any(axis=0)
    assert on[: len(points)].all() and 100 < on.sum() < len(xy_)
    first = np.argmax(holds[:, on], axis=0)
    np.testing.assert_array_equal(model._landmass(xy_[on], "points", []), first)


def test_the_coasts_pieces_give_the_distance_of_the_nearest_outline_segment(
    oej_land: LandGraph,
) -> None:
    import shapely

    model = LandTravelTimes(oej_land)
    rng = np.random.default_rng(8)
    points = []
    for part in oej_land.parts[:12]:
        for f in rng.uniform(0, 1, size=6):
            at = part.exterior.interpolate(f, normalized=True)
            points.append((at.x + rng.uniform(-900, 900), at.y + rng.uniform(-900, 900)))
    tree, owner = model._coast
    (which, piece), gap = tree.query_nearest(
        shapely.points(np.array(points)), max_distance=5_000.0, return_distance=True
    )
    boundaries = np.array([p.boundary for p in oej_land.parts], dtype=object)
    for w, k, g in zip(which.tolist(), piece.tolist(), gap.tolist(), strict=True):
        to_each = shapely.distance(boundaries, shapely.Point(points[w]))
        assert g == pytest.approx(to_each.min(), rel=1e-12, abs=1e-9)  # no segment left out
        assert to_each[owner[k]] == pytest.approx(g, rel=1e-12, abs=1e-9)  # its landmass
