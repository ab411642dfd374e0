"""Scenario files: a district, its stations and cars per shift, its callouts and Smart Spot
settings, read from TOML and checked on load with messages that say what is wrong.

See ``scenarios/midt_vestjylland/scenario.toml`` for a commented example; every key is
described in the README section "Planning simulation".
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.i18n import msg
from smartspot.live.policy import PlanningPolicy, load_policy
from smartspot.sim.followup_settings import FollowUpSettings, parse_followups
from smartspot.windows import LOCAL_TZ, parse_clock

SHIFTS = ("day", "evening", "night")


def _fail(message: str, key: str) -> InvalidInputError:
    return InvalidInputError(msg("scenario: {key}: {message}", key=key, message=message), field=key)


@dataclass(frozen=True, slots=True)
class StationCars:
    """Cars based at one station in each shift."""

    station_id: str
    day: int
    evening: int
    night: int
    posts: tuple[str, ...] = ()  # GeoNames towns where its cars wait when free; () = station

    def __post_init__(self) -> None:
        for shift in SHIFTS:
            value = getattr(self, shift)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 50:
                raise _fail(
                    f"cars in the {shift} shift is {value!r}; whole numbers 0–50 are allowed",
                    f"stations.{self.station_id}.cars.{shift}",
                )

    def cars(self, shift: str) -> int:
        return int(getattr(self, shift))

    @property
    def max_cars(self) -> int:
        return max(self.day, self.evening, self.night)


@dataclass(frozen=True, slots=True)
class OnScene:
    """Minutes on scene, log-normal with the given median and 90th percentile."""

    median_min: float
    p90_min: float

    def __post_init__(self) -> None:
        if not (0 < self.median_min < self.p90_min <= 24 * 60):
            raise _fail(
                f"median {self.median_min} and p90 {self.p90_min} minutes; need "
                "0 < median < p90 <= 1440",
                "callouts.on_scene",
            )

    @property
    def sigma(self) -> float:
        return math.log(self.p90_min / self.median_min) / 1.2815515655446004


@dataclass(frozen=True, slots=True)
class CalloutSettings:
    """How many callouts come, when, where, and how long they keep a car."""

    urgent_per_year: float
    non_urgent_per_year: float
    hourly: tuple[float, ...]
    weekday: tuple[float, ...]
    rural_share: float
    town_spread_m: float
    urgent_on_scene: OnScene
    non_urgent_on_scene: OnScene
    exclude_towns: tuple[str, ...] = ()
    hourly_urgent: tuple[float, ...] = ()  # own hour profile for urgent calls; () = ``hourly``
    town_spread_max_m: float = 2_500.0  # cap on the scatter's standard deviation
    kommune_population: tuple[tuple[str, float], ...] = ()  # () = GeoNames town weights only

    def __post_init__(self) -> None:
        for name in ("urgent_per_year", "non_urgent_per_year"):
            value = getattr(self, name)
            if not 0 <= value <= 10_000_000:
                raise _fail(f"{value!r} callouts a year; allowed 0–10,000,000", f"callouts.{name}")
        if self.urgent_per_year + self.non_urgent_per_year <= 0:
            raise _fail("no callouts at all; set a positive rate", "callouts.urgent_per_year")
        for name, size in (("hourly", 24), ("weekday", 7), ("hourly_urgent", 24)):
            profile = getattr(self, name)
            if name == "hourly_urgent" and not profile:
                continue
            if len(profile) != size or any(not w >= 0 for w in profile) or sum(profile) <= 0:
                raise _fail(
                    f"needs {size} non-negative weights with a positive sum; got {profile!r}",
                    f"callouts.{name}",
                )
        if not 0 <= self.rural_share <= 1:
            raise _fail(f"{self.rural_share!r}; a share from 0 to 1", "callouts.rural_share")
        if not 0 < self.town_spread_m <= 5_000:
            raise _fail(f"{self.town_spread_m!r} m; allowed 0–5000", "callouts.town_spread_m")
        if not 0 < self.town_spread_max_m <= 20_000:
            raise _fail(
                f"{self.town_spread_max_m!r} m; allowed 0–20000", "callouts.town_spread_max_m"
            )
        for kode, people in self.kommune_population:
            if not (len(kode) == 4 and kode.isdigit()) or not people > 0:
                raise _fail(
                    f"{kode} = {people!r}; keys are 4-digit kommune codes, values positive",
                    "callouts.kommune_population",
                )

    @property
    def urgent_share(self) -> float:
        return self.urgent_per_year / (self.urgent_per_year + self.non_urgent_per_year)


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    """Delays before a car drives, blue-light driving, and the straight-line circuity used for
    kilometres only with a travel layer that gives no driven metres."""

    handling_s: tuple[float, float]  # call handling at the vagtcentral, uniform range
    turnout_s: tuple[float, float]  # from the order to the car rolling, uniform range
    km_circuity: float = 1.3  # only for a travel layer without driven metres
    urgent_speedup: float = 1.0  # blue-light driving: urgent legs take time / speedup

    def __post_init__(self) -> None:
        if not 1.0 <= self.urgent_speedup <= 2.0:
            raise _fail(f"{self.urgent_speedup}; allowed 1.0–2.0", "dispatch.urgent_speedup")
        for name in ("handling_s", "turnout_s"):
            low, high = getattr(self, name)
            if not 0 <= low <= high <= 3_600:
                raise _fail(f"[{low}, {high}]; need 0 <= low <= high <= 3600", f"dispatch.{name}")
        if not 1.0 <= self.km_circuity <= 3.0:
            raise _fail(f"{self.km_circuity}; allowed 1.0–3.0", "dispatch.km_circuity")


#: Keys that moved from a scenario's [smartspot] table to the district's policy.toml.
MOVED_TO_POLICY = frozenset(
    {"detour_budget_min", "cooldown_min", "coverage_guard_min", "time_limit_ms", "jitter"}
)


@dataclass(frozen=True, slots=True)
class SmartSpotSettings:
    """How the simulated operator answers proposals (the planning rules themselves are the
    district's planning policy, shared with the live service)."""

    acceptance_rate: float = 0.7

    def __post_init__(self) -> None:
        if not 0 <= self.acceptance_rate <= 1:
            raise _fail(f"{self.acceptance_rate}; a share 0–1", "smartspot.acceptance_rate")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A planning scenario for one politikreds."""

    name: str
    politikreds: str
    start: datetime
    shift_starts: tuple[time, time, time]  # day, evening, night (local time)
    stations: tuple[StationCars, ...]
    callouts: CalloutSettings
    dispatch: DispatchSettings
    smartspot: SmartSpotSettings
    policy: PlanningPolicy
    hotspots_path: Path | None = None
    travel: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    followups: FollowUpSettings = field(default_factory=FollowUpSettings)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise _fail("start must carry a timezone, e.g. 2026-03-02T00:00:00+01:00", "start")
        if not self.stations:
            raise _fail("at least one station with cars is needed", "stations")
        ids = [s.station_id for s in self.stations]
        if len(set(ids)) != len(ids):
            raise _fail(f"a station is listed twice in {ids}", "stations")
        for shift in SHIFTS:
            if sum(s.cars(shift) for s in self.stations) == 0:
                raise _fail(f"no car at all in the {shift} shift", "stations")
        if len(set(self.shift_starts)) != 3:
            raise _fail("day, evening and night must start at different times", "shifts")
        if self.policy.politikreds != self.politikreds:
            raise _fail(
                f"the policy file is for {self.policy.politikreds}, not {self.politikreds}",
                "policy",
            )
        if tuple(sorted(self.shift_starts)) != tuple(self.policy.shift_starts):
            raise _fail(
                "the shifts must start when the policy's shift_starts say (one source of "
                "shift ends for the live service and the simulation)",
                "shifts",
            )

    def shift_at(self, local: datetime) -> str:
        """The shift in force at a local wall-clock time."""
        minute = local.hour * 60 + local.minute
        starts = sorted(
            (
                (t.hour * 60 + t.minute, name)
                for t, name in zip(self.shift_starts, SHIFTS, strict=True)
            )
        )
        current = starts[-1][1]  # before the first start of the day: the last shift of the day
        for start_minute, name in starts:
            if minute >= start_minute:
                current = name
        return current


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise _fail("missing table", key)
    return value


def _number(data: dict[str, Any], key: str, prefix: str, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"must be a number, got {value!r}", f"{prefix}{key}")
    return float(value)


def _pair(data: dict[str, Any], key: str, prefix: str) -> tuple[float, float]:
    value = data.get(key)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise _fail(f"must be a [low, high] pair of numbers, got {value!r}", f"{prefix}{key}")
    return float(value[0]), float(value[1])


def _on_scene(data: dict[str, Any], key: str) -> OnScene:
    table = _table(data, key)
    return OnScene(
        _number(table, "median_min", f"callouts.{key}."),
        _number(table, "p90_min", f"callouts.{key}."),
    )


def _policy(data: dict[str, Any], base: Path | None, politikreds: str) -> PlanningPolicy:
    """The district's planning policy: the file ``policy`` names (relative to the scenario),
    else ``policy.toml`` beside it, else the documented defaults."""
    name = data.get("policy")
    if name is not None and not isinstance(name, str):
        raise _fail("must be the path of a policy file", "policy")
    path = Path(name or "policy.toml")
    if base is not None and not path.is_absolute():
        path = base / path
    if name is None and not path.is_file():
        return PlanningPolicy(politikreds)
    return load_policy(path)


def parse_scenario(data: dict[str, Any], *, base: Path | None = None) -> Scenario:
    """Build a :class:`Scenario` from parsed TOML; relative paths resolve against ``base``."""
    for key in ("name", "politikreds", "start"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise _fail("missing or not text", key)
    try:
        start = datetime.fromisoformat(data["start"])
    except ValueError:
        raise _fail(f"{data['start']!r} is not an ISO date-time", "start") from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=LOCAL_TZ)
    shifts = data.get("shifts", {"day": "07:00", "evening": "15:00", "night": "23:00"})
    try:
        shift_starts = tuple(parse_clock(str(shifts[name])) for name in SHIFTS)
    except KeyError as missing:
        raise _fail(f"needs day, evening and night; {missing} is missing", "shifts") from None

    raw_stations = data.get("stations")
    if not isinstance(raw_stations, list) or not raw_stations:
        raise _fail("needs a list of [[stations]] with id and cars", "stations")
    stations = []
    for entry in raw_stations:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise _fail(f"each station needs an id; got {entry!r}", "stations")
        cars = entry.get("cars")
        if not isinstance(cars, dict) or set(cars) != set(SHIFTS):
            raise _fail(
                "cars must be a table with exactly day, evening and night",
                f"stations.{entry['id']}.cars",
            )
        posts = entry.get("posts", [])
        if not isinstance(posts, list) or not all(isinstance(p, str) for p in posts):
            raise _fail("must be a list of town names", f"stations.{entry['id']}.posts")
        stations.append(
            StationCars(entry["id"], cars["day"], cars["evening"], cars["night"], tuple(posts))
        )

    c = _table(data, "callouts")
    exclude = c.get("exclude_towns", [])
    callouts = CalloutSettings(
        urgent_per_year=_number(c, "urgent_per_year", "callouts."),
        non_urgent_per_year=_number(c, "non_urgent_per_year", "callouts."),
        hourly=tuple(float(v) for v in c.get("hourly", [])),
        weekday=tuple(float(v) for v in c.get("weekday", [])),
        rural_share=_number(c, "rural_share", "callouts."),
        town_spread_m=_number(c, "town_spread_m", "callouts.", 400.0),
        urgent_on_scene=_on_scene(c, "urgent_on_scene"),
        non_urgent_on_scene=_on_scene(c, "non_urgent_on_scene"),
        exclude_towns=tuple(str(v) for v in exclude),
        hourly_urgent=tuple(float(v) for v in c.get("hourly_urgent", [])),
        town_spread_max_m=_number(c, "town_spread_max_m", "callouts.", 2_500.0),
        kommune_population=tuple(
            (str(k), float(v)) for k, v in dict(c.get("kommune_population", {})).items()
        ),
    )
    d = _table(data, "dispatch")
    dispatch = DispatchSettings(
        handling_s=_pair(d, "handling_s", "dispatch."),
        turnout_s=_pair(d, "turnout_s", "dispatch."),
        km_circuity=_number(d, "km_circuity", "dispatch.", 1.3),
        urgent_speedup=_number(d, "urgent_speedup", "dispatch.", 1.0),
    )
    s = data.get("smartspot", {})
    moved = sorted(set(s) & MOVED_TO_POLICY)
    if moved:
        raise _fail(
            f"{', '.join(moved)} belong in the district's policy.toml (shared with the live "
            "service), not in the scenario",
            "smartspot",
        )
    unknown = sorted(set(s) - {"acceptance_rate"})
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(unknown)}; allowed: acceptance_rate", "smartspot")
    smartspot = SmartSpotSettings(
        acceptance_rate=_number(s, "acceptance_rate", "smartspot.", 0.7),
    )
    policy = _policy(data, base, str(data["politikreds"]))
    hotspots_path = None
    if "hotspots" in data:
        hotspots_path = Path(str(data["hotspots"]))
        if base is not None and not hotspots_path.is_absolute():
            hotspots_path = base / hotspots_path
    travel = data.get("travel", {})
    if not isinstance(travel, dict):
        raise _fail("must be a table", "travel")
    return Scenario(
        name=data["name"],
        politikreds=data["politikreds"],
        start=start,
        shift_starts=(shift_starts[0], shift_starts[1], shift_starts[2]),
        stations=tuple(stations),
        callouts=callouts,
        dispatch=dispatch,
        smartspot=smartspot,
        policy=policy,
        hotspots_path=hotspots_path,
        travel=dict(travel),
        source=None if base is None else base,
        followups=parse_followups(data.get("followups")),
    )


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario TOML file.

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InvalidInputError
        When it is not valid TOML or breaks a rule; the message names the key.
    """
    if not path.is_file():
        raise NotFoundError(msg("no scenario file at {path}", path=path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(
            msg("scenario {name} is not valid TOML: {error}", name=path.name, error=error)
        ) from None
    return parse_scenario(data, base=path.parent)
