"""Hotspot drafts: what a user types or a file carries, before the geo core places it.

A :class:`HotspotDraft` holds the fields a person chooses (never the derived kommune or
politikreds). :func:`parse_properties` reads the "Hotspot GeoJSON properties" contract shared by
import, export, the demo data and the API, and reports *every* bad field, not only the first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry

from smartspot.domain import DEFAULT_MINUTES_ON_SITE, Category, HandlingInstruction, Hotspot, Source
from smartspot.errors import InvalidInputError, message_of
from smartspot.i18n import Message, joined, msg
from smartspot.windows import ActiveWindow

#: Properties a user may set; everything else on a feature is derived or ignored on import.
EDITABLE = (
    "title",
    "category",
    "description",
    "instruction",
    "steps",
    "minutes_on_site",
    "priority",
    "windows",
    "valid_from",
    "valid_to",
    "visits_per_week",
    "source",
    "source_ref",
)


@dataclass(frozen=True, slots=True)
class HotspotDraft:
    """The user-chosen fields of a hotspot; the service adds id, place, status and version."""

    title: str
    category: Category
    description: str
    instruction: HandlingInstruction
    priority: int
    valid_from: date
    windows: tuple[ActiveWindow, ...] = ()
    valid_to: date | None = None
    visits_per_week: float = 1.0
    source: Source = Source.ANALYSIS
    source_ref: str = ""

    def __post_init__(self) -> None:
        for name in ("title", "description"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInputError(msg("{name} must be non-empty text", name=name), field=name)
        Category(self.category)
        Source(self.source)
        if isinstance(self.priority, bool) or self.priority not in range(1, 6):
            raise InvalidInputError(
                msg(
                    "priority is {priority!r}; allowed are whole numbers 1 (low) to 5 (high)",
                    priority=self.priority,
                ),
                field="priority",
            )
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise InvalidInputError(
                msg(
                    "valid_to ({valid_to}) is before valid_from ({valid_from})",
                    valid_to=self.valid_to,
                    valid_from=self.valid_from,
                ),
                field="valid_to",
            )
        if not 0 < self.visits_per_week <= 100:
            raise InvalidInputError(
                msg(
                    "visits per week is {visits_per_week}; allowed is more than 0, at most 100",
                    visits_per_week=self.visits_per_week,
                ),
                field="visits_per_week",
            )

    @classmethod
    def of(cls, hotspot: Hotspot) -> HotspotDraft:
        """The draft fields of an existing hotspot version."""
        return cls(
            title=hotspot.title,
            category=hotspot.category,
            description=hotspot.description,
            instruction=hotspot.instruction,
            priority=hotspot.priority,
            valid_from=hotspot.valid_from,
            windows=hotspot.windows,
            valid_to=hotspot.valid_to,
            visits_per_week=hotspot.visits_per_week,
            source=hotspot.source,
            source_ref=hotspot.source_ref,
        )


@dataclass(frozen=True, slots=True)
class FeatureIn:
    """One feature as a file carries it, before validation: what the file readers
    (:mod:`smartspot.geo.io`) hand to the import. ``geometry`` is WGS84 (or None, with
    ``geometry_error`` saying why it could not be read)."""

    index: int
    properties: Mapping[str, Any]
    geometry: BaseGeometry | None
    geometry_error: Message | None = None


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one field of one input."""

    field: str
    reason: Message


def draft_properties(draft: HotspotDraft) -> dict[str, Any]:
    """A draft as contract properties (JSON-able)."""
    return {
        "title": draft.title,
        "category": draft.category.value,
        "description": draft.description,
        "instruction": draft.instruction.text,
        "steps": list(draft.instruction.steps),
        "minutes_on_site": draft.instruction.minutes_on_site,
        "priority": draft.priority,
        "windows": [w.label() for w in draft.windows],
        "valid_from": draft.valid_from.isoformat(),
        "valid_to": None if draft.valid_to is None else draft.valid_to.isoformat(),
        "visits_per_week": draft.visits_per_week,
        "source": draft.source.value,
        "source_ref": draft.source_ref,
    }


def parse_properties(
    props: Mapping[str, Any], *, today: date
) -> tuple[HotspotDraft | None, list[FieldProblem]]:
    """Read contract properties into a draft, collecting every problem.

    Parameters
    ----------
    props
        Feature properties (see the brief's "Hotspot GeoJSON properties"). Unknown and derived
        keys are ignored. ``steps`` and ``windows`` may be JSON text (as GeoPackage holds them).
    today
        The default ``valid_from``.

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

    title = attempt("title", _text, props, "title", True)
    category = attempt("category", _enum, props, "category", Category, None)
    description = attempt("description", _text, props, "description", True)
    instruction_text = attempt("instruction", _text, props, "instruction", True)
    steps = attempt("steps", _text_list, props, "steps")
    minutes = attempt(
        "minutes_on_site", _integer, props, "minutes_on_site", DEFAULT_MINUTES_ON_SITE
    )
    priority = attempt("priority", _integer, props, "priority", None)
    windows = attempt("windows", _windows, props)
    valid_from = attempt("valid_from", _date, props, "valid_from", today)
    valid_to = attempt("valid_to", _date, props, "valid_to", None)
    visits = attempt("visits_per_week", _number, props, "visits_per_week", 1.0)
    source = attempt("source", _enum, props, "source", Source, Source.ANALYSIS)
    source_ref = attempt("source_ref", _text, props, "source_ref", False)
    if problems:
        return None, problems
    try:
        instruction = HandlingInstruction(instruction_text, tuple(steps), minutes)
        draft = HotspotDraft(
            title=title,
            category=category,
            description=description,
            instruction=instruction,
            priority=priority,
            valid_from=valid_from,
            windows=tuple(windows),
            valid_to=valid_to,
            visits_per_week=visits,
            source=source,
            source_ref=source_ref or "",
        )
    except InvalidInputError as error:
        return None, [FieldProblem(error.field or "properties", error.message)]
    return draft, []


def draft_from_properties(props: Mapping[str, Any], *, today: date) -> HotspotDraft:
    """Like :func:`parse_properties`, raising InvalidInputError naming every bad field."""
    draft, problems = parse_properties(props, today=today)
    if draft is None:
        raise InvalidInputError(
            joined([msg("{field}: {reason}", field=p.field, reason=p.reason) for p in problems]),
            field=problems[0].field,
        )
    return draft


# -- field readers: each raises with a message that says what is allowed ----------------------


def _missing(props: Mapping[str, Any], key: str) -> bool:
    return props.get(key) is None or props.get(key) == ""


def _text(props: Mapping[str, Any], key: str, required: bool) -> str | None:
    if _missing(props, key):
        if required:
            raise InvalidInputError(msg("{key} is required", key=key))
        return None
    value = props[key]
    if not isinstance(value, str):
        raise InvalidInputError(
            msg("{key} must be text, not {name}", key=key, name=type(value).__name__)
        )
    return value


def _enum(props: Mapping[str, Any], key: str, kind: Any, default: Any) -> Any:
    if _missing(props, key):
        if default is None:
            raise InvalidInputError(
                msg(
                    "{key} is required; one of {kind}",
                    key=key,
                    kind=", ".join(m.value for m in kind),
                )
            )
        return default
    value = props[key]
    try:
        return kind(value)
    except ValueError:
        raise InvalidInputError(
            msg(
                "unknown {key} {value!r}; allowed: {kind}",
                key=key,
                value=value,
                kind=", ".join(m.value for m in kind),
            )
        ) from None


def _integer(props: Mapping[str, Any], key: str, default: int | None) -> int:
    if _missing(props, key):
        if default is None:
            raise InvalidInputError(msg("{key} is required", key=key))
        return default
    value = props[key]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            msg("{key} must be a whole number, not {value!r}", key=key, value=value)
        )
    if key == "priority" and not 1 <= value <= 5:
        raise InvalidInputError(
            msg("priority is {value}; allowed are whole numbers 1 (low) to 5", value=value)
        )
    return value


def _number(props: Mapping[str, Any], key: str, default: float) -> float:
    if _missing(props, key):
        return default
    value = props[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(msg("{key} must be a number, not {value!r}", key=key, value=value))
    return float(value)


def _date(props: Mapping[str, Any], key: str, default: date | None) -> date | None:
    if _missing(props, key):
        return default
    value = props[key]
    if isinstance(value, datetime):  # a GeoPackage Date field read as midnight
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidInputError(
            msg("{key} must be an ISO date like 2026-03-01, not {value!r}", key=key, value=value)
        )
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidInputError(
            msg("{key} {value!r} is not an ISO date like 2026-03-01", key=key, value=value)
        ) from None


def _json_list(props: Mapping[str, Any], key: str) -> list[Any]:
    if _missing(props, key):
        return []
    value = props[key]
    if isinstance(value, str):  # GeoPackage has no list type: lists travel as JSON text
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InvalidInputError(
                msg("{key} must be a list or JSON text of a list", key=key)
            ) from None
    if not isinstance(value, list | tuple):
        raise InvalidInputError(msg("{key} must be a list of text", key=key))
    return list(value)


def _text_list(props: Mapping[str, Any], key: str) -> list[str]:
    items = _json_list(props, key)
    if not all(isinstance(item, str) for item in items):
        raise InvalidInputError(msg("every item of {key} must be text", key=key))
    return items


def _windows(props: Mapping[str, Any]) -> list[ActiveWindow]:
    return [ActiveWindow.parse(text) for text in _text_list(props, "windows")]
