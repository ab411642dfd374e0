"""Proposals as the vagtcentral sees them: a plan per car with timed stops and the reasons.

A :class:`Proposal` is what the engine stores and the operator decides on. It keeps the exact
problem file the optimiser saw and the solver's answer, so any decision can be replayed and
reviewed later; its stops live in their own table so "which hotspots are held" is one query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from smartspot.errors import ConflictError, InvalidInputError
from smartspot.i18n import msg
from smartspot.reasons import Reason


class ProposalStatus(StrEnum):
    PENDING = "pending"  # waiting for the operator
    ACCEPTED = "accepted"  # the car is on task
    REJECTED = "rejected"  # the operator said no, with a reason
    VOIDED = "voided"  # the car was sent to a call or went off duty
    SUPERSEDED = "superseded"  # a newer proposal for the same car replaced it
    COMPLETED = "completed"  # the car finished the task (or was set free of it)
    EMPTY = "empty"  # nothing to propose: kept with its reasons, never decided


#: The decisions each status allows. A pending proposal is decided once; an accepted one ends
#: as completed, or voided when a call takes its car off the task. Everything else is final.
TRANSITIONS: Mapping[ProposalStatus, frozenset[ProposalStatus]] = {
    ProposalStatus.PENDING: frozenset(
        {
            ProposalStatus.ACCEPTED,
            ProposalStatus.REJECTED,
            ProposalStatus.VOIDED,
            ProposalStatus.SUPERSEDED,
        }
    ),
    ProposalStatus.ACCEPTED: frozenset({ProposalStatus.VOIDED, ProposalStatus.COMPLETED}),
}

#: Statuses whose kept stops hold their hotspots for the car.
HOLDING = frozenset({ProposalStatus.PENDING, ProposalStatus.ACCEPTED})


def _aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInputError(msg("{name} must carry a timezone", name=name), field=name)


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """One hotspot in a plan: when the car gets there, starts and leaves, and why it is worth
    it. ``removed`` marks a stop the operator took out when accepting; ``done`` one visited."""

    hotspot: str
    title: str
    lon: float
    lat: float
    eta: datetime
    start: datetime
    leave: datetime
    minutes_on_site: int
    value: float
    reasons: tuple[Reason, ...] = ()
    removed: bool = False
    done: bool = False

    def __post_init__(self) -> None:
        for name in ("eta", "start", "leave"):
            _aware(getattr(self, name), name)
        if not self.eta <= self.start <= self.leave:
            raise InvalidInputError(
                msg("stop {hotspot}: eta ≤ start ≤ leave is required", hotspot=self.hotspot),
                field="stops",
            )


@dataclass(frozen=True, slots=True)
class SolverRun:
    """How the plan was made: solver, deadline, seed, time used; ``failure`` says why planning
    failed when it did (the proposal is then stored empty, with that reason)."""

    solver: str
    time_limit_s: float
    seed: int
    solve_ms: float = 0.0
    failure: str = ""


@dataclass(frozen=True, slots=True)
class Proposal:
    """A detour proposal for one car, with the problem the optimiser saw and the decision."""

    id: str
    patrol: str
    politikreds: str
    created_at: datetime
    stops: tuple[PlannedStop, ...]
    run: SolverRun
    home_at: datetime | None = None
    detour_s: float = 0.0
    value: float = 0.0
    blocked: Reason | None = None  # why the car gets no stops
    left_out: Mapping[str, Reason] = field(default_factory=dict)
    problem: Mapping[str, Any] | None = None  # the problem file (None: nothing was solved)
    answer: Mapping[str, Any] | None = None  # the solver's solution file
    status: ProposalStatus = ProposalStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""  # the operator's words when rejecting, or the engine's when voiding

    def __post_init__(self) -> None:
        if not self.patrol:
            raise InvalidInputError(msg("a proposal names its patrol"), field="patrol")
        ProposalStatus(self.status)
        _aware(self.created_at, "created_at")
        _aware(self.decided_at, "decided_at")
        _aware(self.home_at, "home_at")
        decided = self.status not in (ProposalStatus.PENDING, ProposalStatus.EMPTY)
        if decided and self.decided_at is None:
            raise InvalidInputError(
                msg("a decided proposal needs its decision time"), field="decided_at"
            )
        if self.status is ProposalStatus.REJECTED and not self.reason.strip():
            raise InvalidInputError(msg("rejecting a proposal needs a reason"), field="reason")
        if self.status is ProposalStatus.EMPTY and self.kept:
            raise InvalidInputError(msg("an empty proposal has no stops to visit"), field="stops")

    @property
    def kept(self) -> tuple[PlannedStop, ...]:
        """The stops the car is to visit (not removed by the operator)."""
        return tuple(s for s in self.stops if not s.removed)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(s.hotspot for s in self.stops if s.removed)

    def decided(
        self, status: ProposalStatus, *, by: str, at: datetime, reason: str = ""
    ) -> Proposal:
        """This proposal after a decision.

        Raises
        ------
        ConflictError
            When the decision is not allowed from the current status.
        """
        if status not in TRANSITIONS.get(self.status, frozenset()):
            raise ConflictError(
                msg(
                    "proposal {id} is {status}; it cannot become {target}",
                    id=self.id,
                    status=self.status.value,
                    target=status.value,
                )
            )
        return replace(self, status=status, decided_by=by, decided_at=at, reason=reason.strip())
