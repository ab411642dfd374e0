"""Reasons the engine gives a person: why a stop is worth it, why a hotspot was left out, why a
car got no proposal.

A reason is a stable machine ``code`` with its parameters; the words are rendered from it at the
edge (``text()`` gives the English default; the translation catalogs render the same code in
Danish). Codes never change meaning once released: reports and stored proposals keep them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: English templates per code; parameters named in braces. Durations are seconds (``*_s``) and
#: rendered as minutes, hours or days.
TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        # the value of a visit
        "priority": "priority {priority}, {category}",
        "remote": "remote: nearest station {station_s}",
        "remote_no_road": "remote: no station reaches it by road",
        "cooldown": "cool-down: visited {ago_s} ago",
        "never_visited": "never visited",
        "not_visited_for": "not visited for {since_s}",
        "behind": "{done} of {target} visits this week",
        "none_yet": "no visit yet of {target} a week",
        "active": "active {window}",
        "opens_in": "opens in {opens_s} {window}",
        "not_active_now": "not active now {window}",
        # why a hotspot is not in the plan
        "not_valid": "closed or not valid today",
        "claimed": "another car is working it",
        "not_active": "not active",
        "outside_budget": "outside budget: no free car can get there and home within its detour budget",
        "unreachable": "unreachable: no road from any free car",
        "not_chosen": "outside budget: the chosen stops use the detour budget better",
        "no_window": "not active while a free car can be there",
        "no_car": "no free car may take a proposal",
        # why a car gets no proposal
        "urgent_queue": "urgent queue: an urgent call waits unassigned in {politikreds}",
        "shift_ends": "shift ends at {end}, within the detour budget",
        "coverage": "coverage: {kommune} would have no other available car within {minutes} min",
        "no_road_home": "unreachable: no road home from where it is",
        "nothing_worth_it": "nothing worth a detour now",
        "no_hotspots": "no open hotspot in {politikreds}",
        "planning_failed": "planning failed: {error}",
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


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ")


def joined(reasons: tuple[Reason, ...] | list[Reason]) -> str:
    """Reasons as one line, most telling first."""
    return "; ".join(r.text() for r in reasons)
