"""The travel-time port: how long a car takes between places, and where it cannot go.

Every adapter (the OSM road graph, the land-aware fallback, a composite of both) implements
:class:`TravelTimes`. Points are EPSG:25832 metres as an ``(n, 2)`` float array; times are
driving seconds. *Unreachable* is ``NaN``: it poisons any sum and fails every ``<=`` test, so an
unreachable hotspot can never pass as a long but feasible detour. Use :func:`reachable` to mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString

from smartspot.errors import InvalidInputError

Points = NDArray[np.float64]
Seconds = NDArray[np.float64]


@runtime_checkable
class TravelTimes(Protocol):
    """Driving times between points in EPSG:25832.

    ``matrix(origins, destinations)`` returns an ``(n, m)`` array of seconds with ``NaN`` where
    no car can drive from origin ``i`` to destination ``j`` (across the sea with no link, or on
    an island whose ferry is switched off). ``route(a, b)`` is the driven line for the map, or
    ``None`` when unreachable.
    """

    def matrix(self, origins: Points, destinations: Points) -> Seconds:
        """Seconds from every origin to every destination; ``NaN`` where unreachable."""
        ...

    def route(self, a: Points, b: Points) -> LineString | None:
        """The driven line (EPSG:25832) from ``a`` to ``b``, each a point of shape ``(2,)``."""
        ...


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
            f"{name} must be an (n, 2) array of EPSG:25832 x, y metres; got shape {array.shape}",
            field=name,
        )
    if not np.isfinite(array).all():
        raise InvalidInputError(f"{name} contain NaN or infinite coordinates", field=name)
    if len(array) and np.abs(array).max() < 1_000:
        raise InvalidInputError(
            f"{name} look like longitude/latitude degrees; project them to EPSG:25832 metres "
            "first (smartspot.geo.crs.lonlat_to_metric)",
            field=name,
        )
    return array
