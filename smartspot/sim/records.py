"""Flat, immutable records of a run: one DataFrame away from any KPI.

Times are seconds from the start of the run; kilometres are the travel layer's driven metres
of the paths the times were computed on (see :mod:`smartspot.sim.cars`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class CallRecord:
    """A callout and the car that answered it."""

    callout: str
    urgent: bool
    kommunekode: str
    rural: bool
    x: float
    y: float
    received_s: float
    dispatched_s: float  # the moment a car was ordered (after handling and any queueing)
    arrived_s: float  # first car on scene
    cleared_s: float
    car: str
    queued: bool  # no car was free when the call was ready to dispatch
    car_was_on_task: bool  # the car was pulled off a Smart Spot task for it

    def __post_init__(self) -> None:
        if not self.received_s <= self.dispatched_s <= self.arrived_s <= self.cleared_s:
            raise ValueError(f"call {self.callout}: times go received → dispatched → arrived")

    @property
    def response_s(self) -> float:
        """Responstid: received → first car on scene, including handling and queueing."""
        return self.arrived_s - self.received_s


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """A car's stay at a hotspot (aborted when an urgent call pulled it away)."""

    hotspot: str
    car: str
    kommunekode: str
    outlying: bool
    arrived_s: float
    left_s: float
    aborted: bool
    value: float  # the value the policy gave the stop when it proposed it

    @property
    def minutes(self) -> float:
        """Dosage: minutes on site."""
        return (self.left_s - self.arrived_s) / 60.0


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A proposal to a freed car and, when accepted, what came of it."""

    car: str
    proposed_s: float
    stops: int
    planned_value: float
    accepted: bool
    ended_s: float
    visits_done: int
    interrupted: bool
    extra_km: float  # driven on the plan minus the progress it made towards home
    idle: bool = False  # proposed to a car standing idle at its post


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    """A follow-up (tryghedsopfølgning) of the stream and how it ended.

    ``status`` is a :class:`~smartspot.followups.FollowUpStatus` value (``open`` when the run
    ended first); ``door_attempts`` counts the knocks by patrols; ``phoned`` says it fell back
    to the phone (after the failed attempts, or at its due date)."""

    followup: str
    kommunekode: str
    rural: bool
    preferred_hours: bool
    reported_s: float  # negative: reported before the run (the backlog)
    due_s: float
    status: str
    closed_s: float  # NaN while open
    door_attempts: int
    phoned: bool

    @property
    def in_person_before_due(self) -> bool:
        return self.status == "done_in_person" and self.closed_s <= self.due_s


@dataclass(frozen=True, slots=True)
class CarRecord:
    """A car's totals over the run."""

    car: str
    station: str
    km: float
    calls: int


def as_rows(records: list[Any]) -> list[dict[str, Any]]:
    """Records as plain dicts (for CSV, JSON and DataFrames); NaN becomes ``None``."""
    rows = []
    for record in records:
        row = asdict(record)
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                row[key] = None
        rows.append(row)
    return rows


def columns(kind: type) -> list[str]:
    return [f.name for f in fields(kind)]


@dataclass(frozen=True, slots=True)
class RunRecords:
    """Everything one run produced."""

    scenario: str
    policy: str
    seed: int
    days: float
    calls: tuple[CallRecord, ...]
    visits: tuple[VisitRecord, ...]
    plans: tuple[PlanRecord, ...]
    cars: tuple[CarRecord, ...]
    unanswered: tuple[str, ...] = ()
    events: int = 0
    followups: tuple[FollowUpRecord, ...] = ()
