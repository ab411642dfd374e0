"""Options every travel-time adapter shares: ferries, snapping, cut-off and cache size."""

from __future__ import annotations

import math
from dataclasses import dataclass

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

DEFAULT_FERRY_WAIT_S = 15 * 60.0


@dataclass(frozen=True, slots=True)
class TravelOptions:
    """How an adapter answers.

    Parameters
    ----------
    ferries
        Let cars take car ferries. Off: an island reached only by ferry is unreachable (NaN).
    ferry_wait_s
        Waiting time added at every ferry departure (queue plus an average half headway);
        ``None``: the road graph's own default (set at build time), else 15 minutes.
    snap_m
        A point farther than this from every road (or land) is refused with
        :class:`~smartspot.errors.InvalidInputError` rather than silently moved.
    access_kmh
        Speed of the straight leg from a point to the road node it snapped to.
    limit_s
        Cut-off: destinations farther than this are reported unreachable (NaN). ``inf`` = none.
    cache_mb
        Memory the cached shortest-path trees may take per direction (pinned station trees and
        kept hotspot trees not counted): a tree of a district's fallback cut at 30-40 minutes
        takes 40-85 kB, a full row of a 200,000-node road graph 0.8 MB.
    cache_rows
        At most this many cached trees per direction as well (``None``: memory alone bounds).
    """

    ferries: bool = True
    ferry_wait_s: float | None = None
    snap_m: float = 2_000.0
    access_kmh: float = 20.0
    limit_s: float = math.inf
    cache_mb: float = 32.0
    cache_rows: int | None = None

    def __post_init__(self) -> None:
        if self.ferry_wait_s is not None and not 0 <= self.ferry_wait_s <= 6 * 3600:
            raise InvalidInputError(msg("ferry_wait_s must be between 0 and 21600 seconds"))
        if not 0 < self.snap_m <= 50_000:
            raise InvalidInputError(msg("snap_m must be positive and at most 50000 metres"))
        if not 1 <= self.access_kmh <= 130:
            raise InvalidInputError(msg("access_kmh must be between 1 and 130 km/h"))
        if not self.limit_s > 0:
            raise InvalidInputError(msg("limit_s must be positive (math.inf for no cut-off)"))
        if self.cache_rows is not None and self.cache_rows < 0:
            raise InvalidInputError(msg("cache_rows must be zero or positive"))
        if not self.cache_mb >= 0:
            raise InvalidInputError(msg("cache_mb must be zero or positive"))

    @property
    def cache_bytes(self) -> float:
        return self.cache_mb * 1e6

    def wait_s(self, default: float = DEFAULT_FERRY_WAIT_S) -> float:
        """The ferry wait to use: the options' own, else ``default``."""
        return default if self.ferry_wait_s is None else self.ferry_wait_s

    @property
    def access_mps(self) -> float:
        return self.access_kmh / 3.6
