"""Follow-up drafts: what an analyst types or a file carries, before the geo core places it.

The "follow-up properties" contract, shared by the CLI, the API and the import files:

``case_ref`` (journal number, required), ``category`` (required), ``task`` (what to do on site,
required), ``name`` (the citizen, required), ``phone``, ``address``, ``due_by`` (ISO date;
default today + the due period), ``windows`` (preferred hours, e.g. ``["mon-fri 16:00-20:00"]``;
in a CSV cell separated by ``;``), ``minutes_on_site`` (default 10), ``priority`` (1–5, default
3) and ``queue`` (``visit``, or ``phone`` for a task that starts as a phone call).

:func:`parse_properties` reports *every* bad field, not only the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from smartspot.drafts import FieldProblem, _date, _enum, _integer, _text, _windows
from smartspot.errors import InvalidInputError, message_of
from smartspot.followup_rules import default_due_by
from smartspot.followups import (
    Citizen,
    FollowUpCategory,
    FollowUpRules,
    Queue,
    check_case_ref,
    check_due_by,
)
from smartspot.i18n import joined, msg
from smartspot.windows import ActiveWindow

#: The properties a person sets; the personal ones are ``name`` and ``phone``.
FIELDS = (
    "case_ref",
    "category",
    "task",
    "name",
    "phone",
    "address",
    "due_by",
    "windows",
    "minutes_on_site",
    "priority",
    "queue",
)
PERSONAL = ("name", "phone")


@dataclass(frozen=True, slots=True)
class FollowUpDraft:
    """The chosen fields of a new follow-up; the service adds id, place, status and version."""

    case_ref: str
    category: FollowUpCategory
    task: str
    citizen: Citizen
    due_by: date
    address: str = ""
    windows: tuple[ActiveWindow, ...] = ()
    minutes_on_site: int = 10
    priority: int = 3
    queue: Queue = Queue.VISIT


def parse_properties(
    props: Mapping[str, Any], *, today: date, rules: FollowUpRules
) -> tuple[FollowUpDraft | None, list[FieldProblem]]:
    """Read contract properties into a draft, collecting every problem.

    Parameters
    ----------
    props
        Feature properties (see the module docstring); unknown keys are ignored.
    today
        The local date: a due date before it is refused, and the default is counted from it.
    rules
        The default due period and minutes on site.

    Returns
    -------
    The draft (or None) and the list of problems (empty when the draft is good).
    """
    problems: list[FieldProblem] = []

    def attempt(field: str, parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except (InvalidInputError, ValueError, TypeError) as error:
            problems.append(FieldProblem(field, message_of(error)))
            return None

    case_ref = attempt("case_ref", _case_ref, props)
    category = attempt("category", _enum, props, "category", FollowUpCategory, None)
    task = attempt("task", _text, props, "task", True)
    citizen = attempt("name", _citizen, props)
    address = attempt("address", _text, props, "address", False)
    due_by = attempt("due_by", _due_by, props, today, rules)
    windows = attempt("windows", _preferred_hours, props)
    minutes = attempt("minutes_on_site", _minutes, props, rules.minutes_on_site)
    priority = attempt("priority", _integer, props, "priority", 3)
    queue = attempt("queue", _enum, props, "queue", Queue, Queue.VISIT)
    if problems:
        return None, problems
    return (
        FollowUpDraft(
            case_ref=case_ref,
            category=category,
            task=task,
            citizen=citizen,
            due_by=due_by,
            address=address or "",
            windows=tuple(windows),
            minutes_on_site=minutes,
            priority=priority,
            queue=queue,
        ),
        [],
    )


def draft_from_properties(
    props: Mapping[str, Any], *, today: date, rules: FollowUpRules
) -> FollowUpDraft:
    """Like :func:`parse_properties`, raising InvalidInputError naming every bad field."""
    draft, problems = parse_properties(props, today=today, rules=rules)
    if draft is None:
        raise InvalidInputError(
            joined([msg("{field}: {reason}", field=p.field, reason=p.reason) for p in problems]),
            field=problems[0].field,
        )
    return draft


def _case_ref(props: Mapping[str, Any]) -> str:
    value = _text(props, "case_ref", True)
    return check_case_ref(value or "")


def _citizen(props: Mapping[str, Any]) -> Citizen:
    name = _text(props, "name", True) or ""
    phone = props.get("phone")
    if isinstance(phone, int) and not isinstance(phone, bool):
        phone = str(phone)  # a spreadsheet's number cell
    if phone is not None and not isinstance(phone, str):
        raise InvalidInputError(msg("phone must be text"), field="phone")
    try:
        return Citizen(name.strip(), (phone or "").strip())
    except InvalidInputError as error:
        # The problem is the phone's when the name is fine; reported under its own field.
        raise InvalidInputError(error.message, field=error.field) from None


def _due_by(props: Mapping[str, Any], today: date, rules: FollowUpRules) -> date:
    value = _date(props, "due_by", None)
    if value is None:
        return default_due_by(today, rules)
    return check_due_by(value, today)


def _preferred_hours(props: Mapping[str, Any]) -> list[ActiveWindow]:
    value = props.get("windows")
    if isinstance(value, str) and value.strip() and not value.strip().startswith("["):
        return [ActiveWindow.parse(part) for part in value.split(";") if part.strip()]
    return _windows(props)


def _minutes(props: Mapping[str, Any], default: int) -> int:
    value = _integer(props, "minutes_on_site", default)
    if not 1 <= value <= 120:
        raise InvalidInputError(
            msg("minutes on site is {minutes!r}; allowed are whole minutes 1–120", minutes=value)
        )
    return value
