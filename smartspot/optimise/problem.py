"""The optimisation problem and its answer, and the problem file that carries them.

The problem file (JSON) is the contract between the engine, the API (which stores the problem
behind every proposal so decisions can be replayed) and ``smartspot solve``::

    {"cars": [{"id": str, "start": int, "end": int, "available_s": int, "budget_s": int}],
     "hotspots": [{"id": str, "node": int, "value": float, "service_s": int,
                   "windows": [[open_s, close_s], ...]}],
     "travel_s": [[int | null, ...], ...]}

Times are whole seconds from now; ``travel_s[i][j]`` is the driving time between node indices,
``null`` when unreachable. A car leaves ``start`` at ``available_s`` and must reach ``end`` by
``available_s + travel_s[start][end] + budget_s``. Service at a hotspot starts inside one of its
windows (waiting allowed; no windows = always) and lasts ``service_s``. Each hotspot is visited
at most once. Inside Python the matrix is float64 with NaN for unreachable, as the TravelTimes
port delivers it, so an unreachable leg can never pass a ``<=`` test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg

MAX_SECONDS = 7 * 24 * 3600  # a week: any time beyond this is a unit mistake


def _int(value: Any, name: str, *, low: int = 0, high: int = MAX_SECONDS) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidInputError(
            msg("{name} is {value!r}; it must be a whole number", name=name, value=value),
            field=name,
        )
    if not low <= int(value) <= high:
        raise InvalidInputError(
            msg(
                "{name} is {value}; allowed is {low}–{high}",
                name=name,
                value=value,
                low=low,
                high=high,
            ),
            field=name,
        )
    return int(value)


@dataclass(frozen=True, slots=True)
class Car:
    """A free patrol car: where it is, when it is free, where it goes home, its detour budget."""

    id: str
    start: int
    end: int
    available_s: int = 0
    budget_s: int = 1800

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidInputError(msg("a car needs a non-empty id"), field="cars.id")
        for name in ("start", "end", "available_s", "budget_s"):
            _int(getattr(self, name), f"car {self.id}: {name}", high=10**7)


@dataclass(frozen=True, slots=True)
class Task:
    """One candidate hotspot: its node in the matrix, value, minutes on site and windows."""

    id: str
    node: int
    value: float
    service_s: int = 900
    windows: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidInputError(msg("a hotspot needs a non-empty id"), field="hotspots.id")
        _int(self.node, f"hotspot {self.id}: node", high=10**7)
        value = self.value
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidInputError(
                msg(
                    "hotspot {id}: value is {value!r}; it must be a finite number",
                    id=self.id,
                    value=value,
                ),
                field="hotspots.value",
            )
        if value < 0:
            raise InvalidInputError(
                msg(
                    "hotspot {id}: value is {value}; it must not be negative",
                    id=self.id,
                    value=value,
                ),
                field="hotspots.value",
            )
        _int(self.service_s, f"hotspot {self.id}: service_s", high=MAX_SECONDS)
        previous = -1
        for window in self.windows:
            if len(window) != 2:
                raise InvalidInputError(
                    msg(
                        "hotspot {id}: a window is [open_s, close_s], got {window}",
                        id=self.id,
                        window=list(window),
                    ),
                    field="hotspots.windows",
                )
            lo = _int(window[0], f"hotspot {self.id}: window open", high=10**7)
            hi = _int(window[1], f"hotspot {self.id}: window close", high=10**7)
            if hi < lo or lo <= previous:
                raise InvalidInputError(
                    msg(
                        "hotspot {id}: windows must be sorted, disjoint [open_s, close_s] pairs with open ≤ close; got {windows}",
                        id=self.id,
                        windows=[list(w) for w in self.windows],
                    ),
                    field="hotspots.windows",
                )
            previous = hi


@dataclass(frozen=True, eq=False)
class Problem:
    """Free cars, candidate hotspots and the travel times between their nodes (NaN = no road)."""

    cars: tuple[Car, ...]
    hotspots: tuple[Task, ...]
    travel_s: NDArray[np.float64]

    def __post_init__(self) -> None:
        travel = np.asarray(self.travel_s, dtype=np.float64)
        if travel.ndim != 2 or travel.shape[0] != travel.shape[1]:
            raise InvalidInputError(
                msg("travel_s must be a square matrix; got shape {shape}", shape=travel.shape),
                field="travel_s",
            )
        finite = travel[~np.isnan(travel)]
        if finite.size and (finite.min() < 0 or np.any(finite != np.round(finite))):
            raise InvalidInputError(
                msg("travel_s holds whole, non-negative seconds (or null)"), field="travel_s"
            )
        travel.setflags(write=False)
        object.__setattr__(self, "travel_s", travel)
        n = travel.shape[0]
        for kind, items in (("car", self.cars), ("hotspot", self.hotspots)):
            ids = [item.id for item in items]
            if len(set(ids)) != len(ids):
                duplicate = next(i for i in ids if ids.count(i) > 1)
                raise InvalidInputError(
                    msg("{kind} id {duplicate!r} appears twice", kind=kind, duplicate=duplicate),
                    field=kind,
                )
        for car in self.cars:
            for name in ("start", "end"):
                if getattr(car, name) >= n:
                    raise InvalidInputError(
                        msg(
                            "car {id}: {name} node {name2} is outside the {n_}×{n_} travel matrix",
                            id=car.id,
                            name=name,
                            name2=getattr(car, name),
                            n_=n,
                        ),
                        field="cars",
                    )
            if np.isnan(travel[car.start, car.end]):
                raise InvalidInputError(
                    msg(
                        "car {id} cannot reach its end node {end} from {start} (travel_s is null)",
                        id=car.id,
                        end=car.end,
                        start=car.start,
                    ),
                    field="cars",
                )
        for task in self.hotspots:
            if task.node >= n:
                raise InvalidInputError(
                    msg(
                        "hotspot {id}: node {node} is outside the {n_}×{n_} travel matrix",
                        id=task.id,
                        node=task.node,
                        n_=n,
                    ),
                    field="hotspots",
                )

    def deadline(self, car: Car) -> int:
        """The latest time ``car`` may reach its end node."""
        return car.available_s + int(self.travel_s[car.start, car.end]) + car.budget_s


@dataclass(frozen=True, slots=True)
class Stop:
    hotspot: str
    start_s: int
    leave_s: int


@dataclass(frozen=True, slots=True)
class Plan:
    car: str
    stops: tuple[Stop, ...]
    return_s: int


@dataclass(frozen=True)
class Solution:
    """Plans for every car; ``value`` is the sum of the visited hotspots' values."""

    value: float
    plans: tuple[Plan, ...]
    solver: str = ""
    proven_optimal: bool = False
    stats: Mapping[str, Any] = field(default_factory=dict)

    def visited(self) -> list[str]:
        return [stop.hotspot for plan in self.plans for stop in plan.stops]


# ---------------------------------------------------------------- the file format


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The problem as the JSON-ready dict of the problem file."""
    travel = [[None if math.isnan(t) else int(t) for t in row] for row in problem.travel_s.tolist()]
    return {
        "cars": [
            {
                "id": c.id,
                "start": c.start,
                "end": c.end,
                "available_s": c.available_s,
                "budget_s": c.budget_s,
            }
            for c in problem.cars
        ],
        "hotspots": [
            {
                "id": h.id,
                "node": h.node,
                "value": h.value,
                "service_s": h.service_s,
                "windows": [list(w) for w in h.windows],
            }
            for h in problem.hotspots
        ],
        "travel_s": travel,
    }


def _require_keys(item: Any, keys: Sequence[str], where: str, optional: Sequence[str] = ()) -> None:
    if not isinstance(item, dict):
        raise InvalidInputError(
            msg("{where} must be an object, got {name}", where=where, name=type(item).__name__)
        )
    missing = [k for k in keys if k not in item]
    if missing:
        raise InvalidInputError(
            msg("{where} lacks {missing}", where=where, missing=", ".join(missing)),
            field=missing[0],
        )
    unknown = sorted(set(item) - set(keys) - set(optional))
    if unknown:
        raise InvalidInputError(
            msg(
                "{where} has unknown keys {unknown}; allowed are {optional}",
                where=where,
                unknown=", ".join(unknown),
                optional=", ".join([*keys, *optional]),
            ),
            field=unknown[0],
        )


def problem_from_dict(data: Any) -> Problem:
    """Read and validate a problem-file dict; every error names the item and the field."""
    _require_keys(data, ("cars", "hotspots", "travel_s"), "the problem")
    if not isinstance(data["cars"], list) or not data["cars"]:
        raise InvalidInputError(msg("cars must be a non-empty list"), field="cars")
    if not isinstance(data["hotspots"], list):
        raise InvalidInputError(msg("hotspots must be a list"), field="hotspots")
    cars = []
    for i, raw in enumerate(data["cars"]):
        _require_keys(raw, ("id", "start", "end", "available_s", "budget_s"), f"cars[{i}]")
        cars.append(Car(**raw))
    tasks = []
    for i, raw in enumerate(data["hotspots"]):
        _require_keys(raw, ("id", "node", "value"), f"hotspots[{i}]", ("service_s", "windows"))
        windows = raw.get("windows") or []
        if not isinstance(windows, list):
            raise InvalidInputError(
                msg("hotspots[{i}].windows must be a list", i=i), field="windows"
            )
        tasks.append(
            Task(
                id=raw["id"],
                node=raw["node"],
                value=raw["value"],
                service_s=raw.get("service_s", 900),
                windows=tuple(tuple(w) if isinstance(w, list) else w for w in windows),
            )
        )
    rows = data["travel_s"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise InvalidInputError(msg("travel_s must be a list of rows"), field="travel_s")
    n = len(rows)
    if any(len(r) != n for r in rows):
        raise InvalidInputError(
            msg("travel_s must be {n_}×{n_}; a row has another length", n_=n), field="travel_s"
        )
    matrix = np.full((n, n), np.nan)
    for i, row in enumerate(rows):
        for j, t in enumerate(row):
            if t is None:
                continue
            if isinstance(t, bool) or not isinstance(t, int):
                raise InvalidInputError(
                    msg("travel_s[{i}][{j}] is {t!r}; whole seconds or null", i=i, j=j, t=t),
                    field="travel_s",
                )
            matrix[i, j] = t
    return Problem(cars=tuple(cars), hotspots=tuple(tasks), travel_s=matrix)


def read_problem(path: Path) -> Problem:
    """Read a problem file; a missing file or bad JSON raises InvalidInputError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(
            msg("cannot read problem file {path}: {strerror}", path=path, strerror=error.strerror)
        ) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            msg("problem file {path} is not JSON: {error}", path=path, error=error)
        ) from error
    return problem_from_dict(data)


def write_problem(problem: Problem, path: Path) -> None:
    """Write the problem file (one line per matrix row keeps big files diffable)."""
    data = problem_to_dict(problem)
    rows = data.pop("travel_s")
    head = json.dumps(data, ensure_ascii=False)[:-1]
    body = ",\n".join(json.dumps(row, separators=(",", ":")) for row in rows)
    Path(path).write_text(f'{head}, "travel_s": [\n{body}\n]}}\n', encoding="utf-8")


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """The ``smartspot solve --json`` answer: value and each car's timed stops."""
    return {
        "value": solution.value,
        "plans": [
            {
                "car": plan.car,
                "stops": [
                    {"hotspot": s.hotspot, "start_s": s.start_s, "leave_s": s.leave_s}
                    for s in plan.stops
                ],
                "return_s": plan.return_s,
            }
            for plan in solution.plans
        ],
    }


def solution_from_dict(data: Mapping[str, Any]) -> Solution:
    """Read a solution as ``solution_to_dict`` writes it (for replay and review)."""
    plans = tuple(
        Plan(
            car=p["car"],
            stops=tuple(Stop(s["hotspot"], s["start_s"], s["leave_s"]) for s in p["stops"]),
            return_s=p["return_s"],
        )
        for p in data["plans"]
    )
    return Solution(value=float(data["value"]), plans=plans)
