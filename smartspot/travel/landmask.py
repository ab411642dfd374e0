"""A land raster: "does this straight line stay on land?" for thousands of pairs at once.

The fallback's graph answers long trips; a short trip between two points whose straight line
stays on land is better answered directly (no detour to the grid nodes, no zig-zag along the
grid). Testing a line against the coastline polygons costs too much per query, so the land is
rasterised once when the graph is built (100 m cells, about 0.7 s per district) and a line is
tested by sampling cells along it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

CELL_M = 100.0


@dataclass(frozen=True, slots=True, eq=False)
class LandMask:
    """Boolean raster of land; cell ``(r, c)`` is centred on ``(x0 + c·cell, y0 + r·cell)``."""

    x0: float
    y0: float
    cell: float
    land: NDArray[np.bool_]

    def __post_init__(self) -> None:
        if self.land.ndim != 2 or not self.cell > 0:
            raise InvalidInputError(msg("a land mask needs a 2-D raster and a positive cell size"))

    def on_land(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Per point: does it fall in a land cell (outside the raster: no)."""
        c = np.rint((x - self.x0) / self.cell).astype(np.int64)
        r = np.rint((y - self.y0) / self.cell).astype(np.int64)
        rows, cols = self.land.shape
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        out = np.zeros(len(x), dtype=bool)
        out[inside] = self.land[r[inside], c[inside]]
        return out

    def lines_on_land(
        self, a: NDArray[np.float64], b: NDArray[np.float64], *, gap_m: float = 150.0
    ) -> NDArray[np.bool_]:
        """Per pair of points (rows of ``a`` and ``b``): does the straight line stay on land?

        Water narrower than ``gap_m`` (consecutive wet samples spanning less than it) is
        allowed, as on the graph's own edges: slivers of the generalised outline.
        """
        if len(a) == 0:
            return np.zeros(0, dtype=bool)
        length = np.hypot(*(b - a).T)
        count = np.maximum(np.ceil(length / self.cell).astype(np.int64), 1) + 1
        owner = np.repeat(np.arange(len(a)), count)
        step = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
        frac = step / np.repeat(count - 1, count)
        sx = a[owner, 0] + frac * (b[owner, 0] - a[owner, 0])
        sy = a[owner, 1] + frac * (b[owner, 1] - a[owner, 1])
        wet = ~self.on_land(sx, sy)
        return no_wide_water(wet, owner, len(a), int(gap_m // self.cell))


def no_wide_water(
    wet: NDArray[np.bool_], owner: NDArray[np.int64], n: int, allowed: int
) -> NDArray[np.bool_]:
    """Per line (samples grouped by ``owner``, in order): no run of more than ``allowed``
    consecutive wet samples along it."""
    run = wet.astype(np.int64)
    same = np.concatenate([[False], owner[1:] == owner[:-1]])
    for _ in range(allowed):  # run[k] counts wet samples ending at k, up to allowed + 1
        prev = np.concatenate([[0], run[:-1]])
        run = np.where(wet, 1 + np.where(same, prev, 0), 0)
    return np.bincount(owner, weights=run > allowed, minlength=n) == 0


def rasterise(land: BaseGeometry, *, cell: float = CELL_M) -> LandMask:
    """The land raster of ``land`` (EPSG:25832 polygons) at ``cell`` metres."""
    x0, y0, x1, y1 = land.bounds
    xs = np.arange(x0, x1 + cell, cell)
    ys = np.arange(y0, y1 + cell, cell)
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(land, gx.ravel(), gy.ravel()).reshape(gx.shape)
    return LandMask(x0=float(x0), y0=float(y0), cell=cell, land=inside)
