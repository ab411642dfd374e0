"""What the simulation needs from the travel layer: the ``TravelTimes.matrix`` half of the
shared port (``smartspot.travel.port``), stated structurally so any adapter fits."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray


class TravelTimes(Protocol):
    """Driving seconds between EPSG:25832 points; ``NaN`` where unreachable."""

    def matrix(
        self, origins: NDArray[np.float64], destinations: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """An ``(n, m)`` array of seconds from each origin to each destination."""
        ...
