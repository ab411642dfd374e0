"""Records the store keeps beside the domain objects: user accounts, position fixes, proposals.

Frozen and validated when built, like the domain. Roles are plain text here (the API owns what
each role may do); the store only refuses a role it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shapely.geometry import Point

from smartspot.domain import Visit
from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

ROLES = ("operator", "analyst", "planner", "admin")


def _aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInputError(msg("{name} must carry a timezone", name=name), field=name)


@dataclass(frozen=True, slots=True)
class UserAccount:
    """Someone who logs in. ``password_hash`` is made by the API (argon2); never plain text."""

    name: str
    role: str
    password_hash: str
    created_at: datetime
    active: bool = True

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


class ProposalStatus(StrEnum):
    PENDING = "pending"  # waiting for the operator
    ACCEPTED = "accepted"  # the car is on task
    REJECTED = "rejected"  # the operator said no, with a reason
    VOIDED = "voided"  # the car was sent to an urgent call
    SUPERSEDED = "superseded"  # a newer proposal for the same car replaced it


@dataclass(frozen=True, slots=True)
class Proposal:
    """A detour proposal for one car, with the exact problem the optimiser saw (for replay)
    and what the operator decided."""

    id: str
    patrol: str
    created_at: datetime
    problem: dict[str, Any]
    solution: dict[str, Any]
    status: ProposalStatus = ProposalStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""
    decision: dict[str, Any] = field(default_factory=dict)  # e.g. {"removed_stops": [...]}

    def __post_init__(self) -> None:
        if not self.patrol:
            raise InvalidInputError(msg("a proposal names its patrol"), field="patrol")
        ProposalStatus(self.status)
        _aware(self.created_at, "created_at")
        _aware(self.decided_at, "decided_at")
        decided = self.status is not ProposalStatus.PENDING
        if decided and self.decided_at is None:
            raise InvalidInputError(
                msg("a decided proposal needs its decision time"), field="decided_at"
            )
        if self.status is ProposalStatus.REJECTED and not self.reason.strip():
            raise InvalidInputError(msg("rejecting a proposal needs a reason"), field="reason")
