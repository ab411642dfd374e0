"""Request and response bodies of the follow-up routes (pydantic), with their mappers.

The personal fields ``name`` and ``phone`` appear in an answer only for the roles allowed to
see them (analysts and admins); every other answer says ``personal: withheld`` (or
``erased``) in their place. The contact details a patrol needs come from their own route
(``GET /followups/{id}/contact``), once a car has accepted the task.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api.responses import ValidationOut
from api.schemas import Day, Moment, PointGeometry, _Model
from smartspot.followup_io import attempt_record, feature
from smartspot.followups import (
    Attempt,
    AttemptOutcome,
    FollowUp,
    FollowUpCategory,
    FollowUpStatus,
    LeftBehind,
    Queue,
)
from smartspot.i18n import Translator
from smartspot.imports import ImportRejectedError

Text = Annotated[str, Field(max_length=2_000)]


class FollowUpPropertiesIn(_Model):
    """What an analyst registers; kommune and politikreds are derived from the point."""

    case_ref: Annotated[str, Field(min_length=1, max_length=40, examples=["4100-76543-00123-26"])]
    category: FollowUpCategory
    task: Annotated[str, Field(min_length=1, max_length=2_000)]
    name: Annotated[str, Field(min_length=1, max_length=200, description="the citizen")]
    phone: Annotated[str, Field(max_length=30)] = ""
    address: Annotated[str, Field(max_length=200)] = ""
    due_by: Day | None = Field(default=None, description="default: in 14 days")
    windows: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)] = Field(
        default=[], description='preferred hours, e.g. ["mon-fri 16:00-20:00"]'
    )
    minutes_on_site: Annotated[int, Field(ge=1, le=120)] = 10
    priority: Annotated[int, Field(ge=1, le=5)] = 3
    queue: Queue = Queue.VISIT


class FollowUpIn(_Model):
    """A new follow-up as a GeoJSON Feature with a Point (the address, WGS84)."""

    type: Literal["Feature"]
    geometry: PointGeometry
    properties: FollowUpPropertiesIn

    def draft_properties(self) -> dict[str, Any]:
        return self.properties.model_dump(mode="json", exclude_none=True)

    def geometry_geojson(self) -> dict[str, Any]:
        return self.geometry.model_dump(mode="json")


class AttemptIn(_Model):
    """A patrol's report of one attempt at the door."""

    patrol: Annotated[str, Field(min_length=1, max_length=40)]
    outcome: AttemptOutcome
    left: LeftBehind | None = Field(default=None, description="when no one was home")
    note: Text = ""
    at: Moment | None = Field(default=None, description="default: now")


class FollowUpClose(_Model):
    status: Literal["done_in_person", "done_by_phone", "not_reached", "cancelled"]
    reason: Annotated[str, Field(max_length=1_000)] = ""


class FollowUpPropertiesOut(BaseModel):
    id: str
    kind: Literal["followup"]
    case_ref: str
    category: FollowUpCategory
    task: str
    address: str
    due_by: date
    windows: list[str]
    minutes_on_site: int
    priority: int
    status: FollowUpStatus
    queue: Queue
    queue_reason: str | None
    attempts: int
    failed_attempts: int
    kommunekode: str
    kommunenavn: str
    politikreds: str
    closed_at: datetime | None
    close_reason: str
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    personal: Literal["shown", "withheld", "erased"] = Field(
        description="shown (name and phone below), withheld for this role, or erased"
    )
    name: str | None = None
    phone: str | None = None


class FollowUpFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any]
    properties: FollowUpPropertiesOut


class FollowUpCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[FollowUpFeature]
    numberMatched: int | None = None
    numberReturned: int | None = None


class AttemptOut(BaseModel):
    number: int
    patrol: str
    at: datetime
    outcome: AttemptOutcome | None = Field(description="None: an AVL stay not yet reported")
    left: LeftBehind | None
    note: str
    detected: bool
    recorded_by: str


class ContactOut(BaseModel):
    """What the patrol needs at the door, once its car has accepted the task."""

    followup: str
    patrol: str
    name: str
    phone: str


def followup_feature(followup: FollowUp, *, personal: bool) -> FollowUpFeature:
    return FollowUpFeature.model_validate(feature(followup, personal=personal))


def followup_collection(
    followups: list[FollowUp], *, personal: bool, matched: int | None = None
) -> FollowUpCollection:
    return FollowUpCollection(
        features=[followup_feature(f, personal=personal) for f in followups],
        numberMatched=len(followups) if matched is None else matched,
        numberReturned=len(followups),
    )


def attempt_out(attempt: Attempt) -> AttemptOut:
    return AttemptOut.model_validate(attempt_record(attempt))


# -- import and purge ------------------------------------------------------------------------


class ImportedOut(BaseModel):
    """201: every feature of the file registered, in the file's order."""

    imported: int = Field(description="how many follow-ups were registered")
    ids: list[str] = Field(description="their ids, in the file's order")


class RejectedRowOut(BaseModel):
    """One bad field of one bad feature of a refused import."""

    index: int = Field(description="the feature's place in the file (0 = the first)")
    id: str = Field(description="the feature's id as the file gives it, if any")
    case_ref: str = Field(description="its case reference as the file gives it, if any")
    field: str = Field(description="the field, e.g. geometry, due_by, case_ref")
    reason: str = Field(description="why, in the request's language")


class ImportRejectedOut(ValidationOut):
    """422 for a file with a bad feature: nothing was imported; ``rejected`` names every bad
    field of every bad feature (the CLI's ``followups import --json`` report)."""

    imported: Literal[0] = 0
    rejected: list[RejectedRowOut] = Field(default=[], description="every bad field")


class PurgeOut(BaseModel):
    """What the retention job erased: the name and phone number of these closed follow-ups."""

    erased: list[str] = Field(description="ids whose personal data was erased now")
    cutoff: datetime = Field(description="closed before this moment (now - retention)")
    retention_days: int


def rejected_rows(rejected: ImportRejectedError, translate: Translator) -> list[RejectedRowOut]:
    return [
        RejectedRowOut(
            index=p.index, id=p.id, case_ref=p.title, field=p.field, reason=translate(p.reason)
        )
        for p in rejected.problems
    ]
