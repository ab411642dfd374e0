"""Records the store keeps beside the domain objects: user accounts, position fixes, visits,
stays being detected and the live event log.

Frozen and validated when built, like the domain. Roles are plain text here (the API owns what
each role may do); the store only refuses a role it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shapely.geometry import Point

from smartspot.access import ALL_DISTRICTS
from smartspot.domain import Visit
from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

ROLES = ("operator", "analyst", "planner", "admin")


def _aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInputError(msg("{name} must carry a timezone", name=name), field=name)


@dataclass(frozen=True, slots=True)
class UserAccount:
    """Someone who logs in. ``password_hash`` is made by the API (argon2); never plain text.
    ``districts`` are the politikredse the user works in (``("*",)``: all of them)."""

    name: str
    role: str
    password_hash: str
    created_at: datetime
    active: bool = True
    districts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not 1 <= len(self.name.strip()) <= 100:
            raise InvalidInputError(msg("a user name has 1–100 characters"), field="name")
        if self.role not in ROLES:
            raise InvalidInputError(
                msg(
                    "unknown role {role!r}; roles are {ROLES}",
                    role=self.role,
                    ROLES=", ".join(ROLES),
                ),
                field="role",
            )
        if not self.password_hash:
            raise InvalidInputError(msg("a user needs a password hash"), field="password_hash")
        _aware(self.created_at, "created_at")
        if not isinstance(self.districts, tuple) or not all(
            isinstance(d, str) and d.strip() for d in self.districts
        ):
            raise InvalidInputError(
                msg("a user's districts are names of politikredse"), field="districts"
            )
        if ALL_DISTRICTS in self.districts and len(self.districts) > 1:
            raise InvalidInputError(
                msg("all districts ({all}) stands alone", all=ALL_DISTRICTS), field="districts"
            )


@dataclass(frozen=True, slots=True)
class PositionFix:
    """One AVL position of a patrol car, EPSG:25832."""

    call_sign: str
    at: datetime
    position: Point

    def __post_init__(self) -> None:
        if not self.call_sign:
            raise InvalidInputError(msg("a position needs the car's call sign"), field="call_sign")
        _aware(self.at, "at")
        if not isinstance(self.position, Point) or self.position.is_empty:
            raise InvalidInputError(msg("a position is a non-empty point"), field="position")


@dataclass(frozen=True, slots=True)
class StoredVisit:
    """A visit with the id the store gave it (``VI-000042``)."""

    id: str
    visit: Visit


@dataclass(frozen=True, slots=True)
class Stay:
    """A car inside a hotspot since ``first`` (its first fix there), last seen there at
    ``last``: a visit once it lasts long enough."""

    call_sign: str
    hotspot: str
    first: datetime
    last: datetime

    def __post_init__(self) -> None:
        _aware(self.first, "first")
        _aware(self.last, "last")

    @property
    def seconds(self) -> float:
        return (self.last - self.first).total_seconds()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event of the live stream, as stored: ``seq`` is its SSE id."""

    seq: int
    at: datetime
    kind: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ThrottleState:
    """What the login throttle holds on one key (times in seconds since the epoch).

    ``pending`` attempts are being checked right now, on any worker; the count is good until
    ``pending_until`` (a worker that dies mid-check holds nothing longer). The row may be
    deleted once ``expires_at`` has passed.
    """

    failures: int = 0
    last_failure: float = 0.0
    blocked_until: float = 0.0
    pending: int = 0
    pending_until: float = 0.0
    expires_at: float = 0.0

    @property
    def empty(self) -> bool:
        """Nothing worth keeping: no failure on record and nothing in flight."""
        return self.failures == 0 and self.pending == 0
