"""The follow-up rules as pure functions: each takes a :class:`~smartspot.followups.FollowUp`
and returns its next version (the store writes it); see :mod:`smartspot.followups` for what
they decide. Times come in as parameters; nothing here reads a clock.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from smartspot.errors import ConflictError, InvalidInputError
from smartspot.followups import (
    CLOSED_STATUSES,
    QUEUE_REASONS,
    REFUSED_REASON,
    Attempt,
    AttemptOutcome,
    FollowUp,
    FollowUpRules,
    FollowUpStatus,
    PhoneReason,
    Queue,
)
from smartspot.i18n import Message, msg, msg_n


def default_due_by(today: date, rules: FollowUpRules) -> date:
    return today + timedelta(days=rules.due_days)


def record_attempt(
    followup: FollowUp, attempt: Attempt, *, rules: FollowUpRules, user: str, now: datetime
) -> FollowUp:
    """The task after ``attempt`` (a new version); the rules in the module docstring.

    A stay the AVL detected whose outcome is not yet reported (``outcome`` None) changes
    nothing: the task counts the attempt when the patrol reports how it went.

    Raises
    ------
    ConflictError
        When the task is closed already.
    """
    if not followup.is_open:
        raise ConflictError(
            msg(
                "follow-up {id} is closed ({status}); no more attempts",
                id=followup.id,
                status=followup.status.value,
            )
        )
    if attempt.followup != followup.id:
        raise InvalidInputError(msg("the attempt belongs to another follow-up"), field="followup")
    if attempt.outcome is None:
        return followup
    change: dict[str, object] = {"attempts": followup.attempts + 1}
    if attempt.outcome is AttemptOutcome.REACHED:
        change |= {"status": FollowUpStatus.DONE_IN_PERSON, "closed_at": attempt.at}
    elif attempt.outcome is AttemptOutcome.REFUSED:
        change |= {
            "status": FollowUpStatus.CANCELLED,
            "closed_at": attempt.at,
            "close_reason": REFUSED_REASON,
        }
    elif attempt.outcome is AttemptOutcome.NOT_HOME:
        failed = followup.failed_attempts + 1
        change["failed_attempts"] = failed
        if followup.queue is Queue.VISIT and failed >= rules.max_failed_attempts:
            change |= {"queue": Queue.PHONE, "queue_reason": PhoneReason.FAILED_ATTEMPTS}
    return _next_version(followup, user, now, **change)


def close(
    followup: FollowUp, status: FollowUpStatus, *, reason: str, user: str, now: datetime
) -> FollowUp:
    """Close an open task by hand: done by phone, not reached, done in person, or cancelled
    (cancelling needs a reason)."""
    if not followup.is_open:
        raise ConflictError(msg("follow-up {id} is closed already", id=followup.id))
    status = FollowUpStatus(status)
    if status is FollowUpStatus.OPEN:
        raise InvalidInputError(
            msg(
                "close with one of {allowed}",
                allowed=", ".join(sorted(s.value for s in CLOSED_STATUSES)),
            ),
            field="status",
        )
    return _next_version(
        followup, user, now, status=status, closed_at=now, close_reason=reason.strip()
    )


def to_phone(followup: FollowUp, *, user: str, now: datetime) -> FollowUp:
    """Move an open task to the phone queue by hand (registered or decided as a phone task)."""
    if not followup.is_open:
        raise ConflictError(msg("follow-up {id} is closed already", id=followup.id))
    if followup.queue is Queue.PHONE:
        raise ConflictError(msg("follow-up {id} is in the phone queue already", id=followup.id))
    return _next_version(
        followup, user, now, queue=Queue.PHONE, queue_reason=PhoneReason.REGISTERED
    )


def erasable(followup: FollowUp, now: datetime, rules: FollowUpRules) -> bool:
    """Whether the retention period since closing has passed and personal data is still held."""
    return (
        followup.closed_at is not None
        and followup.erased_at is None
        and followup.closed_at + timedelta(days=rules.retention_days) <= now
    )


def erase(followup: FollowUp, *, user: str, now: datetime) -> FollowUp:
    """The task without its name and phone number, marked erased (a new version)."""
    if followup.is_open:
        raise ConflictError(
            msg("follow-up {id} is open; only closed ones are erased", id=followup.id)
        )
    if followup.erased:
        raise ConflictError(msg("follow-up {id} is erased already", id=followup.id))
    return _next_version(followup, user, now, citizen=None, erased_at=now)


def queue_reason_message(followup: FollowUp) -> Message | None:
    """Why the task is in the phone queue, for a person (None in the visit queue)."""
    if followup.queue_reason is None:
        return None
    if followup.queue_reason is PhoneReason.FAILED_ATTEMPTS:
        return msg_n(
            "{n} attempt at the door did not reach the citizen",
            "{n} attempts at the door did not reach the citizen",
            followup.failed_attempts,
        )
    return Message(QUEUE_REASONS[followup.queue_reason])


def _next_version(followup: FollowUp, user: str, now: datetime, **change: object) -> FollowUp:
    return dataclasses.replace(
        followup,
        updated_by=user,
        updated_at=now,
        version=followup.version + 1,
        **change,  # type: ignore[arg-type]
    )
