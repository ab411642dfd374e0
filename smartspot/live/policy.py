"""The planning policy of one politikreds: every rule the vagtcentral's proposals follow.

One file per district (``scenarios/<district>/policy.toml``) holds it; the API and the
simulation both read that file, so a planner's what-if run plans with exactly the rules an
operator meets at night, and there is no second set of defaults anywhere (the defaults below
are the only ones).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from smartspot.domain import Category
from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.i18n import Message, msg
from smartspot.optimise.value import DEFAULT_HARM, ValueSettings
from smartspot.windows import LOCAL_TZ, parse_clock

#: Settings a planner may sweep over (``smartspot compare --sweep name=v1,v2``).
SWEEPABLE = (
    "detour_budget_min",
    "cooldown_min",
    "coverage_guard_min",
    "idle_after_min",
    "idle_budget_min",
    "idle_short_only",
    "idle_cover_min",
    "idle_local",
)


def _fail(message: Message, name: str) -> InvalidInputError:
    return InvalidInputError(
        msg("policy: {name} is {message}", name=name, message=message), field=name
    )


def _allowed(value: Any, low: float, high: float) -> Message:
    return msg("{value!r}; allowed {low}–{high}", value=value, low=low, high=high)


@dataclass(frozen=True, slots=True)
class Detection:
    """When positions count as a visit: ≥ ``min_stay_s`` inside a polygon hotspot or within
    ``radius_m`` of a point one; a silence longer than ``gap_s`` ends a stay."""

    radius_m: float = 150.0
    min_stay_s: float = 180.0
    gap_s: float = 600.0

    def __post_init__(self) -> None:
        for name, low, high in (
            ("radius_m", 10, 2_000),
            ("min_stay_s", 30, 3_600),
            ("gap_s", 60, 7_200),
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and low <= value <= high):
                raise _fail(_allowed(value, low, high), f"detection.{name}")


@dataclass(frozen=True, slots=True)
class PlanningPolicy:
    """What the vagtcentral of ``politikreds`` lets Smart Spot propose, and how.

    Parameters
    ----------
    politikreds
        The district the policy belongs to.
    detour_budget_min
        Minutes of detour beyond the direct trip home (0–240).
    cooldown_min
        No second visit proposed within this many minutes of a visit (0–10080).
    visit_lookback_days
        How far back the visit log is read for the need term (1–60 days).
    jitter
        ± share of random value jitter so visits stay unpredictable (0 = off, < 1).
    coverage_guard_min
        No proposal that leaves a kommune without another available car within this many
        minutes; ``None`` switches the guard off.
    shift_starts
        Local times the shifts change (day, evening, night); a car whose shift ends within
        its budget gets no proposal.
    respect_shift_ends
        Apply the shift-end rule.
    solver, time_limit_ms
        The optimiser and its deadline per proposal.
    fresh_fix_s
        Another car on its way home joins a joint re-plan only when its last position is at
        most this old (a stale position would plan from the wrong place).
    outlying_min
        A hotspot is outlying (yderområde) when half the round trip from its nearest station,
        by the district's travel model, is longer than this many minutes (1–240); see
        :mod:`smartspot.outlying`.
    idle_after_min
        A car available and standing at a post or station for this many minutes gets a
        proposal of its own (a round trip, or on to its base), and again every as many
        minutes while it stays; ``None`` (0 in the file) switches idle proposals off.
    idle_budget_min
        The round trip an idle car may make: minutes out, on site and back (0–240).
    idle_radius_m
        A car within this many metres of its base or of a station of its district stands
        there (AVL noise, the yard).
    idle_short_only
        An idle car is proposed only hotspots still short of their desired visits this
        calendar week (a visit the week does not ask for adds nothing to fulfilment, and a car
        away from its post costs response time); follow-ups as always.
    idle_cover_min
        An idle car leaves its post only when another available car can be there within this
        many minutes (its area stays covered; 1–120); ``None`` (0 in the file) switches the
        rule off.
    idle_local
        An idle car that alone covers a kommune (which the coverage guard keeps from every
        proposal) gets a local round: only hotspots and follow-ups within
        ``coverage_guard_min`` of the kommune's reference town.
    value
        The value model's factors (harm table, need, activity, opportunity).
    detection
        When positions count as a visit.
    """

    politikreds: str
    detour_budget_min: float = 30.0
    cooldown_min: float = 120.0
    visit_lookback_days: float = 7.0
    jitter: float = 0.1
    coverage_guard_min: float | None = 20.0
    shift_starts: tuple[time, ...] = (time(7), time(15), time(23))
    respect_shift_ends: bool = True
    solver: str = "auto"
    time_limit_ms: int = 80
    fresh_fix_s: float = 120.0
    outlying_min: float = 12.0
    idle_after_min: float | None = None
    idle_budget_min: float = 60.0
    idle_radius_m: float = 300.0
    idle_short_only: bool = True
    idle_cover_min: float | None = None
    idle_local: bool = True
    value: ValueSettings = field(default_factory=ValueSettings)
    detection: Detection = field(default_factory=Detection)

    def __post_init__(self) -> None:
        if not isinstance(self.politikreds, str) or not self.politikreds.strip():
            raise _fail(msg("missing; name the politikreds"), "politikreds")
        checks: tuple[tuple[str, float, float], ...] = (
            ("detour_budget_min", 0, 240),
            ("cooldown_min", 0, 7 * 24 * 60),
            ("visit_lookback_days", 1, 60),
            ("time_limit_ms", 1, 60_000),
            ("fresh_fix_s", 0, 3_600),
            ("outlying_min", 1, 240),
            ("idle_budget_min", 0, 240),
            ("idle_radius_m", 10, 5_000),
        )
        for name, low, high in checks:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _fail(
                    msg("{value!r}; a number {low}–{high}", value=value, low=low, high=high), name
                )
            if not (math.isfinite(value) and low <= value <= high):
                raise _fail(_allowed(value, low, high), name)
        if not 0 <= self.jitter < 1:
            raise _fail(msg("{value}; allowed 0 (off) up to below 1", value=self.jitter), "jitter")
        guard = self.coverage_guard_min
        if guard is not None and not 0 < guard <= 240:
            raise _fail(
                msg("{value}; allowed 0–240, or absent (off)", value=guard), "coverage_guard_min"
            )
        idle = self.idle_after_min
        if idle is not None and (
            isinstance(idle, bool) or not isinstance(idle, int | float) or not 1 <= idle <= 720
        ):
            raise _fail(
                msg("{value}; allowed 1–720, or 0 / absent (off)", value=idle), "idle_after_min"
            )
        cover = self.idle_cover_min
        if cover is not None and (
            isinstance(cover, bool) or not isinstance(cover, int | float) or not 1 <= cover <= 120
        ):
            raise _fail(
                msg("{value}; allowed 1–120, or 0 / absent (off)", value=cover), "idle_cover_min"
            )
        for name in ("idle_short_only", "idle_local"):
            if not isinstance(getattr(self, name), bool):
                raise _fail(msg("{value!r}; true or false", value=getattr(self, name)), name)
        if not self.shift_starts or list(self.shift_starts) != sorted(set(self.shift_starts)):
            raise _fail(msg("not a sorted list of distinct times"), "shift_starts")
        from smartspot.optimise.solvers import solver_names

        if self.solver not in solver_names():
            choices = ", ".join(solver_names())
            raise _fail(
                msg("{value!r}; choose from {choices}", value=self.solver, choices=choices),
                "solver",
            )
        # the value model's own cool-down, jitter and outlying threshold are the policy's
        mine = (self.cooldown_min, self.jitter, self.outlying_min)
        if (self.value.cooldown_min, self.value.jitter, self.value.outlying_min) != mine:
            object.__setattr__(
                self,
                "value",
                replace(
                    self.value,
                    cooldown_min=self.cooldown_min,
                    jitter=self.jitter,
                    outlying_min=self.outlying_min,
                ),
            )

    @property
    def budget_s(self) -> int:
        return round(self.detour_budget_min * 60)

    @property
    def idle_after_s(self) -> float | None:
        return None if self.idle_after_min is None else self.idle_after_min * 60.0

    @property
    def idle_budget_s(self) -> int:
        return round(self.idle_budget_min * 60)

    @property
    def idle_value(self) -> ValueSettings:
        """The value model of an idle car's round: only hotspots short of the week's visits
        count when ``idle_short_only``."""
        return replace(self.value, short_only=self.idle_short_only)

    @property
    def time_limit_s(self) -> float:
        return self.time_limit_ms / 1000.0

    @property
    def lookback(self) -> timedelta:
        return timedelta(days=self.visit_lookback_days)

    def shift_end_after(self, moment: datetime) -> datetime | None:
        """When the shift running at ``moment`` ends (``None`` when the rule is off)."""
        if not self.respect_shift_ends:
            return None
        local = moment.astimezone(LOCAL_TZ)
        for days in (0, 1):
            day = local.date() + timedelta(days=days)
            for start in self.shift_starts:
                change = datetime.combine(day, start, tzinfo=LOCAL_TZ)
                if change > local:
                    return change
        raise AssertionError("a shift change within two days")  # pragma: no cover

    def with_changes(self, **changes: Any) -> PlanningPolicy:
        """A copy with some fields changed (a planner's sweep point), checked again."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise _fail(msg("unknown: {names}", names=", ".join(unknown)), "sweep")
        for name in ("coverage_guard_min", "idle_after_min", "idle_cover_min"):
            if changes.get(name) == 0:
                changes[name] = None  # 0 switches it off, as in the file
        for name in ("idle_short_only", "idle_local"):
            if isinstance(changes.get(name), int | float):
                changes[name] = bool(changes[name])  # a sweep's 0 / 1
        return replace(self, **changes)


def parse_policy(data: Mapping[str, Any], *, where: str = "policy") -> PlanningPolicy:
    """A policy from a parsed TOML table; unknown keys are refused by name."""
    known = {f.name for f in fields(PlanningPolicy)} | {"harm"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInputError(
            msg(
                "{where}: unknown key(s) {unknown}; allowed are {known}",
                where=where,
                unknown=", ".join(unknown),
                known=", ".join(sorted(known)),
            ),
            field="policy",
        )
    values = {k: v for k, v in data.items() if k not in ("harm", "value", "detection")}
    for name in ("coverage_guard_min", "idle_after_min", "idle_cover_min"):
        if name in values and values[name] in (0, False):
            values[name] = None
    if "shift_starts" in values:
        try:
            values["shift_starts"] = tuple(parse_clock(str(v)) for v in values["shift_starts"])
        except InvalidInputError as error:
            raise _fail(error.message, "shift_starts") from None
    harm = dict(DEFAULT_HARM)
    for name, weight in dict(data.get("harm", {})).items():
        try:
            harm[Category(name)] = float(weight)
        except ValueError:
            raise _fail(msg("an unknown category {name!r}", name=name), "harm") from None
    value_table = dict(data.get("value", {}))
    try:
        value = ValueSettings(harm=harm, **value_table)
        detection = Detection(**dict(data.get("detection", {})))
    except TypeError as error:
        raise InvalidInputError(
            msg("{where}: {error}", where=where, error=error), field="policy"
        ) from None
    return PlanningPolicy(value=value, detection=detection, **values)


def load_policy(path: Path) -> PlanningPolicy:
    """Read and check a district's ``policy.toml``.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InvalidInputError
        When it is not valid TOML or breaks a rule; the message names the key.
    """
    if not path.is_file():
        raise NotFoundError(msg("no policy file at {path}", path=path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(
            msg("policy {path} is not valid TOML: {error}", path=path, error=error)
        ) from None
    return parse_policy(data, where=f"policy {path.name}")


def load_policies(folder: Path) -> dict[str, PlanningPolicy]:
    """Every ``<district>/policy.toml`` under ``folder``, by politikreds."""
    policies: dict[str, PlanningPolicy] = {}
    for path in sorted(folder.glob("*/policy.toml")):
        policy = load_policy(path)
        if policy.politikreds in policies:
            raise InvalidInputError(
                msg(
                    "two policy files for {politikreds} under {folder}",
                    politikreds=policy.politikreds,
                    folder=folder,
                ),
                field="policy",
            )
        policies[policy.politikreds] = policy
    return policies
