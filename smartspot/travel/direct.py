"""The fallback's direct trips: two close points whose straight line stays on land are timed
along that line (no detour to the grid's nodes), a longer one faster than a shorter one
(:func:`~smartspot.travel.land.direct_kmh`), slower where the line crosses a town core.

A pair's direct time depends on its two points alone, and the live engine asks the same pairs
again and again (the legs between a district's open hotspots, clear after clear): each pair's
answer is remembered (up to :data:`PAIRS_KEPT` pairs per model, then the memory starts over),
and :meth:`DirectTrips.among` works out every close pair of a point set at once (warm-up).
"""

from __future__ import annotations

import functools
import threading

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import distance_transform_edt
from scipy.spatial import cKDTree

from smartspot.travel.land import LandGraph, direct_kmh
from smartspot.travel.land_edges import town_cores
from smartspot.travel.port import Points, Seconds

SHARE_SAMPLES = 9  # points along a direct line tested for a town core
PAIRS_KEPT = 500_000  # about 100 MB of remembered pairs per model at most
WARM_BATCH = 20_000  # pairs worked out at once at warm-up (their line samples in memory)


class DirectTrips:
    """Straight-line seconds and metres of the close pairs of a land graph's points."""

    def __init__(self, land: LandGraph) -> None:
        self.land = land
        core_xy, self._town_radius = town_cores(land.towns, land.params)
        self._town_tree = cKDTree(core_xy) if len(core_xy) else None
        # a pair's four coordinates' bytes -> seconds + i metres: only atoms, so the garbage
        # collector never walks them; the pairs worked out at warm-up apart from those asked
        # (which start over when full), so that the warm ones stay
        self._known: dict[bytes, complex] = {}
        self._warmed: dict[bytes, complex] = {}
        self._table = _PairTable.empty()
        self._lock = threading.Lock()

    def __call__(self, o: Points, d: Points) -> tuple[Seconds, Seconds]:
        """Seconds and metres from every origin to every destination along the straight
        line, for the pairs at most ``direct_max_m`` apart whose line stays on land (``inf``
        elsewhere)."""
        p = self.land.params
        gap = np.hypot(o[:, None, 0] - d[None, :, 0], o[:, None, 1] - d[None, :, 1])
        seconds = np.full(gap.shape, np.inf)
        metres = np.full(gap.shape, np.inf)
        i, j = np.nonzero(gap <= p.direct_max_m)
        if len(i) == 0:
            return seconds, metres
        # the pairs among the warm points in one look-up, the rest pair by pair
        found, hit = self._table.find(o, d, i, j)
        rest = np.flatnonzero(~hit)
        if len(rest):
            found[rest] = self._pairs(o[i[rest]], d[j[rest]], gap[i[rest], j[rest]])
        seconds[i, j] = found.real
        metres[i, j] = found.imag
        return seconds, metres

    def _pairs(
        self, a: NDArray[np.float64], b: NDArray[np.float64], gap: NDArray[np.float64]
    ) -> NDArray[np.complex128]:
        """Seconds + i metres of each pair ``a[k] → b[k]``: remembered, or worked out now."""
        keys = _pair_keys(a, b)
        with self._lock:
            warmed, asked = self._warmed.get, self._known.get
            known = [warmed(k, asked(k)) for k in keys]
        todo = np.array([n for n, k in enumerate(known) if k is None], dtype=np.int64)
        if len(todo):
            s, m = self._lines(a[todo], b[todo], gap[todo])
            with self._lock:
                if len(self._known) + len(todo) > PAIRS_KEPT:
                    self._known.clear()
                for n, value in zip(todo.tolist(), _complex(s, m), strict=True):
                    self._known[keys[n]] = known[n] = value
        return np.array(known, dtype=np.complex128)

    def among(self, points: Points) -> None:
        """Work out and remember the direct trips between every two of ``points`` (the open
        hotspots of a district, at warm-up) that lie close enough, both ways (and from each to
        itself), in place of the set worked out before (whose pairs are reused)."""
        fresh: dict[bytes, complex] = {}
        values: list[complex] = []
        if len(points):
            pairs = cKDTree(points).query_pairs(
                self.land.params.direct_max_m, output_type="ndarray"
            )
            itself = np.repeat(np.arange(len(points)), 2).reshape(-1, 2)
            pairs = np.vstack([itself, pairs, pairs[:, ::-1]])[:PAIRS_KEPT]
        else:
            pairs = np.empty((0, 2), dtype=np.int64)
        for lo in range(0, len(pairs), WARM_BATCH):
            a, b = points[pairs[lo : lo + WARM_BATCH, 0]], points[pairs[lo : lo + WARM_BATCH, 1]]
            keys = _pair_keys(a, b)
            with self._lock:
                old = [self._warmed.get(k) for k in keys]
            new = np.array([v is None for v in old], dtype=bool)
            fresh.update((k, v) for k, v in zip(keys, old, strict=True) if v is not None)
            if new.any():
                a, b = a[new], b[new]
                s, m = self._lines(a, b, np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1]))
                todo = [k for k, n in zip(keys, new.tolist(), strict=True) if n]
                fresh.update(zip(todo, _complex(s, m), strict=True))
            values.extend(fresh[k] for k in keys)
        table = _PairTable.of(points, pairs, np.array(values, dtype=np.complex128))
        with self._lock:
            self._warmed = fresh
            self._table = table

    def _lines(
        self, a: NDArray[np.float64], b: NDArray[np.float64], gap: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per pair: seconds and metres along the line ``a → b`` (``inf`` where it leaves
        land)."""
        p = self.land.params
        seconds = np.full(len(a), np.inf)
        metres = np.full(len(a), np.inf)
        ok = self._surely_dry(a, b, gap)
        ok[~ok] = self.land.mask.lines_on_land(a[~ok], b[~ok], gap_m=p.water_gap_m)
        a, b, gap = a[ok], b[ok], gap[ok]
        # share of the line inside a town core, from 9 points along it (the ends and middle
        # alone would count a trip between two towns as all core)
        # (the samples of every line looked up at once, added up in the same order)
        along = np.linspace(0.0, 1.0, SHARE_SAMPLES)[:, None, None]
        urban = self._urban((a[None] + along * (b - a)[None]).reshape(-1, 2))
        share = np.zeros(len(a))
        for sample in urban.reshape(SHARE_SAMPLES, len(a)):
            share += sample
        share /= SHARE_SAMPLES
        fast = direct_kmh(gap, p) / 3.6
        per_m = p.circuity * (share / (p.urban_kmh / 3.6) + (1 - share) / fast)
        seconds[ok] = gap * per_m
        metres[ok] = gap * p.circuity
        return seconds, metres

    def _urban(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """1.0 where a point lies in the core of one of its 4 nearest towns: looked up in the
        town cores' raster first (a point in a cell no core touches is rural), the rest
        asked of the towns' tree (:meth:`_urban_near_towns`)."""
        out = np.zeros(len(xy))
        if self._town_tree is None or len(xy) == 0:
            return out
        mask, touched = self.land.mask, self._core_cells
        c = np.rint((xy[:, 0] - mask.x0) / mask.cell).astype(np.int64)
        r = np.rint((xy[:, 1] - mask.y0) / mask.cell).astype(np.int64)
        rows, cols = touched.shape
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        near = ~inside
        near[inside] = touched[r[inside], c[inside]]
        out[near] = self._urban_near_towns(xy[near])
        return out

    def _surely_dry(
        self, a: NDArray[np.float64], b: NDArray[np.float64], gap: NDArray[np.float64]
    ) -> NDArray[np.bool_]:
        """Per pair: is every sample of the line ``a → b`` (see
        :meth:`~smartspot.travel.landmask.LandMask.lines_on_land`) surely on land? A sample
        ``t`` metres from ``a`` falls in a cell whose centre is at most ``t`` + a cell's
        diagonal from ``a``'s cell's centre, so it is on land if that is less than the
        distance from ``a``'s cell to the nearest cell not on land; likewise from ``b``. Both
        ends' dry reaches together longer than the line: the whole line is dry."""
        mask, dry = self.land.mask, self._dry_cells
        rows, cols = dry.shape
        reach = []
        for end in (a, b):
            c = np.rint((end[:, 0] - mask.x0) / mask.cell).astype(np.int64)
            r = np.rint((end[:, 1] - mask.y0) / mask.cell).astype(np.int64)
            inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
            d = np.zeros(len(end))
            d[inside] = dry[r[inside], c[inside]] * mask.cell
            reach.append(d - mask.cell * np.sqrt(2))  # two half diagonals
        sure: NDArray[np.bool_] = reach[0] + reach[1] > gap + 1.0  # + 1 m for rounding
        return sure

    @functools.cached_property
    def _dry_cells(self) -> NDArray[np.uint16]:
        """Per cell of the land mask: cells (rounded down) from its centre to the nearest cell
        centre not on land (outside the raster counts as not on land); 5.6 MB for Midt- og Vestjylland."""
        land = np.pad(self.land.mask.land, 1, constant_values=False)
        cells = np.floor(distance_transform_edt(land)[1:-1, 1:-1])
        return np.minimum(cells, np.iinfo(np.uint16).max).astype(np.uint16)

    @functools.cached_property
    def _core_cells(self) -> NDArray[np.bool_]:
        """Per cell of the land mask's raster: does any town core reach into it? A point lies
        within half a cell's diagonal of its cell's centre, so a core of radius ``r`` around
        ``C`` can hold a point of the cell only when the centre is within ``r`` + that of
        ``C``; every other cell's points are outside every core."""
        mask = self.land.mask
        touched = np.zeros(mask.land.shape, dtype=bool)
        assert self._town_tree is not None
        reach = self._town_radius + mask.cell * np.sqrt(2) / 2 + 1.0  # + 1 m for rounding
        rows, cols = mask.land.shape
        centres = np.asarray(self._town_tree.data, dtype=np.float64)
        for (cx, cy), far in zip(centres.tolist(), reach.tolist(), strict=True):
            c = np.arange(
                max(int(np.floor((cx - far - mask.x0) / mask.cell)), 0),
                min(int(np.ceil((cx + far - mask.x0) / mask.cell)), cols - 1) + 1,
            )
            r = np.arange(
                max(int(np.floor((cy - far - mask.y0) / mask.cell)), 0),
                min(int(np.ceil((cy + far - mask.y0) / mask.cell)), rows - 1) + 1,
            )
            gx, gy = mask.x0 + c * mask.cell - cx, mask.y0 + r * mask.cell - cy
            touched[np.ix_(r, c)] |= np.hypot(gx[None, :], gy[:, None]) <= far
        return touched

    def _urban_near_towns(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`_urban` by the towns' tree alone: in the core of one of the 4 nearest."""
        if self._town_tree is None or len(xy) == 0:
            return np.zeros(len(xy))
        k = min(4, len(self._town_radius))
        distance, index = self._town_tree.query(xy, k=k)
        distance, index = distance.reshape(len(xy), -1), index.reshape(len(xy), -1)
        return (distance < self._town_radius[index]).any(axis=1).astype(np.float64)


class _PairTable:
    """The direct trips among the warm points, looked up for many pairs at once: each warm
    point's number by its coordinates (a dict of ``x + iy``, the same exact key as the
    pair's bytes), each pair's answer by ``number(a) * n + number(b)`` in a sorted array.
    A pair of the same two points gives the answer the pair's bytes give in
    ``DirectTrips._warmed`` (both made from the same list), so a hit here is that answer."""

    __slots__ = ("codes", "n", "numbers", "values")

    def __init__(
        self,
        numbers: dict[complex, int],
        n: int,
        codes: NDArray[np.int64],
        values: NDArray[np.complex128],
    ) -> None:
        self.numbers, self.n, self.codes, self.values = numbers, n, codes, values

    @classmethod
    def empty(cls) -> _PairTable:
        return cls({}, 0, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.complex128))

    @classmethod
    def of(
        cls, points: Points, pairs: NDArray[np.int64], values: NDArray[np.complex128]
    ) -> _PairTable:
        """The table of ``pairs`` (rows of two indices into ``points``) and their answers."""
        n = len(points)
        numbers: dict[complex, int] = {}
        for k, key in enumerate(_point_keys(points)):
            numbers.setdefault(key, k)  # a point given twice: its first number (same pairs)
        codes = pairs[:, 0].astype(np.int64) * n + pairs[:, 1]
        order = np.argsort(codes, kind="stable")
        return cls(numbers, n, codes[order], values[order])

    def find(
        self,
        o: NDArray[np.float64],
        d: NDArray[np.float64],
        i: NDArray[np.intp],
        j: NDArray[np.intp],
    ) -> tuple[NDArray[np.complex128], NDArray[np.bool_]]:
        """The answers of the pairs ``o[i[k]] → d[j[k]]`` found here, and which were."""
        found = np.zeros(len(i), dtype=np.complex128)
        if not len(self.codes):
            return found, np.zeros(len(i), dtype=bool)
        get = self.numbers.get
        on = np.array([get(k, -1) for k in _point_keys(o)], dtype=np.int64)
        dn = np.array([get(k, -1) for k in _point_keys(d)], dtype=np.int64)
        a, b = on[i], dn[j]
        codes = a * self.n + b
        at = np.minimum(np.searchsorted(self.codes, codes), len(self.codes) - 1)
        hit = (a >= 0) & (b >= 0) & (self.codes[at] == codes)
        found[hit] = self.values[at[hit]]
        return found, hit


def _point_keys(points: Points) -> list[complex]:
    """Each point as ``x + iy`` (exact, hashable)."""
    keys: list[complex] = (
        np.ascontiguousarray(points, dtype=np.float64).view(np.complex128).ravel().tolist()
    )
    return keys


def _pair_keys(a: NDArray[np.float64], b: NDArray[np.float64]) -> list[bytes]:
    """Each pair of points as the bytes of its four coordinates (exact, hashable)."""
    both = np.ascontiguousarray(np.hstack([a, b]), dtype=np.float64)
    keys: list[bytes] = both.view("V32").ravel().tolist()
    return keys


def _complex(real: NDArray[np.float64], imag: NDArray[np.float64]) -> list[complex]:
    """``real + i imag`` element by element (``inf`` kept: not ``real + 1j * imag``)."""
    out = np.empty(len(real), dtype=np.complex128)
    out.real, out.imag = real, imag
    values: list[complex] = out.tolist()
    return values
