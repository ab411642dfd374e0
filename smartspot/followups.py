"""Tryghedsopfølgning: a one-off follow-up with a citizen after a report, as a task for a patrol.

A :class:`FollowUp` is a task at an address point: the case it follows, what to do, by when,
preferably when (weekday hours), how long on site, how important. The citizen's name and phone
number (:class:`Citizen`) are the only personal data it holds; they are kept apart so that a
view without them is one field away (:meth:`FollowUp.without_citizen`), and erased after the
retention period (:func:`erase`), leaving the task, its outcome and its history.

A patrol's visit is an :class:`Attempt`: reached in person, not home (then leaflet, neighbour or
relative, or nothing), or refused. The rules are pure functions on these values, in
:mod:`smartspot.followup_rules`:

* reached in person closes the task as *done in person*;
* refused closes it as *cancelled* ("the citizen declined"): no one calls again after a no;
* not home counts as a failed attempt; after ``max_failed_attempts`` (default 2) the task goes
  to the *phone queue* with the reason, and patrols are no longer asked to call by;
* a task in the phone queue is closed by phone (*done by phone* or *not reached*).

Nothing here reads a clock, a file or a database: times come in as parameters.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from shapely.geometry import Point

from smartspot.domain import Location
from smartspot.errors import InvalidInputError
from smartspot.i18n import N_, msg
from smartspot.windows import LOCAL_TZ, ActiveWindow, is_active

DEFAULT_DUE_DAYS = 14
DEFAULT_FOLLOWUP_MINUTES = 10
DEFAULT_MAX_FAILED_ATTEMPTS = 2
DEFAULT_RETENTION_DAYS = 90
MAX_TEXT = 2_000
#: A police journal number: politikreds (4 digits), section (5), serial (5), year (2), e.g.
#: ``4100-76543-00123-26``.
CASE_REF = re.compile(r"^\d{4}-\d{5}-\d{5}-\d{2}$")
CASE_REF_EXAMPLE = "4100-76543-00123-26"
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{6,22}$")
ID_FORM = re.compile(r"^TO-\d{6}$")


class FollowUpCategory(StrEnum):
    """What the report that is followed up was about."""

    BURGLARY = "burglary"
    VIOLENCE = "violence"
    THEFT = "theft"
    VANDALISM = "vandalism"
    THREATS = "threats"
    HARASSMENT = "harassment"
    UNSAFE_BEHAVIOUR = "unsafe_behaviour"  # utryghedsskabende adfærd
    TRAFFIC = "traffic"
    OTHER = "other"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE_IN_PERSON = "done_in_person"
    DONE_BY_PHONE = "done_by_phone"
    NOT_REACHED = "not_reached"
    CANCELLED = "cancelled"


CLOSED_STATUSES = frozenset(FollowUpStatus) - {FollowUpStatus.OPEN}


class Queue(StrEnum):
    """Who works an open task: a passing patrol (``visit``) or the phone (``phone``)."""

    VISIT = "visit"
    PHONE = "phone"


class PhoneReason(StrEnum):
    """Why a task is in the phone queue (rendered by :func:`queue_reason_message`)."""

    FAILED_ATTEMPTS = "failed_attempts"
    REGISTERED = "registered"  # registered as a phone follow-up from the start


class AttemptOutcome(StrEnum):
    REACHED = "reached"  # reached in person
    NOT_HOME = "not_home"
    REFUSED = "refused"


class LeftBehind(StrEnum):
    """What the patrol did when no one was home."""

    LEAFLET = "leaflet"
    NEIGHBOUR = "neighbour"  # a neighbour or relative contacted
    NOTHING = "nothing"


#: Why a task closed without a person's reason.
REFUSED_REASON = N_("the citizen declined the follow-up")
QUEUE_REASONS = {
    PhoneReason.REGISTERED: N_("registered as a phone follow-up"),
}


def _text(value: object, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(msg("{name} must be text", name=name), field=name)
    if required and not value.strip():
        raise InvalidInputError(msg("{name} must not be empty", name=name), field=name)
    if len(value) > limit:
        raise InvalidInputError(
            msg("{name} is {n} characters; at most {limit}", name=name, n=len(value), limit=limit),
            field=name,
        )


def _aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInputError(msg("{name} must carry a timezone", name=name), field=name)


def check_case_ref(case_ref: str) -> str:
    """The case reference, stripped; refused unless it is a police journal number."""
    text = case_ref.strip() if isinstance(case_ref, str) else case_ref
    if not isinstance(text, str) or not CASE_REF.match(text):
        raise InvalidInputError(
            msg(
                "case reference {value!r} is not a journal number; the form is "
                "kreds-section-serial-year, e.g. {example}",
                value=case_ref,
                example=CASE_REF_EXAMPLE,
            ),
            field="case_ref",
        )
    return text


def check_due_by(due_by: date, today: date) -> date:
    """A new task's due date: today or later."""
    if due_by < today:
        raise InvalidInputError(
            msg(
                "due date {due_by} is in the past; a new follow-up is due today ({today}) or later",
                due_by=due_by,
                today=today,
            ),
            field="due_by",
        )
    return due_by


@dataclass(frozen=True, slots=True)
class Citizen:
    """The only personal data of a task: whom to ask for and how to call them."""

    name: str
    phone: str = ""

    def __post_init__(self) -> None:
        _text(self.name, "name", limit=200)
        _text(self.phone, "phone", required=False, limit=30)
        if self.phone and not (
            _PHONE.match(self.phone) and 8 <= sum(c.isdigit() for c in self.phone) <= 15
        ):
            raise InvalidInputError(
                msg(
                    "phone number {phone!r} must be 8 digits (e.g. 20 30 40 50) or +country code "
                    "and number",
                    phone=self.phone,
                ),
                field="phone",
            )


@dataclass(frozen=True, slots=True)
class FollowUpRules:
    """The configurable rules: the default due period, minutes on site, the failed attempts
    before the phone queue, and how long personal data is kept after closing."""

    due_days: int = DEFAULT_DUE_DAYS
    minutes_on_site: int = DEFAULT_FOLLOWUP_MINUTES
    max_failed_attempts: int = DEFAULT_MAX_FAILED_ATTEMPTS
    retention_days: int = DEFAULT_RETENTION_DAYS

    def __post_init__(self) -> None:
        for name, low, high in (
            ("due_days", 1, 365),
            ("minutes_on_site", 1, 120),
            ("max_failed_attempts", 1, 10),
            ("retention_days", 0, 3650),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInputError(
                    msg(
                        "{name} is {value!r}; allowed are whole numbers {low}–{high}",
                        name=name,
                        value=value,
                        low=low,
                        high=high,
                    ),
                    field=name,
                )


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A tryghedsopfølgning task; one version of it (every change is a new version)."""

    id: str
    case_ref: str
    category: FollowUpCategory
    task: str  # what to do on site, e.g. "spørg til tryghed efter indbruddet; giv folder"
    position: Point  # EPSG:25832, the address point
    location: Location
    due_by: date  # local date; the task is due by the end of it
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    citizen: Citizen | None  # None when erased, or in a view without personal data
    address: str = ""  # the street address of the point, for the patrol to find the door
    windows: tuple[ActiveWindow, ...] = ()  # preferred hours; empty = any time
    minutes_on_site: int = DEFAULT_FOLLOWUP_MINUTES
    priority: int = 3
    status: FollowUpStatus = FollowUpStatus.OPEN
    queue: Queue = Queue.VISIT
    queue_reason: PhoneReason | None = None
    failed_attempts: int = 0
    attempts: int = 0
    closed_at: datetime | None = None
    close_reason: str = ""
    erased_at: datetime | None = None  # when the personal fields were erased
    version: int = 1

    def __post_init__(self) -> None:
        _text(self.id, "id", limit=40)
        check_case_ref(self.case_ref)
        FollowUpCategory(self.category)
        _text(self.task, "task")
        _text(self.address, "address", required=False, limit=200)
        if not isinstance(self.position, Point) or self.position.is_empty:
            raise InvalidInputError(msg("a follow-up's place is a point"), field="geometry")
        if isinstance(self.minutes_on_site, bool) or self.minutes_on_site not in range(1, 121):
            raise InvalidInputError(
                msg(
                    "minutes on site is {minutes!r}; allowed are whole minutes 1–120",
                    minutes=self.minutes_on_site,
                ),
                field="minutes_on_site",
            )
        if isinstance(self.priority, bool) or self.priority not in range(1, 6):
            raise InvalidInputError(
                msg(
                    "priority is {priority!r}; allowed are whole numbers 1 (low) to 5 (high)",
                    priority=self.priority,
                ),
                field="priority",
            )
        FollowUpStatus(self.status)
        Queue(self.queue)
        for moment, name in (
            (self.created_at, "created_at"),
            (self.updated_at, "updated_at"),
            (self.closed_at, "closed_at"),
            (self.erased_at, "erased_at"),
        ):
            _aware(moment, name)
        if (self.queue is Queue.PHONE) != (self.queue_reason is not None):
            raise InvalidInputError(
                msg("a task in the phone queue needs its reason, and only then"),
                field="queue_reason",
            )
        if not 0 <= self.failed_attempts <= self.attempts:
            raise InvalidInputError(
                msg("failed attempts must be between 0 and the number of attempts"),
                field="failed_attempts",
            )
        if self.is_open != (self.closed_at is None):
            raise InvalidInputError(
                msg("a closed follow-up needs its closing time, and an open one has none"),
                field="closed_at",
            )
        if self.status is FollowUpStatus.CANCELLED and not self.close_reason.strip():
            raise InvalidInputError(
                msg("a cancelled follow-up needs a reason"), field="close_reason"
            )
        if self.erased_at is not None and (self.citizen is not None or self.is_open):
            raise InvalidInputError(
                msg("only a closed follow-up is erased, and then it holds no name or phone"),
                field="erased_at",
            )
        if self.version < 1:
            raise InvalidInputError(msg("version starts at 1"), field="version")

    @property
    def is_open(self) -> bool:
        return self.status is FollowUpStatus.OPEN

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def without_citizen(self) -> FollowUp:
        """The same task without the name and phone number: what roles without a need see."""
        return dataclasses.replace(self, citizen=None)

    def due_at(self) -> datetime:
        """The end of the due day, Danish time, as an aware datetime."""
        end = datetime.combine(self.due_by + timedelta(days=1), datetime.min.time())
        return end.replace(tzinfo=LOCAL_TZ)

    def for_patrols(self, moment: datetime) -> bool:
        """Whether a passing patrol may be sent now: open, in the visit queue, within its
        preferred hours (the optimiser decides whether it is worth it)."""
        return self.is_open and self.queue is Queue.VISIT and is_active(self.windows, moment)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try to reach the citizen at the door, from the patrol's report or an AVL stay.

    ``outcome`` is None for a stay the AVL detected whose outcome the patrol has not yet
    reported; ``left`` says what was left when no one was home (and only then).
    """

    followup: str
    number: int  # 1, 2, ... per task
    patrol: str
    at: datetime
    outcome: AttemptOutcome | None
    left: LeftBehind | None = None
    note: str = ""
    detected: bool = False  # found from AVL positions rather than reported by the crew
    recorded_by: str = ""
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        _text(self.patrol, "patrol", limit=40)
        _text(self.note, "note", required=False)
        _aware(self.at, "at")
        _aware(self.recorded_at, "recorded_at")
        if self.number < 1:
            raise InvalidInputError(msg("attempts are numbered from 1"), field="number")
        if self.outcome is not None:
            AttemptOutcome(self.outcome)
        if self.outcome is AttemptOutcome.NOT_HOME:
            if self.left is None:
                raise InvalidInputError(
                    msg(
                        "when no one was home, say what was left: {allowed}",
                        allowed=", ".join(m.value for m in LeftBehind),
                    ),
                    field="left",
                )
            LeftBehind(self.left)
        elif self.left is not None:
            raise InvalidInputError(
                msg("what was left is only for an attempt where no one was home"), field="left"
            )

    @property
    def failed(self) -> bool:
        return self.outcome is AttemptOutcome.NOT_HOME
