"""What the problem builder (:mod:`smartspot.optimise.build`) takes and gives: the free cars,
the state of the vagtcentral its rules look at, and the built problem with everything needed
to explain its answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Point, Polygon

from smartspot.domain import Hotspot
from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.optimise import rules
from smartspot.optimise.followup_tasks import FollowUp
from smartspot.optimise.problem import Problem
from smartspot.optimise.value import Valuation
from smartspot.reasons import Reason


@dataclass(frozen=True, slots=True)
class FreeCar:
    """A car that is (or will soon be) free, heading home."""

    call_sign: str
    position: Point  # EPSG:25832, where it becomes free
    home: Point  # EPSG:25832, its home station
    free_at: datetime
    budget_s: int = 1800  # detour beyond the direct trip home
    shift_ends_at: datetime | None = None
    politikreds: str = ""

    def __post_init__(self) -> None:
        if self.free_at.tzinfo is None:
            raise InvalidInputError(msg("free_at must carry a timezone"), field="free_at")
        if not 0 <= self.budget_s <= 4 * 3600:
            raise InvalidInputError(msg("budget_s must be 0–14400 s"), field="budget_s")


@dataclass(frozen=True)
class PlanningContext:
    """The state of the vagtcentral the rules look at; every part optional (empty = the rule
    never fires)."""

    urgent_waiting: frozenset[str] = frozenset()  # politikredse, see rules.urgent_waiting
    claimed: frozenset[str] = frozenset()  # hotspots other cars hold
    coverage: rules.CoverageGuard | None = None
    other_available: NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 2)))


@dataclass(frozen=True)
class BuiltProblem:
    """The problem and everything needed to explain its answer."""

    problem: Problem | None  # None when no car may take a proposal
    now: datetime
    hotspots: Mapping[str, Hotspot]
    valuations: Mapping[str, Valuation]
    left_out: Mapping[str, Reason]  # hotspot id → why it is not a candidate
    blocked: Mapping[str, Reason]  # car → why it gets no proposal
    direct_s: Mapping[str, int]  # car → direct trip home
    followups: Mapping[str, FollowUp] = field(default_factory=dict)
    # car → (where it starts, its home), EPSG:25832: the route a follow-up lies off
    ends: Mapping[str, tuple[tuple[float, float], tuple[float, float]]] = field(
        default_factory=dict
    )


def xy(geometry: Point | Polygon) -> tuple[float, float]:
    point = geometry if isinstance(geometry, Point) else geometry.representative_point()
    return float(point.x), float(point.y)
