"""A straight-line × circuity travel model for the simulation tests.

Stopgap until the travel layer's land-aware fallback is on main; not used by the product.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class StraightLine:
    """Seconds = straight-line metres × circuity / speed; everything is reachable."""

    def __init__(self, circuity: float = 1.3, kmh: float = 70.0) -> None:
        self.factor = circuity / (kmh / 3.6)

    def matrix(
        self, origins: NDArray[np.float64], destinations: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        gap = origins[:, None, :] - destinations[None, :, :]
        return np.asarray(np.hypot(gap[..., 0], gap[..., 1]) * self.factor)


def straight_line_for(scenario: object) -> StraightLine:
    """A travel factory for the runner (module level, so Dask can ship it by reference)."""
    return StraightLine()
