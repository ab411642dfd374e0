"""The ellipse prefilter and the matrix among its survivors (the last step of
:func:`smartspot.optimise.build.build_problem`): a task stays a candidate only if some car can
go start → task → home within its direct trip plus budget, first as the crow flies at the
travel model's top speed (a lower bound of any road time: no road query for the far ones),
then by road; road searches stop at the longest a car may drive. Everything left out gets its
reason; then the Problem."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from smartspot.domain import Hotspot
from smartspot.optimise.built import BuiltProblem, FreeCar
from smartspot.optimise.followup_tasks import FollowUp
from smartspot.optimise.problem import Car, Problem, Task
from smartspot.optimise.value import Valuation
from smartspot.reasons import Reason
from smartspot.travel.port import TravelTimes

#: the straight-line bound is shaded by this share, so that rounding in a road time (stored as
#: float32 by the tree cache) can never make the bound exceed it
CROW_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class Entry:
    """A candidate task that survived the rules and the value model."""

    id: str
    xy: tuple[float, float]
    service_s: int
    windows: tuple[tuple[int, int], ...]
    value: float


def crow_fits(
    where: NDArray[np.float64],
    service: NDArray[np.float64],
    starts: NDArray[np.float64],
    homes: NDArray[np.float64],
    direct: NDArray[np.float64],
    cars: Sequence[FreeCar],
    active: list[int],
    speed: float | None,
) -> NDArray[np.bool_]:
    """Active car × task: may the detour fit the budget at all? ``False`` only where even
    start → task → home in straight lines at ``speed`` (+ the service) exceeds the direct trip
    plus the budget, which no road time can undercut; all ``True`` without a ``speed``."""
    m = len(active)
    if speed is None or not speed > 0 or not math.isfinite(speed):
        return np.ones((m, len(where)), dtype=bool)
    limit = direct[active] + np.array([cars[k].budget_s for k in active], dtype=np.float64)
    s, h = starts[active], homes[active]
    out = np.hypot(s[:, None, 0] - where[None, :, 0], s[:, None, 1] - where[None, :, 1])
    back = np.hypot(where[None, :, 0] - h[:, None, 0], where[None, :, 1] - h[:, None, 1])
    lower = (out + back) / speed * (1 - CROW_SLACK) + service[None, :]
    return np.asarray(lower <= limit[:, None])


def _there_worth_asking(
    back: NDArray[np.float64],
    service: NDArray[np.float64],
    where: NDArray[np.float64],
    starts: NDArray[np.float64],
    limit: NDArray[np.float64],
    speed: float | None,
) -> NDArray[np.bool_]:
    """Per task: may some car's detour still fit, its road way home known, its way there not
    yet? The way there takes at least the straight line at ``speed`` (0 without one), so a
    task whose way home, service and that line already exceed every car's limit (or with no
    way home) fits no road there either, and its way there is not asked: the same problem
    and reasons for less. A national Østjylland clear asked the road there for ~800 tasks
    the crow's ellipse let in, of which ~50 fitted."""
    least = np.zeros((len(starts), len(where)))
    if speed is not None and speed > 0 and math.isfinite(speed):
        line = np.hypot(
            starts[:, None, 0] - where[None, :, 0], starts[:, None, 1] - where[None, :, 1]
        )
        least = line / speed * (1 - CROW_SLACK)
    with np.errstate(invalid="ignore"):
        maybe = back + service[None, :] + least <= limit[:, None]  # NaN (no way home) fails
    return np.asarray(maybe.any(axis=0))


def assemble(
    cars: Sequence[FreeCar],
    active: list[int],
    entries: list[Entry],
    starts: NDArray[np.float64],
    homes: NDArray[np.float64],
    direct: NDArray[np.float64],
    travel: TravelTimes,
    now: datetime,
    valuations: Mapping[str, Valuation],
    left_out: dict[str, Reason],
    blocked: dict[str, Reason],
    hotspots: Sequence[Hotspot],
    followups: Sequence[FollowUp],
    speed: float | None = None,
) -> BuiltProblem:
    """The ellipse prefilter (first as the crow flies, then by road), then the matrix among
    survivors, then the Problem."""
    m = len(active)
    where = np.array([e.xy for e in entries], dtype=np.float64).reshape(-1, 2)
    service = np.array([e.service_s for e in entries], dtype=np.float64)
    available = np.array([max(0, int((cars[k].free_at - now).total_seconds())) for k in active])
    budget = np.array([cars[k].budget_s for k in active], dtype=np.float64)
    # road times only for the tasks within reach as the crow flies (inf elsewhere: outside)
    ask = np.flatnonzero(
        crow_fits(where, service, starts, homes, direct, cars, active, speed).any(axis=0)
    )
    # no leg of a plan is longer than the longest a car may drive (its direct trip plus its
    # budget, Problem.deadline; + 1 s for the rounding): beyond that a leg is as good as no
    # road (NaN), and the search stops there (a full tree was 16 ms on the Midt- og
    # Vestjylland fallback, 1.5 ms within 30 min)
    longest = float(np.max(direct[active] + budget)) + 1.0 if m else None
    limit = direct[active] + budget
    detour = np.full((m, len(entries)), np.inf)
    no_way_home = np.zeros((m, len(entries)), dtype=bool)
    if m and len(ask):
        # Every leg is timed as leaving now: ferries follow their timetables, so an island whose
        # last ferry has left is unreachable tonight (legs later in the plan are timed the same
        # way, a close bound for detours of minutes, not hours). The way home is read in full
        # from the stations' pinned trees, and says whether a hotspot is cut off tonight (no
        # way home from it) or only too far; the way there, asked only where it could still
        # fit, stops at the longest drive
        back = travel.matrix(where[ask], homes[active], depart_at=now).T
        no_way_home[:, ask] = np.isnan(back)
        there = _there_worth_asking(back, service[ask], where[ask], starts[active], limit, speed)
        if there.any():
            out = travel.matrix(starts[active], where[ask[there]], depart_at=now, limit_s=longest)
            detour[:, ask[there]] = out + service[None, ask[there]] + back[:, there]
    fits = detour <= limit[:, None]  # NaN fails: unreachable drops out
    survivors = np.flatnonzero(fits.any(axis=0)) if m else np.empty(0, dtype=int)
    # per column at once, and one (immutable) reason for all alike: ~700 hotspots a national
    # clear, one numpy call and one Reason each, were 8 % of a clear
    reasons = {code: Reason(code) for code in ("no_car", "unreachable", "outside_budget")}
    if m == 0:
        for entry in entries:
            left_out[entry.id] = reasons["no_car"]
    else:
        cut_off = np.asarray(no_way_home.all(axis=0)).tolist()
        for j in np.flatnonzero(~fits.any(axis=0)).tolist():
            code = "unreachable" if cut_off[j] else "outside_budget"
            left_out[entries[j].id] = reasons[code]
    chosen = [entries[j] for j in survivors]
    nodes = np.vstack([starts[active], homes[active], where[survivors]]) if m else np.empty((0, 2))
    matrix = (
        np.rint(travel.matrix(nodes, nodes, depart_at=now, limit_s=longest))
        if len(nodes)
        else np.empty((0, 0))
    )
    np.fill_diagonal(matrix, 0)
    problem_cars = tuple(
        Car(cars[k].call_sign, start=v, end=m + v, available_s=int(available[v]),
            budget_s=int(cars[k].budget_s))
        for v, k in enumerate(active)
    )  # fmt: skip
    tasks = tuple(
        Task(entry.id, node=2 * m + j, value=entry.value,
             service_s=entry.service_s, windows=entry.windows)
        for j, entry in enumerate(chosen)
    )  # fmt: skip
    problem = Problem(cars=problem_cars, hotspots=tasks, travel_s=matrix) if m else None
    return BuiltProblem(
        problem=problem,
        now=now,
        hotspots={s.id: s for s in hotspots},
        followups={f.id: f for f in followups},
        valuations=valuations,
        left_out=left_out,
        blocked=blocked,
        direct_s={cars[k].call_sign: round(float(direct[k])) for k in active},
        ends={
            cars[k].call_sign: ((starts[k, 0], starts[k, 1]), (homes[k, 0], homes[k, 1]))
            for k in active
        },
    )
