"""Request and response bodies of the live workflow: patrols and their AVL fixes, callouts,
proposals and visits (the shared pieces, moments and positions, are in :mod:`api.schemas`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from api.schemas import Lat, Lon, Moment, _Model, refuse_nulls
from smartspot.domain import PatrolStatus, VisitOutcome

CallSign = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[\w.\- ]+$")]


class PatrolIn(_Model):
    call_sign: CallSign
    home_station: Annotated[str, Field(min_length=1, max_length=40, examples=["st01"])]


class PositionIn(_Model):
    call_sign: CallSign
    lon: Lon
    lat: Lat
    at: Moment = Field(description="time of the fix, with a timezone")


class PositionBatch(_Model):
    """An AVL batch: many cars' positions in one request."""

    positions: Annotated[list[PositionIn], Field(min_length=1, max_length=5_000)]


class RefusedFix(BaseModel):
    index: int = Field(description="position of the fix in the batch, from 0")
    call_sign: str
    status: int = Field(description="422 for a fix that cannot be believed, 404 unknown car")
    reason: str


class StatusIn(_Model):
    status: PatrolStatus


class PatrolOut(BaseModel):
    call_sign: str
    home_station: str
    status: PatrolStatus
    lon: float | None
    lat: float | None
    position_at: datetime | None


class CalloutIn(_Model):
    urgent: bool
    lon: Lon
    lat: Lat


class DispatchIn(_Model):
    patrol: CallSign


class CalloutOut(BaseModel):
    id: str
    urgent: bool
    lon: float
    lat: float
    patrol: str | None
    received_at: datetime
    dispatched_at: datetime | None
    arrived_at: datetime | None
    cleared_at: datetime | None


class ReasonOut(BaseModel):
    code: str = Field(description="stable machine code, e.g. outside_budget")
    params: dict[str, Any]
    text: str = Field(description="the reason in words")


class StopOut(BaseModel):
    hotspot: str
    title: str
    lon: float
    lat: float
    eta: datetime = Field(description="arrival")
    start: datetime = Field(description="time on site starts (later than eta when waiting)")
    leave: datetime
    minutes_on_site: int
    value: float
    why: str
    reasons: list[ReasonOut]
    removed: bool
    done: bool


class SolverRunOut(BaseModel):
    solver: str
    time_limit_s: float
    seed: int
    solve_ms: float
    failure: str | None


class _ProposalFields(BaseModel):
    id: str
    patrol: str
    politikreds: str
    status: str = Field(
        description="pending, accepted, rejected, voided, superseded, completed, or empty "
        "(nothing to propose; see blocked and left_out)"
    )
    created_at: datetime
    value: float
    detour_min: float
    home_at: datetime | None
    stops: list[StopOut] = Field(description="the stops to drive (removed ones left out)")
    removed_stops: list[str]
    blocked: ReasonOut | None = Field(description="why the car got no stops")
    solver: str
    solver_run: SolverRunOut
    decided_by: str | None
    decided_at: datetime | None
    reason: str


class ProposalOut(_ProposalFields):
    left_out: dict[str, ReasonOut] = Field(description="hotspot id → why it is not a stop")


class RoundProposalOut(_ProposalFields):
    """A proposal with its left-out hotspots counted per reason: in the answer of a planning
    round (a clear), whose left-out hotspots are given once beside the round's proposals, and
    in the answer of an accept or a reject; the reasons themselves: ``GET /proposals/{id}``."""

    left_out_counts: dict[str, int] = Field(
        description="how many hotspots were left out for each reason code (the reasons "
        "themselves: the answer's left_out, or GET /proposals/{id})"
    )


class PositionsStored(BaseModel):
    stored: int = Field(description="fixes stored")
    refused: list[RefusedFix] = Field(
        default_factory=list, description="fixes not stored, each with why (the rest were)"
    )
    proposals: list[ProposalOut] = Field(
        default_factory=list,
        description="proposals for cars of the batch that have stood idle at a post or station "
        "long enough (only where the district's policy switches idle proposals on)",
    )


class ClearedOut(BaseModel):
    callout: CalloutOut
    proposals: list[RoundProposalOut] = Field(
        description="one per car planned jointly: the cleared car and the other cars of its "
        "politikreds on their way home"
    )
    left_out: dict[str, ReasonOut] = Field(
        description="hotspot id → why it is a stop of none of these proposals: one map for "
        "the planning round, which every proposal of the answer shares (each proposal's own "
        "copy: GET /proposals/{id})"
    )


class AcceptIn(_Model):
    remove: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=100)] = Field(
        default=[], description="hotspot ids of stops to leave out"
    )


class RejectIn(_Model):
    reason: Annotated[str, Field(min_length=1, max_length=1_000)]


class ProposeIn(_Model):
    patrols: Annotated[list[CallSign], Field(min_length=1, max_length=100)]


class VisitIn(_Model):
    hotspot: Annotated[str, Field(min_length=1, max_length=64)]
    patrol: CallSign
    arrived_at: Moment
    left_at: Moment | None = None
    outcome: VisitOutcome | None = None
    persons: Annotated[int, Field(ge=0, le=1000)] | None = None
    action: Annotated[str, Field(max_length=1_000)] = ""
    note: Annotated[str, Field(max_length=4_000)] = ""

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        return refuse_nulls(data, frozenset({"left_at", "outcome", "persons"}))


class VisitChanges(_Model):
    """Only the fields sent change. ``left_at``, ``outcome`` and ``persons`` may be null (not
    known); ``action`` and ``note`` are text and may not."""

    left_at: Moment | None = None
    outcome: VisitOutcome | None = None
    persons: Annotated[int, Field(ge=0, le=1000)] | None = None
    action: Annotated[str, Field(max_length=1_000)] = ""
    note: Annotated[str, Field(max_length=4_000)] = ""

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        return refuse_nulls(data, frozenset({"left_at", "outcome", "persons"}))


class VisitOut(BaseModel):
    id: str
    hotspot: str
    patrol: str
    arrived_at: datetime
    left_at: datetime | None
    minutes_on_site: float | None
    outcome: VisitOutcome | None
    persons: int | None
    action: str
    note: str
    detected: bool
