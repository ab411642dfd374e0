"""The fallback's direct lines: remembered per pair (a pair answers alike alone, among
others and again, or worked out at warm-up), the town-core raster and the dry-line shortcut
exact against the slow ways."""

from __future__ import annotations

import numpy as np

from smartspot.travel.direct import DirectTrips
from smartspot.travel.land import LandGraph
from tests.travel.conftest import OEJ_TOWNS, around


def test_direct_lines_answer_alike_alone_among_others_and_again(oej_land: LandGraph) -> None:
    direct = DirectTrips(oej_land)
    points = around(OEJ_TOWNS, seed=3)
    seconds, metres = direct(points, points)
    assert np.isfinite(seconds).mean() > 0.2  # many pairs close enough, on land
    for k in (0, 7, 20):
        one_s, one_m = DirectTrips(oej_land)(points[k : k + 1], points)
        np.testing.assert_array_equal(one_s[0], seconds[k])
        np.testing.assert_array_equal(one_m[0], metres[k])
    order = np.random.default_rng(4).permutation(len(points))
    again_s, again_m = direct(points[order], points)  # every pair remembered, rows reordered
    np.testing.assert_array_equal(again_s, seconds[order])
    np.testing.assert_array_equal(again_m, metres[order])


def test_direct_lines_worked_out_at_warm_up_answer_as_asked_ones(oej_land: LandGraph) -> None:
    warmed = DirectTrips(oej_land)
    points = around(OEJ_TOWNS, seed=5)
    warmed.among(points)
    assert len(warmed._warmed) > len(points)  # the close pairs, both ways
    seconds, metres = warmed(points, points)
    assert len(warmed._known) == 0  # every close pair was ready
    fresh_s, fresh_m = DirectTrips(oej_land)(points, points)
    np.testing.assert_array_equal(seconds, fresh_s)
    np.testing.assert_array_equal(metres, fresh_m)
    warmed.among(points[:10])  # another set in place of the first: only its pairs stay
    assert 10 <= len(warmed._warmed) <= 10 * 10
    np.testing.assert_array_equal(warmed(points, points)[0], fresh_s)


def test_warm_pairs_are_looked_up_at_once_and_a_moved_point_is_worked_out_anew(
    oej_land: LandGraph,
) -> None:
    """Among the warm points every close pair is found in one look-up (by the points'
    numbers); a point given twice, a new one and one moved by half a metre (a hotspot edited
    since the warm-up) answer as a cold model does, never with the old point's pairs."""
    warmed = DirectTrips(oej_land)
    points = around(OEJ_TOWNS, seed=6)
    warmed.among(np.vstack([points, points[:3]]))  # three points given twice
    moved = points[5] + [0.5, 0.0]
    asked = np.vstack([points[:40], moved, around(OEJ_TOWNS, seed=9)[:5], points[:2]])
    every = np.nonzero(np.ones((len(asked), len(points))))
    hit = warmed._table.find(asked, points, *every)[1].reshape(len(asked), len(points))
    assert hit[:40].sum() > 0 and not hit[40:46].any()  # the moved and new points: not warm
    seconds, metres = warmed(asked, points)
    fresh_s, fresh_m = DirectTrips(oej_land)(asked, points)
    np.testing.assert_array_equal(seconds, fresh_s)
    np.testing.assert_array_equal(metres, fresh_m)
    assert np.isfinite(seconds[40]).sum() > 1  # the moved point's close pairs: worked out
    assert not np.array_equal(seconds[40], seconds[5])


def test_the_town_core_raster_answers_as_the_towns_tree(oej_land: LandGraph) -> None:
    direct = DirectTrips(oej_land)
    assert direct._town_tree is not None
    rng = np.random.default_rng(7)
    centres, radius = direct._town_tree.data, direct._town_radius
    # around every core's edge (inside and out), anywhere in the raster, and beyond it
    k = rng.integers(0, len(centres), 20_000)
    angle = rng.uniform(0, 2 * np.pi, len(k))
    far = radius[k] + rng.uniform(-150, 150, len(k))
    edge = centres[k] + far[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    mask = oej_land.mask
    rows, cols = mask.land.shape
    span = np.array([cols * mask.cell, rows * mask.cell])
    anywhere = np.array([mask.x0, mask.y0]) + rng.uniform(-0.1, 1.1, (20_000, 2)) * span
    points = np.vstack([edge, anywhere])
    expected = direct._urban_near_towns(points)
    assert 0.05 < expected[: len(edge)].mean() < 0.95  # both sides of the edges were asked
    np.testing.assert_array_equal(direct._urban(points), expected)


def test_a_line_taken_as_surely_dry_stays_on_land(oej_land: LandGraph) -> None:
    direct = DirectTrips(oej_land)
    mask = oej_land.mask
    rng = np.random.default_rng(8)
    rows, cols = mask.land.shape
    span = np.array([cols * mask.cell, rows * mask.cell])
    a = np.array([mask.x0, mask.y0]) + rng.uniform(0, 1, (30_000, 2)) * span
    b = a + rng.uniform(-10_000, 10_000, a.shape)  # up to the direct lines' reach
    gap = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
    sure = direct._surely_dry(a, b, gap)
    full = mask.lines_on_land(a, b, gap_m=oej_land.params.water_gap_m)
    assert 0.1 < sure.mean() < full.mean()  # many lines spared, never one that is not dry
    assert full[sure].all()
    wet = ~mask.on_land(a[:, 0], a[:, 1])  # a line from the sea is never taken as dry
    assert wet.any() and not sure[wet].any()
