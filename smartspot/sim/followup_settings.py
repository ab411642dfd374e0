"""A scenario's follow-up stream (tryghedsopfølgninger): how many, when they are due, when
citizens prefer a visit, and how often a knock on the door or a phone call reaches them.

The defaults are the source documents' figures, and what had to be assumed beside them:

* **How many.** 6,355 follow-ups were made nationally in the first year (Rigspolitiet, seed
  ``002``); a district gets its share by population (``population`` / 5,840,045, Denmark's
  population on 1 January 2021, Danmarks Statistik), its population being the sum of the
  scenario's ``callouts.kommune_population`` unless ``per_year`` is given.
* **Reached per attempt.** Midt- og Vestsjællands Politi made 1,178: 747 by phone, 213 in
  person, 218 attempts that did not reach the citizen. So 960 of 1,178 recorded contacts
  reached the citizen: **0.815 per attempt**, assumed the same at the door and by phone (the
  figures do not split the failures by channel). Refusals are assumed to be none ("nogle
  enkelte" did not feel the need: they are counted as reached).
* **When no one is home** the patrol leaves a leaflet, contacts a neighbour or relative, or
  leaves nothing; the seed names all three without shares: assumed 0.5 / 0.3 / 0.2.
* **Preferred hours.** Assumed: 40 % of citizens ask for weekday evenings (mon-fri
  16:00–20:00); the others may be visited in the daytime and early evening (09:00–20:00), never
  at night.
* **Due date** 14 days after the report, minutes on site 10 (the domain's defaults).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.windows import ActiveWindow

NATIONAL_PER_YEAR = 6_355
NATIONAL_POPULATION = 5_840_045
REACHED_PER_ATTEMPT = 960 / 1_178
LEFT_SHARES = (0.5, 0.3, 0.2)  # leaflet, neighbour or relative, nothing

KEYS = frozenset(
    {
        "enabled",
        "per_year",
        "due_days",
        "minutes_on_site",
        "preferred_share",
        "preferred_hours",
        "visiting_hours",
        "reached_per_attempt",
        "priority",
    }
)


def _fail(message: str, key: str) -> InvalidInputError:
    return InvalidInputError(
        msg("scenario: {key}: {message}", key=f"followups.{key}", message=message),
        field=f"followups.{key}",
    )


@dataclass(frozen=True, slots=True)
class FollowUpSettings:
    """The follow-up stream of a scenario (see the module docstring for the defaults)."""

    enabled: bool = True
    per_year: float | None = None  # None: the national figure scaled by population
    due_days: int = 14
    minutes_on_site: int = 10
    preferred_share: float = 0.4
    preferred_hours: tuple[ActiveWindow, ...] = (ActiveWindow.parse("mon-fri 16:00-20:00"),)
    visiting_hours: tuple[ActiveWindow, ...] = (ActiveWindow.parse("mon-sun 09:00-20:00"),)
    reached_per_attempt: float = REACHED_PER_ATTEMPT
    priority: int = 3

    def __post_init__(self) -> None:
        if self.per_year is not None and not (
            math.isfinite(self.per_year) and 0 <= self.per_year <= 1_000_000
        ):
            raise _fail(f"{self.per_year!r}; allowed 0–1,000,000", "per_year")
        if not 1 <= self.due_days <= 365:
            raise _fail(f"{self.due_days!r}; allowed 1–365", "due_days")
        if not 1 <= self.minutes_on_site <= 120:
            raise _fail(f"{self.minutes_on_site!r}; allowed 1–120", "minutes_on_site")
        for name in ("preferred_share", "reached_per_attempt"):
            if not 0 <= getattr(self, name) <= 1:
                raise _fail(f"{getattr(self, name)!r}; a share 0–1", name)
        if not 1 <= self.priority <= 5:
            raise _fail(f"{self.priority!r}; allowed 1–5", "priority")

    def yearly(self, population: float) -> float:
        """Follow-ups a year for a district of ``population`` inhabitants."""
        if self.per_year is not None:
            return self.per_year
        return NATIONAL_PER_YEAR * population / NATIONAL_POPULATION


def parse_followups(data: Any) -> FollowUpSettings:
    """The ``[followups]`` table of a scenario (absent: the defaults)."""
    if data is None:
        return FollowUpSettings()
    if not isinstance(data, dict):
        raise _fail("must be a table", "table")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise _fail(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(KEYS))}", "table"
        )
    values = dict(data)
    for key in ("preferred_hours", "visiting_hours"):
        if key in values:
            raw = values[key]
            if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
                raise _fail('must be a list of windows like "mon-fri 16:00-20:00"', key)
            values[key] = tuple(ActiveWindow.parse(v) for v in raw)
    try:
        return FollowUpSettings(**values)
    except TypeError as error:
        raise _fail(str(error), "table") from None
