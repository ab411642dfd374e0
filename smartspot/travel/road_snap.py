"""Snapping points to a road graph: the part of :class:`~smartspot.travel.road.RoadTravelTimes`
that finds where a point joins the network (nearest drivable node, a hotspot's entry point).

A cell index over the snappable nodes (:mod:`smartspot.travel.grid_index`, stored with large
graphs) answers nearest-node queries exactly. Snapping is pure (the graph never changes under
a running adapter): a repeated point set (the open hotspots, the stations) is remembered by the
set's bytes, and every point on its own (a clear asks for the cars, their stations and a few
dozen of the open hotspots together, a set never seen before, of points seen many times).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.travel.graph import RoadGraph
from smartspot.travel.grid_index import GridIndex
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import Points, Seconds, as_points

SNAP_CACHE_SIZE = 256  # point sets whose snapping is remembered
POINTS_KEPT = 200_000  # single points whose snapping is remembered (then it starts over)


class RoadSnapping:
    """Nearest-node snapping on ``self.graph`` within ``self.options.snap_m``; subclasses call
    :meth:`_init_snapping` once the graph and options are set (and may override
    :meth:`_snap_new`, as the fallback does to keep a point on its own landmass)."""

    graph: RoadGraph
    options: TravelOptions

    def _init_snapping(self) -> None:
        graph = self.graph
        self._snap_nodes = np.flatnonzero(graph.snappable)
        if len(self._snap_nodes) == 0:
            raise InvalidInputError(
                msg("road graph {source!r} has no road node to snap to", source=graph.source)
            )
        # a large graph brings its cell index from the file; a small one builds it (ms)
        self._grid = graph.grid or GridIndex.build(graph.xy, self._snap_nodes)
        self._snap_lock = threading.Lock()
        self._snaps: OrderedDict[bytes, tuple[NDArray[np.int64], Seconds]] = OrderedDict()
        # a point x + iy -> its node + i metres to it: exact, and only atoms (never walked by
        # the garbage collector)
        self._snapped: dict[complex, complex] = {}

    def road_distance(self, points: Points, within_m: float | None = None) -> Seconds:
        """Metres from each point to the nearest node a point may snap to (no limit); with
        ``within_m``, ``inf`` for every point with no such node within that distance (a
        bounded search: how a composite asks whether a graph covers a point)."""
        if within_m is None:
            found = self._grid.nearest(as_points(points), self.graph.xy, self.options.snap_m)
        else:
            found = self._grid.nearest(as_points(points), self.graph.xy, within_m, beyond=False)
        return found[1]

    def snap(self, points: ArrayLike, *, name: str = "points") -> tuple[NDArray[np.int64], Seconds]:
        """Nearest drivable node of each point and the distance to it in metres.

        Raises
        ------
        InvalidInputError
            When a point lies more than ``snap_m`` from every road: it is refused, not moved,
            because a point that far out (in the sea, or beyond the graph's area) has no honest
            driving time.
        """
        xy = as_points(points, name=name)
        if len(xy) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        return self._snap_cached(xy, name)

    def _snap_cached(self, xy: NDArray[np.float64], name: str) -> tuple[NDArray[np.int64], Seconds]:
        """Snapping is pure (the graph never changes): the same set of points asked again
        (the open hotspots, the stations) is looked up by its bytes instead of snapped again."""
        key = xy.tobytes()
        with self._snap_lock:
            hit = self._snaps.get(key)
            if hit is not None:
                self._snaps.move_to_end(key)
                return hit
        result = self._snap_points(xy, name)
        with self._snap_lock:
            self._snaps[key] = result
            if len(self._snaps) > SNAP_CACHE_SIZE:
                self._snaps.popitem(last=False)
        return result

    def _snap_points(self, xy: NDArray[np.float64], name: str) -> tuple[NDArray[np.int64], Seconds]:
        """Each point's snapping, from the points remembered one by one and the rest snapped
        together (an error names the point's place in ``xy``)."""
        keys = np.ascontiguousarray(xy).view(np.complex128).ravel().tolist()
        with self._snap_lock:
            known = [self._snapped.get(k) for k in keys]
        todo = [i for i, k in enumerate(known) if k is None]
        if todo:
            nodes, distance = self._snap_new(xy[todo], name, todo)
            with self._snap_lock:
                if len(self._snapped) + len(todo) > POINTS_KEPT:
                    self._snapped.clear()
                pairs = np.empty(len(todo), dtype=np.complex128)
                pairs.real, pairs.imag = nodes, distance  # (inf never: too far is refused)
                for i, value in zip(todo, pairs.tolist(), strict=True):
                    known[i] = self._snapped[keys[i]] = value
        found = np.array(known, dtype=np.complex128)
        return found.real.astype(np.int64), found.imag.copy()

    def _snap_new(
        self, xy: NDArray[np.float64], name: str, positions: list[int]
    ) -> tuple[NDArray[np.int64], Seconds]:
        nodes, distance = self._grid.nearest(xy, self.graph.xy, self.options.snap_m)
        too_far = np.flatnonzero(distance > self.options.snap_m)
        if len(too_far):
            i = int(too_far[0])
            raise InvalidInputError(
                msg(
                    "{name}[{i}] at ({i2:.0f}, {i3:.0f}) EPSG:25832 lies {i4:.1f} km from the nearest drivable road of {graph}; points are snapped to a road only within {snap_m:g} km, so this one is refused (is it in the sea, or outside the area the graph covers?)",
                    name=name,
                    i=positions[i],
                    i2=xy[i, 0],
                    i3=xy[i, 1],
                    i4=distance[i] / 1000,
                    graph=self.graph.source or "the road graph",
                    snap_m=self.options.snap_m / 1000,
                ),
                field=name,
            )
        return nodes, distance

    def entry_point(self, geometry: BaseGeometry) -> NDArray[np.float64]:
        """Where a car reaches a hotspot: a point is itself; a polygon or line is reached at
        the road node nearest to it (inside it if a road runs through it).

        Raises
        ------
        InvalidInputError
            When the geometry is empty or no road node lies within ``snap_m`` of it.
        """
        if geometry.is_empty:
            raise InvalidInputError(msg("an empty geometry has no entry point"), field="geometry")
        if geometry.geom_type == "Point":
            return np.array([geometry.x, geometry.y], dtype=np.float64)
        centre = np.array(geometry.centroid.coords[0])
        x0, y0, x1, y1 = geometry.bounds
        radius = float(np.hypot(x1 - x0, y1 - y0)) / 2 + self.options.snap_m
        near = self._grid.within(centre, radius, self.graph.xy)
        if len(near) == 0:
            raise InvalidInputError(
                msg(
                    "no drivable road within {snap_m:g} km of the hotspot",
                    snap_m=self.options.snap_m / 1000,
                ),
                field="geometry",
            )
        xy = self.graph.xy[near]
        distance = shapely.distance(geometry, shapely.points(xy))
        best = int(np.argmin(distance))
        if distance[best] > self.options.snap_m:
            raise InvalidInputError(
                msg(
                    "the hotspot lies {best:.1f} km from the nearest drivable road; at most {snap_m:g} km is allowed",
                    best=distance[best] / 1000,
                    snap_m=self.options.snap_m / 1000,
                ),
                field="geometry",
            )
        return xy[best].copy()
