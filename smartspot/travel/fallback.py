"""The fallback travel-time model (adapter of the TravelTimes port) where no OSM graph is loaded.

Shortest paths on the land graph of :mod:`smartspot.travel.land`: straight lines on land ×
circuity, urban or rural speed, water crossed only over the listed fixed links and ferries.
A point snaps to the nearest graph node *on its own landmass* (a point on Mors never snaps to
a node on Thy across the sound), so an island without a link stays unreachable.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.travel.land import LandGraph
from smartspot.travel.options import TravelOptions
from smartspot.travel.port import Seconds
from smartspot.travel.road import RoadTravelTimes


class LandTravelTimes(RoadTravelTimes):
    """Driving times on a :class:`~smartspot.travel.land.LandGraph`.

    Parameters
    ----------
    land
        The land graph (build it with :func:`smartspot.travel.land.build_land_graph`).
    options
        Ferries, wait (15 min by default), snap distance from the coast, cut-off, cache size.
    """

    model = "fallback"

    def __init__(self, land: LandGraph, options: TravelOptions | None = None) -> None:
        super().__init__(land.graph, options)
        self.land = land
        self._parts = shapely.STRtree(np.array(land.parts, dtype=object))
        for part in land.parts:
            shapely.prepare(part)  # point-in-landmass by prepared contains: ~15x the STRtree
        self._bounds = np.array([part.bounds for part in land.parts])
        self._part_trees: dict[int, tuple[cKDTree, NDArray[np.int64]]] = {}
        p = land.params
        self._access_s_per_m = p.circuity / (p.rural_kmh / 3.6)

    def access_seconds(self, metres: Seconds) -> Seconds:
        return metres * self._access_s_per_m

    def access_metres(self, metres: Seconds) -> Seconds:
        return metres * self.land.params.circuity

    def _landmass(
        self, xy: NDArray[np.float64], name: str, positions: list[int]
    ) -> NDArray[np.int64]:
        part = np.full(len(xy), -1, dtype=np.int64)
        todo = np.arange(len(xy))
        for k, (x0, y0, x1, y1) in enumerate(self._bounds):  # largest landmass first
            if not len(todo):
                break
            px, py = xy[todo, 0], xy[todo, 1]
            maybe = todo[(px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)]
            inside = maybe[shapely.contains_xy(self.land.parts[k], xy[maybe, 0], xy[maybe, 1])]
            part[inside] = k
            todo = np.setdiff1d(todo, inside, assume_unique=True)
        for i in np.flatnonzero(part < 0):
            near, _ = self._parts.query_nearest(
                shapely.Point(xy[i]), max_distance=self.options.snap_m, return_distance=True
            )
            if len(near) == 0:
                raise InvalidInputError(
                    msg(
                        "{name}[{i}] at ({i2:.0f}, {i3:.0f}) EPSG:25832 lies more than {snap_m:g} km from the land this travel model covers; points are snapped to land only within that distance, so this one is refused (is it in the sea, or outside the district and its margin?)",
                        name=name,
                        i=positions[i],
                        i2=xy[i, 0],
                        i3=xy[i, 1],
                        snap_m=self.options.snap_m / 1000,
                    ),
                    field=name,
                )
            part[i] = int(near[0])
        return part

    def _part_tree(self, part: int) -> tuple[cKDTree, NDArray[np.int64]]:
        if part not in self._part_trees:
            nodes = np.flatnonzero(self.land.landmass == part)
            self._part_trees[part] = (cKDTree(self.graph.xy[nodes]), nodes)
        return self._part_trees[part]

    def _snap_new(
        self, xy: NDArray[np.float64], name: str, positions: list[int]
    ) -> tuple[NDArray[np.int64], Seconds]:
        """Nearest node on the point's own landmass, and the distance to it in metres.

        Raises
        ------
        InvalidInputError
            When a point lies more than ``snap_m`` from the land the model covers.
        """
        part = self._landmass(xy, name, positions)
        nodes = np.empty(len(xy), dtype=np.int64)
        distance = np.empty(len(xy))
        for k in np.unique(part):
            rows = np.flatnonzero(part == k)
            tree, members = self._part_tree(int(k))
            d, j = tree.query(xy[rows])
            nodes[rows] = members[j]
            distance[rows] = d
        return nodes, distance
