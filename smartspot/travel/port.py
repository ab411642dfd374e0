"""The travel-time port: how long a car takes between places, and where it cannot go.

Every adapter (the OSM road graph, the land-aware fallback, a composite of both) implements
:class:`TravelTimes`. Points are EPSG:25832 metres as an ``(n, 2)`` float array; times are
driving seconds. *Unreachable* is ``NaN``: it poisons any sum and fails every ``<=`` test, so an
unreachable hotspot can never pass as a long but feasible detour. Use :func:`reachable` to mask.

Times may depend on when the trip starts: a timetabled ferry makes a car wait for its next
departure, and after the last one the far side is unreachable until morning. So ``matrix``
takes a keyword-only ``depart_at`` (a timezone-aware :class:`~datetime.datetime`); ``None``
keeps the time-free answer (a flat ferry wait), so callers that do not know the time still work.
A caller that needs no time beyond some bound passes ``limit_s``: every time beyond it comes back
``NaN``, and an adapter that searches (the road graph, the fallback) stops its search there, so a
bounded question costs a bounded search (the optimiser's hotspot-to-hotspot legs, within a detour
budget). Adapters that also know the driven length offer :class:`TravelTrips`: seconds *and* metres of
the same fastest paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

Points = NDArray[np.float64]
Seconds = NDArray[np.float64]


@runtime_checkable
class TravelTimes(Protocol):
    """Driving times between points in EPSG:25832.

    ``matrix(origins, destinations)`` returns an ``(n, m)`` array of seconds with ``NaN`` where
    no car can drive from origin ``i`` to destination ``j`` (across the sea with no link, or on
    an island whose ferry is switched off). ``route(a, b)`` is the driven line for the map, or
    ``None`` when unreachable. ``depart_at`` is when the trips start (timezone-aware); ``None``
    answers without a clock (ferries at a flat wait). ``limit_s``: times beyond it are ``NaN``
    (``None``: only the adapter's own cut-off).
    """

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Seconds:
        """Seconds from every origin to every destination; ``NaN`` where unreachable."""
        ...

    def route(self, a: Points, b: Points) -> LineString | None:
        """The driven line (EPSG:25832) from ``a`` to ``b``, each a point of shape ``(2,)``."""
        ...


Metres = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Trips:
    """Seconds and driven metres of the same fastest paths, both ``(n, m)``.

    Both are ``NaN`` exactly where the destination is unreachable. ``metres`` is the length of
    the path the time was computed on (access legs included), not a straight line.
    """

    seconds: Seconds
    metres: Metres

    def __post_init__(self) -> None:
        if self.seconds.shape != self.metres.shape:
            raise InvalidInputError(msg("seconds and metres must have the same shape"))


@runtime_checkable
class TravelTrips(TravelTimes, Protocol):
    """A :class:`TravelTimes` that also gives the driven metres beside the seconds."""

    def trips(
        self,
        origins: Points,
        destinations: Points,
        *,
        depart_at: datetime | None = None,
        limit_s: float | None = None,
    ) -> Trips:
        """Seconds and driven metres from every origin to every destination (``NaN`` where
        unreachable or beyond ``limit_s``); ``trips(...).seconds`` equals ``matrix(...)``."""
        ...


def cut_at(seconds: Seconds, limit_s: float | None) -> Seconds:
    """``seconds`` with every time beyond ``limit_s`` set to ``NaN`` (in place; ``None``: as
    they are): for adapters whose answer costs the same with or without a bound."""
    if limit_s is not None:
        seconds[seconds > limit_s] = np.nan
    return seconds


def check_depart_at(depart_at: datetime | None) -> datetime | None:
    """``depart_at`` if it is ``None`` or timezone-aware.

    Raises
    ------
    InvalidInputError
        For a naive datetime: a ferry timetable is local time, so the instant must be known.
    """
    if depart_at is not None and depart_at.utcoffset() is None:
        raise InvalidInputError(
            msg(
                "depart_at must be a timezone-aware datetime (e.g. with tzinfo=ZoneInfo('Europe/Copenhagen') or UTC), not a naive one"
            ),
            field="depart_at",
        )
    return depart_at


@dataclass(frozen=True, slots=True)
class Leg:
    """One trip as the CLI and the map show it.

    ``seconds`` and ``metres`` are ``nan`` and ``line`` is ``None`` when unreachable.
    """

    seconds: float
    metres: float
    line: LineString | None
    model: str

    @property
    def reachable(self) -> bool:
        return not np.isnan(self.seconds)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``smartspot travel``; unreachable gives ``null`` numbers."""
        return {
            "seconds": round(self.seconds, 1) if self.reachable else None,
            "metres": round(self.metres, 1) if self.reachable else None,
            "reachable": self.reachable,
            "model": self.model,
        }


def reachable(times: NDArray[np.float64]) -> NDArray[np.bool_]:
    """``True`` where a time is a real, drivable time (not ``NaN``)."""
    return ~np.isnan(times)


def as_points(points: ArrayLike, *, name: str = "points") -> Points:
    """Check and convert to an ``(n, 2)`` float64 array of finite EPSG:25832 metres.

    Raises
    ------
    InvalidInputError
        When the shape is not ``(n, 2)``, a value is not finite, or the values look like
        longitude/latitude degrees rather than metres.
    """
    array = np.asarray(points, dtype=np.float64)
    if array.ndim == 1 and array.shape == (2,):
        array = array.reshape(1, 2)
    if array.ndim != 2 or array.shape[1] != 2:
        raise InvalidInputError(
            msg(
                "{name} must be an (n, 2) array of EPSG:25832 x, y metres; got shape {shape}",
                name=name,
                shape=array.shape,
            ),
            field=name,
        )
    if not np.isfinite(array).all():
        raise InvalidInputError(
            msg("{name} contain NaN or infinite coordinates", name=name), field=name
        )
    if len(array) and np.abs(array).max() < 1_000:
        raise InvalidInputError(
            msg(
                "{name} look like longitude/latitude degrees; project them to EPSG:25832 metres first (smartspot.geo.crs.lonlat_to_metric)",
                name=name,
            ),
            field=name,
        )
    return array
