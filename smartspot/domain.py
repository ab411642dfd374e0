"""The domain model: frozen dataclasses validated when built.

Geometries inside the domain are shapely objects in EPSG:25832 (metres). Every timestamp is
timezone-aware. Words kept in Danish are the users' own: a *kommune* is a municipality, a
*politikreds* a police district, a *handlingsanvisning* the handling instruction a patrol follows
on site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from shapely.geometry import Point, Polygon

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.windows import ActiveWindow

DEFAULT_MINUTES_ON_SITE = 15  # Koper (1995): 10–16 minute stays deter longest.
MAX_TEXT = 4_000


class Category(StrEnum):
    YOUTH_NUISANCE = "youth_nuisance"
    MOPEDS_TRAFFIC = "mopeds_traffic"
    SPEEDING = "speeding"
    NIGHTLIFE = "nightlife"
    BURGLARY_AREA = "burglary_area"
    DRUGS_NEAR_SCHOOL = "drugs_near_school"
    VANDALISM = "vandalism"
    OTHER = "other"


class Source(StrEnum):
    CITIZEN_REPORT = "citizen_report"
    BESTIL_EN_BETJENT = "bestil_en_betjent"  # "order an officer": the police's citizen web form
    LOKALRAAD = "lokalraad"  # local council of police and kommune
    ANALYSIS = "analysis"
    TRYGHEDSOPFOELGNING = "tryghedsopfoelgning"  # safety follow-up with a citizen


class HotspotStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PatrolStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    ON_TASK = "on_task"  # on a Smart Spot hotspot visit
    OFF_DUTY = "off_duty"


class VisitOutcome(StrEnum):
    OBSERVED = "observed"  # the problem behaviour was seen
    NOT_OBSERVED = "not_observed"
    ABORTED = "aborted"  # called away


def _require_text(value: str, name: str, *, allow_empty: bool = False) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(msg("{name} must be text", name=name), field=name)
    if not allow_empty and not value.strip():
        raise InvalidInputError(msg("{name} must not be empty", name=name), field=name)
    if len(value) > MAX_TEXT:
        raise InvalidInputError(
            msg(
                "{name} is {n_value} characters; at most {MAX_TEXT}",
                name=name,
                n_value=len(value),
                MAX_TEXT=MAX_TEXT,
            ),
            field=name,
        )


def _require_aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInputError(msg("{name} must carry a timezone", name=name), field=name)


@dataclass(frozen=True, slots=True)
class HandlingInstruction:
    """The handlingsanvisning: what the patrol does on site, and for how long."""

    text: str
    steps: tuple[str, ...] = ()
    minutes_on_site: int = DEFAULT_MINUTES_ON_SITE

    def __post_init__(self) -> None:
        _require_text(self.text, "instruction")
        for step in self.steps:
            _require_text(step, "instruction step")
        if not isinstance(self.minutes_on_site, int) or not 1 <= self.minutes_on_site <= 120:
            raise InvalidInputError(
                msg(
                    "minutes on site is {minutes_on_site}; allowed are whole minutes 1–120 (10–15 is what the evidence favours)",
                    minutes_on_site=self.minutes_on_site,
                ),
                field="minutes_on_site",
            )


@dataclass(frozen=True, slots=True)
class Location:
    """Derived from the geometry by the geo core, never typed by a user."""

    kommunekode: str
    kommunenavn: str
    politikreds: str


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A tryghedsopgave: a registered local safety task at a place. One version of it."""

    id: str
    title: str
    category: Category
    description: str
    instruction: HandlingInstruction
    priority: int
    geometry: Point | Polygon  # EPSG:25832
    location: Location
    source: Source
    valid_from: date
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    windows: tuple[ActiveWindow, ...] = ()
    valid_to: date | None = None
    visits_per_week: float = 1.0
    source_ref: str = ""
    status: HotspotStatus = HotspotStatus.OPEN
    close_reason: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        _require_text(self.id, "id")
        _require_text(self.title, "title")
        if len(self.title) > 200:
            raise InvalidInputError(msg("title must be at most 200 characters"), field="title")
        _require_text(self.description, "description")
        if (
            not isinstance(self.priority, int)
            or isinstance(self.priority, bool)
            or not (1 <= self.priority <= 5)
        ):
            raise InvalidInputError(
                msg(
                    "priority is {priority!r}; allowed are whole numbers 1 (low) to 5 (high)",
                    priority=self.priority,
                ),
                field="priority",
            )
        if not isinstance(self.geometry, Point | Polygon) or self.geometry.is_empty:
            raise InvalidInputError(
                msg("geometry must be a non-empty Point or Polygon"), field="geometry"
            )
        Category(self.category)
        Source(self.source)
        HotspotStatus(self.status)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise InvalidInputError(
                msg(
                    "valid_to ({valid_to}) is before valid_from ({valid_from}); a hotspot must be valid for at least one day",
                    valid_to=self.valid_to,
                    valid_from=self.valid_from,
                ),
                field="valid_to",
            )
        if not 0 < self.visits_per_week <= 100:
            raise InvalidInputError(
                msg(
                    "visits per week is {visits_per_week}; allowed is more than 0 and at most 100",
                    visits_per_week=self.visits_per_week,
                ),
                field="visits_per_week",
            )
        if len(self.source_ref) > 200:
            raise InvalidInputError(
                msg("source_ref must be at most 200 characters"), field="source_ref"
            )
        for moment, name in ((self.created_at, "created_at"), (self.updated_at, "updated_at")):
            _require_aware(moment, name)
        if self.status is HotspotStatus.CLOSED and not self.close_reason.strip():
            raise InvalidInputError(msg("a closed hotspot needs a reason"), field="close_reason")
        if self.version < 1:
            raise InvalidInputError(msg("version starts at 1"), field="version")

    @property
    def is_open(self) -> bool:
        return self.status is HotspotStatus.OPEN

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Station:
    """A police station; patrol cars start and end their shifts here."""

    id: str
    name: str
    kind: str
    position: Point  # EPSG:25832
    location: Location

    def __post_init__(self) -> None:
        _require_text(self.id, "id")
        _require_text(self.name, "name")


@dataclass(frozen=True, slots=True)
class Patrol:
    """A patrol car and what the vagtcentral last knew about it."""

    call_sign: str
    home_station: str
    status: PatrolStatus = PatrolStatus.AVAILABLE
    position: Point | None = None  # EPSG:25832
    position_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_text(self.call_sign, "call_sign")
        _require_text(self.home_station, "home_station")
        PatrolStatus(self.status)
        _require_aware(self.position_at, "position_at")
        if (self.position is None) != (self.position_at is None):
            raise InvalidInputError(msg("a position needs its time, and a time its position"))


@dataclass(frozen=True, slots=True)
class Callout:
    """An udrykning: a call the vagtcentral sends a car to."""

    id: str
    urgent: bool
    position: Point  # EPSG:25832
    received_at: datetime
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = None
    cleared_at: datetime | None = None
    patrol: str | None = None

    def __post_init__(self) -> None:
        _require_text(self.id, "id")
        previous: datetime | None = None
        for name in ("received_at", "dispatched_at", "arrived_at", "cleared_at"):
            moment = getattr(self, name)
            _require_aware(moment, name)
            if moment is None:
                continue
            if previous is not None and moment < previous:
                raise InvalidInputError(
                    msg(
                        "{name} is before the step before it; times go received → dispatched → arrived → cleared",
                        name=name,
                    ),
                    field=name,
                )
            previous = moment

    @property
    def response_s(self) -> float | None:
        """Responstid: received to first car on scene, in seconds."""
        if self.arrived_at is None:
            return None
        return (self.arrived_at - self.received_at).total_seconds()


@dataclass(frozen=True, slots=True)
class Visit:
    """A patrol's stay at a hotspot and what it found."""

    hotspot: str
    patrol: str
    arrived_at: datetime
    left_at: datetime | None = None
    outcome: VisitOutcome | None = None
    persons: int | None = None
    action: str = ""
    note: str = ""
    detected: bool = False  # True when found from AVL positions, not reported by the crew

    def __post_init__(self) -> None:
        _require_aware(self.arrived_at, "arrived_at")
        _require_aware(self.left_at, "left_at")
        if self.left_at is not None and self.left_at < self.arrived_at:
            raise InvalidInputError(msg("left_at is before arrived_at"), field="left_at")
        if self.persons is not None and not 0 <= self.persons <= 1000:
            raise InvalidInputError(msg("persons must be 0–1000"), field="persons")
        if self.outcome is not None:
            VisitOutcome(self.outcome)

    @property
    def minutes_on_site(self) -> float | None:
        """The dosage: minutes between arrival and departure."""
        if self.left_at is None:
            return None
        return (self.left_at - self.arrived_at).total_seconds() / 60
