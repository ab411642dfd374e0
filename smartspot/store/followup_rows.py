"""How a follow-up is laid out in rows (SQLite today, PostgreSQL next): the version columns,
the audit record (never the name or phone number) and the decoders. No SQL is run here."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import date
from typing import Any

from shapely.geometry import Point

from smartspot.domain import Location
from smartspot.followups import (
    Attempt,
    AttemptOutcome,
    Citizen,
    FollowUp,
    FollowUpCategory,
    FollowUpStatus,
    LeftBehind,
    PhoneReason,
    Queue,
)
from smartspot.store.timestamps import from_iso, iso, maybe_iso, maybe_time
from smartspot.windows import ActiveWindow

COLUMNS = (
    "followup_id",
    "version",
    "case_ref",
    "category",
    "task",
    "address",
    "x",
    "y",
    "kommunekode",
    "kommunenavn",
    "politikreds",
    "due_by",
    "windows",
    "minutes_on_site",
    "priority",
    "status",
    "queue",
    "queue_reason",
    "attempts",
    "failed_attempts",
    "closed_at",
    "close_reason",
    "erased_at",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
)


def to_row(followup: FollowUp) -> dict[str, Any]:
    """The column values of one follow-up version (no personal data)."""
    return {
        "followup_id": followup.id,
        "version": followup.version,
        "case_ref": followup.case_ref,
        "category": followup.category.value,
        "task": followup.task,
        "address": followup.address,
        "x": float(followup.position.x),
        "y": float(followup.position.y),
        "kommunekode": followup.location.kommunekode,
        "kommunenavn": followup.location.kommunenavn,
        "politikreds": followup.location.politikreds,
        "due_by": followup.due_by.isoformat(),
        "windows": json.dumps([w.label() for w in followup.windows]),
        "minutes_on_site": followup.minutes_on_site,
        "priority": followup.priority,
        "status": followup.status.value,
        "queue": followup.queue.value,
        "queue_reason": None if followup.queue_reason is None else followup.queue_reason.value,
        "attempts": followup.attempts,
        "failed_attempts": followup.failed_attempts,
        "closed_at": maybe_iso(followup.closed_at),
        "close_reason": followup.close_reason,
        "erased_at": maybe_iso(followup.erased_at),
        "created_by": followup.created_by,
        "created_at": iso(followup.created_at),
        "updated_by": followup.updated_by,
        "updated_at": iso(followup.updated_at),
    }


def audit_record(followup: FollowUp, *, changed: tuple[str, ...] = ()) -> dict[str, Any]:
    """A version as JSON for the audit log: never the name or phone number, only whether they
    are held (``personal``: held, erased) and which of them this write changed."""
    record = to_row(followup)
    record["windows"] = [w.label() for w in followup.windows]
    record["personal"] = "erased" if followup.erased else "held"
    if changed:
        record["personal_changed"] = list(changed)
    return record


def attempt_record(attempt: Attempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "patrol": attempt.patrol,
        "at": iso(attempt.at),
        "outcome": None if attempt.outcome is None else attempt.outcome.value,
        "left": None if attempt.left is None else attempt.left.value,
        "note": attempt.note,
        "detected": attempt.detected,
    }


def from_row(row: sqlite3.Row | Mapping[str, Any]) -> FollowUp:
    citizen = None
    if row["erased_at"] is None and row["citizen_name"]:
        citizen = Citizen(row["citizen_name"], row["citizen_phone"])
    return FollowUp(
        id=row["followup_id"],
        case_ref=row["case_ref"],
        category=FollowUpCategory(row["category"]),
        task=row["task"],
        position=Point(row["x"], row["y"]),
        location=Location(row["kommunekode"], row["kommunenavn"], row["politikreds"]),
        due_by=date.fromisoformat(row["due_by"]),
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
        updated_by=row["updated_by"],
        updated_at=from_iso(row["updated_at"]),
        citizen=citizen,
        address=row["address"],
        windows=tuple(ActiveWindow.parse(text) for text in json.loads(row["windows"])),
        minutes_on_site=int(row["minutes_on_site"]),
        priority=int(row["priority"]),
        status=FollowUpStatus(row["status"]),
        queue=Queue(row["queue"]),
        queue_reason=None if row["queue_reason"] is None else PhoneReason(row["queue_reason"]),
        attempts=int(row["attempts"]),
        failed_attempts=int(row["failed_attempts"]),
        closed_at=maybe_time(row["closed_at"]),
        close_reason=row["close_reason"],
        erased_at=maybe_time(row["erased_at"]),
        version=int(row["version"]),
    )


def attempt_from_row(row: sqlite3.Row | Mapping[str, Any]) -> Attempt:
    return Attempt(
        followup=row["followup_id"],
        number=int(row["number"]),
        patrol=row["patrol"],
        at=from_iso(row["at"]),
        outcome=None if row["outcome"] is None else AttemptOutcome(row["outcome"]),
        left=None if row["left_behind"] is None else LeftBehind(row["left_behind"]),
        note=row["note"],
        detected=bool(row["detected"]),
        recorded_by=row["recorded_by"],
        recorded_at=from_iso(row["recorded_at"]),
    )
