"""Travel times among the fixed places of a run, computed once and looked up after.

Every trip in a simulation starts and ends at a place known before the run begins: a station, a
hotspot, a kommune's reference town, or a callout's location (the stream is drawn up front).
A :class:`PointTable` asks the travel layer for whole rows (one origin to every known place)
the first time an origin is needed, a batch of upcoming callouts at a time, and answers every
later request from memory. Points it does not know go straight to the travel layer, so the
answers are always the travel layer's own. When the travel layer also gives driven metres
(:class:`~smartspot.travel.port.TravelTrips`), each row keeps the metres of the same fastest
paths beside the seconds, so the simulation's kilometres are the travel layer's too.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import LineString

from smartspot.travel.port import TravelTimes, TravelTrips, cut_at

#: Rows kept in memory (each holds one float per known place).
MAX_ROWS = 4_000
#: Rows fetched together when one is missing (the travel layer is faster in batches).
BATCH = 64


class PointTable:
    """A :class:`~smartspot.sim.ports.TravelTimes` over a fixed set of places.

    Parameters
    ----------
    travel
        The travel layer that gives the times.
    points
        ``(n, 2)`` EPSG:25832 places; later requests for exactly these coordinates are
        answered from rows of the travel layer's answers.
    """

    def __init__(self, travel: TravelTimes, points: NDArray[np.float64]) -> None:
        self.travel = travel
        self.points = np.ascontiguousarray(points, dtype=np.float64)
        self.index: dict[tuple[float, float], int] = {}
        for i, (x, y) in enumerate(self.points.tolist()):
            self.index.setdefault((x, y), i)
        self.rows: OrderedDict[int, NDArray[np.float64]] = OrderedDict()
        self.metre_rows: dict[int, NDArray[np.float64]] = {}
        self.with_metres = isinstance(travel, TravelTrips)
        self.fetched = 0
        self.missed = 0

    def _lookup(self, points: NDArray[np.float64]) -> list[int] | None:
        found = []
        for x, y in np.asarray(points, dtype=np.float64).reshape(-1, 2).tolist():
            i = self.index.get((x, y))
            if i is None:
                return None
            found.append(i)
        return found

    def _fetch(self, wanted: list[int]) -> None:
        for i in wanted:  # in use now: never the ones evicted below
            if i in self.rows:
                self.rows.move_to_end(i)
        missing = [i for i in dict.fromkeys(wanted) if i not in self.rows]
        if not missing:
            return
        # take the places that follow in order too: callouts are stored in time order, so these
        # are the next ones to be needed
        extra = [
            i
            for i in range(missing[-1] + 1, min(len(self.points), missing[-1] + 1 + BATCH))
            if i not in self.rows
        ][: max(0, BATCH - len(missing))]
        batch = missing + extra
        if self.with_metres:
            assert isinstance(self.travel, TravelTrips)
            trips = self.travel.trips(self.points[batch], self.points)
            block, lengths = trips.seconds, trips.metres
            for i, row in zip(batch, lengths, strict=True):
                self.metre_rows[i] = row
        else:
            block = self.travel.matrix(self.points[batch], self.points)
        self.fetched += len(batch)
        for i, row in zip(batch, block, strict=True):
            self.rows[i] = row
        while len(self.rows) > MAX_ROWS:
            evicted, _ = self.rows.popitem(last=False)
            self.metre_rows.pop(evicted, None)

    def matrix(
        self,
        origins: NDArray[np.float64],
        destinations: NDArray[np.float64],
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> NDArray[np.float64]:
        """Seconds from every origin to every destination; ``NaN`` where unreachable or beyond
        ``limit_s``. The table holds one answer per pair, whatever the hour (``depart_at`` is
        not looked at); its rows are complete, so a bound only masks them."""
        rows = self._lookup(origins)
        cols = self._lookup(destinations)
        if rows is None or cols is None:
            self.missed += 1
            return cut_at(self.travel.matrix(origins, destinations), limit_s)
        self._fetch(rows)
        out = np.empty((len(rows), len(cols)))
        for k, i in enumerate(rows):
            out[k] = self.rows[i][cols]
        return cut_at(out, limit_s)

    def metres(
        self, origins: NDArray[np.float64], destinations: NDArray[np.float64]
    ) -> NDArray[np.float64] | None:
        """Driven metres of the fastest paths (the travel layer's, from the same rows as the
        seconds); ``NaN`` where unreachable; ``None`` when the travel layer gives no metres."""
        if not self.with_metres:
            return None
        rows = self._lookup(origins)
        cols = self._lookup(destinations)
        if rows is None or cols is None:
            self.missed += 1
            assert isinstance(self.travel, TravelTrips)
            found: NDArray[np.float64] = self.travel.trips(origins, destinations).metres
            return found
        self._fetch(rows)
        out = np.empty((len(rows), len(cols)))
        for k, i in enumerate(rows):
            out[k] = self.metre_rows[i][cols]
        return out

    def route(self, a: NDArray[np.float64], b: NDArray[np.float64]) -> LineString | None:
        """The travel layer's driven line (the map's concern; the simulation draws none)."""
        found: LineString | None = self.travel.route(a, b)
        return found
