"""Reasons the engine gives a person: why a stop is worth it, why a hotspot was left out, why a
car got no proposal.

A reason is a stable machine ``code`` with its parameters; the words are rendered from it at the
edge: :meth:`Reason.message` is a :class:`~smartspot.i18n.Message` a translator renders in
the reader's language (Danish through the catalog; ``text()`` gives the English words). Codes never change meaning once released: reports and stored proposals keep them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from smartspot.i18n import N_, Message, msg, msg_n
from smartspot.i18n import joined as joined_messages

#: English templates per code; parameters named in braces. Durations are seconds (``*_s``) and
#: rendered as minutes, hours or days.
TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        # why a car standing at its post is asked at all
        "idle": N_("idle at its post for {idle_s}"),
        # the value of a visit
        "priority": N_("priority {priority}, {category}"),
        "remote": N_("remote: nearest station {station_s}"),
        "remote_no_road": N_("remote: no station reaches it by road"),
        "cooldown": N_("cool-down: visited {ago_s} ago"),
        "never_visited": N_("never visited"),
        "not_visited_for": N_("not visited for {since_s}"),
        "behind": N_("{done} of {target} visits this week"),
        "none_yet": N_("no visit yet of {target} a week"),
        "late": N_("{missing} of {target} visits still missing this week, {left_s} left"),
        "late_outlying": N_(
            "outlying and behind: {missing} of {target} visits still missing this week, "
            "{left_s} left"
        ),
        "week_served": N_("this week's visits made ({done} of {target})"),
        "active": N_("active {window}"),
        "opens_in": N_("opens in {opens_s} {window}"),
        "not_active_now": N_("not active now {window}"),
        # the value of a follow-up visit (tryghedsopfølgning)
        "followup_due": N_("follow-up: due in {due_s}"),
        "followup_overdue": N_("follow-up: {over_s} overdue"),
        "followup": N_("follow-up: due in {due_s}; {km} km from the route"),
        "followup_late": N_("follow-up: {over_s} overdue; {km} km from the route"),
        "followup_outside_hours": N_("outside the preferred hours {window}"),
        "followup_retry": N_("a failed attempt {ago_s} ago"),
        "followup_not_for_patrols": N_("in the phone queue or closed"),
        # why a hotspot is not in the plan
        "not_valid": N_("closed or not valid today"),
        "claimed": N_("another car is working it"),
        "not_active": N_("not active"),
        "outside_budget": N_(
            "outside budget: no free car can get there and home within its detour budget"
        ),
        "unreachable": N_("unreachable: no road from any free car"),
        "not_chosen": N_("outside budget: the chosen stops use the detour budget better"),
        "no_window": N_("not active while a free car can be there"),
        "no_car": N_("no free car may take a proposal"),
        # why a car gets no proposal
        "urgent_queue": N_("urgent queue: an urgent call waits unassigned in {politikreds}"),
        "shift_ends": N_("shift ends at {end}, within the detour budget"),
        "coverage": N_(
            "coverage: {kommune} would have no other available car within {minutes} min"
        ),
        "no_road_home": N_("unreachable: no road home from where it is"),
        "nothing_worth_it": N_("nothing worth a detour now"),
        "no_hotspots": N_("no open hotspot in {politikreds}"),
        "planning_failed": N_("planning failed: {error}"),
        # proposals stored before reasons had codes keep their words
        "legacy": "{text}",
    }
)


def duration_text(seconds: float) -> str:
    """``"22 min"``, ``"5 h"``, ``"9 days"``: how long, as a person says it."""
    if not math.isfinite(seconds):
        return "never"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.0f} h"
    return f"{minutes / 1440:.0f} days"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason: a code from :data:`TEMPLATES` and its parameters (JSON-able values)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in TEMPLATES:
            raise ValueError(f"unknown reason code {self.code!r}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def text(self) -> str:
        """The reason in English words."""
        values = {
            key: duration_text(float(value)) if key.endswith("_s") else _plain(value)
            for key, value in self.params.items()
        }
        return TEMPLATES[self.code].format(**values).strip()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(str(data["code"]), dict(data.get("params", {})))


#: Category codes in words, for the ``priority`` reason (the map names them the same way).
CATEGORY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "youth_nuisance": N_("youth nuisance"),
        "mopeds_traffic": N_("mopeds and traffic"),
        "speeding": N_("speeding"),
        "nightlife": N_("nightlife"),
        "burglary_area": N_("burglary-prone area"),
        "drugs_near_school": N_("drugs near a school"),
        "vandalism": N_("vandalism"),
        "other": N_("other"),
    }
)


def duration_message(seconds: float) -> Message:
    """How long, as a person says it, in any language (see :func:`duration_text`)."""
    if not math.isfinite(seconds):
        return msg("never")
    minutes = round(seconds / 60)
    if minutes < 120:
        return msg_n("{n} min", "{n} min", minutes)
    if minutes < 48 * 60:
        return msg_n("{n} h", "{n} h", round(minutes / 60))
    return msg_n("{n} day", "{n} days", round(minutes / 1440))


def message(reason: Reason) -> Message:
    """``reason`` as a text for a person, in whichever language the edge renders it."""
    values: dict[str, Any] = {}
    for key, value in reason.params.items():
        if key.endswith("_s") and isinstance(value, int | float):
            values[key] = duration_message(float(value))
        elif key == "category" and value in CATEGORY_NAMES:
            values[key] = Message(CATEGORY_NAMES[value])
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[key] = value
        else:
            values[key] = _plain(value)
    if reason.code == "legacy":  # words stored before codes: shown as they are
        return Message("{text}", values, translate=False)
    return Message(TEMPLATES[reason.code], values)


def messages_joined(reasons: tuple[Reason, ...] | list[Reason]) -> Message:
    """Reasons as one line (like :func:`joined`), in any language."""
    return joined_messages([message(r) for r in reasons])


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ")


def joined(reasons: tuple[Reason, ...] | list[Reason]) -> str:
    """Reasons as one line, most telling first."""
    return "; ".join(r.text() for r in reasons)
