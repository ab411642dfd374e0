"""The dispatch model: cars, calls, queues and what a freed car does next.

- An urgent call, once handled at the vagtcentral, takes the available car that can be on scene
  first by travel time: a car parked at its station, one driving home, or one on a Smart Spot
  task (which drops the task at once). With none available it queues, and the next car that
  comes free takes it.
- A non-urgent call takes the nearest car that is parked or driving home; otherwise it queues.
- A car that clears a call first takes queued calls (urgent first); otherwise the policy
  decides: ``none`` sends it home, ``greedy`` and ``optimiser`` may propose hotspots, which the
  operator accepts with the scenario's acceptance rate, and the car drives the plan then home.

A moving car's time to a new place is the better of turning back to where its leg began and
driving on to where it ends (an upper bound by the triangle inequality, and always computed
from real places rather than interpolated points, which might lie in a fjord).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from smartspot.domain import Visit, VisitOutcome
from smartspot.sim.callouts import CalloutSpec
from smartspot.sim.district import District
from smartspot.sim.engine import PRIORITY_CALL, PRIORITY_CAR, Environment, Handle
from smartspot.sim.ports import TravelTimes
from smartspot.sim.records import CallRecord, CarRecord, PlanRecord, VisitRecord

if TYPE_CHECKING:
    from smartspot.sim.policies import Policy, Proposal, Stop

OFF, IDLE, TO_CALL, ON_SCENE, RETURNING, TO_HOTSPOT, AT_HOTSPOT = (
    "off",
    "idle",
    "to_call",
    "on_scene",
    "returning",
    "to_hotspot",
    "at_hotspot",
)
MOVING = frozenset({TO_CALL, RETURNING, TO_HOTSPOT})
ON_TASK = frozenset({TO_HOTSPOT, AT_HOTSPOT})
URGENT_OK = frozenset({IDLE, RETURNING, TO_HOTSPOT, AT_HOTSPOT})
NON_URGENT_OK = frozenset({IDLE, RETURNING})


@dataclass(slots=True)
class PlanState:
    """An accepted plan being driven."""

    proposal: Proposal
    remaining: list[Stop]
    start_s: float
    start_xy: NDArray[np.float64]
    km: float = 0.0
    visits_done: int = 0
    arrived_s: float = math.nan  # at the current hotspot
    current: Stop | None = None


@dataclass(slots=True)
class Car:
    """A patrol car's live state (mutable; records are what leaves the model)."""

    id: str
    station: int
    home: NDArray[np.float64]
    state: str = OFF
    leaving: bool = False  # finish the current job, then go off duty
    pos: NDArray[np.float64] = field(default_factory=lambda: np.zeros(2))
    leg_from: NDArray[np.float64] = field(default_factory=lambda: np.zeros(2))
    leg_to: NDArray[np.float64] = field(default_factory=lambda: np.zeros(2))
    leg_t0: float = 0.0
    leg_t1: float = 0.0
    handle: Handle | None = None
    call: CalloutSpec | None = None
    plan: PlanState | None = None
    km: float = 0.0
    calls: int = 0


@dataclass(slots=True)
class _Open:
    """A call between receipt and clearance."""

    spec: CalloutSpec
    ready_s: float = math.nan
    dispatched_s: float = math.nan
    arrived_s: float = math.nan
    car: str = ""
    queued: bool = False
    on_task: bool = False


class Model:
    """One district, its cars and its calls, driven by an :class:`Environment`.

    Parameters
    ----------
    env
        The event engine.
    district
        Stations, towns and hotspots.
    travel
        The travel-time layer (``NaN`` = unreachable).
    policy
        What a car does after clearing a call.
    rng
        The policy's own random stream (operator acceptance); independent of the callouts.
    """

    def __init__(
        self,
        env: Environment,
        district: District,
        travel: TravelTimes,
        policy: Policy,
        rng: np.random.Generator,
    ) -> None:
        self.env = env
        self.district = district
        self.travel = travel
        self.policy = policy
        self.rng = rng
        self.scenario = district.scenario
        self.circuity = self.scenario.dispatch.km_circuity
        self.cars: list[Car] = []
        self.by_station: list[list[Car]] = []
        for s, entry in enumerate(self.scenario.stations):
            pool = []
            for k in range(entry.max_cars):
                home = district.home_of(s, k).copy()
                car = Car(id=f"{entry.station_id}-{k + 1}", station=s, home=home, pos=home.copy())
                pool.append(car)
                self.cars.append(car)
            self.by_station.append(pool)
        self.urgent_queue: deque[_Open] = deque()
        self.other_queue: deque[_Open] = deque()
        self.open_calls: dict[str, _Open] = {}
        self.call_records: list[CallRecord] = []
        self.visit_records: list[VisitRecord] = []
        self.plan_records: list[PlanRecord] = []
        n_h = len(district.hotspots)
        self.last_visit_s = np.full(n_h, -math.inf)
        self.visit_times: list[list[float]] = [[] for _ in range(n_h)]
        self.claimed: dict[int, str] = {}  # hotspot index → car id heading there or on site
        self.visit_log: list[Visit] = []  # domain visits, as the optimiser reads them
        self.checks = 0  # invariant checks run (for tests)

    # ----------------------------------------------------------------- time and places
    def moment(self, seconds: float | None = None) -> datetime:
        """The aware datetime of a simulation time (default: now)."""
        at = self.env.now if seconds is None else seconds
        return self.scenario.start + timedelta(seconds=at)

    def km(self, a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
        return float(np.hypot(*(a - b))) / 1000.0 * self.circuity

    def position(self, car: Car) -> NDArray[np.float64]:
        """Where the car is now (interpolated along a leg; for kilometres only)."""
        if car.state not in MOVING:
            return car.pos
        span = car.leg_t1 - car.leg_t0
        f = 1.0 if span <= 0 else min(1.0, max(0.0, (self.env.now - car.leg_t0) / span))
        return np.asarray(car.leg_from + f * (car.leg_to - car.leg_from))

    def _anchors(self, car: Car) -> list[tuple[NDArray[np.float64], float]]:
        """Real places the car can start from, with the seconds needed to get there."""
        if car.state == IDLE:
            return [(car.pos, 0.0)]
        if car.state == AT_HOTSPOT:
            return [(car.pos, 0.0)]
        done = self.env.now - car.leg_t0
        left = max(0.0, car.leg_t1 - self.env.now)
        return [(car.leg_from, done), (car.leg_to, left)]

    def times_to(
        self,
        cars: list[Car],
        target: NDArray[np.float64],
        turnout_s: float,
        *,
        speedup: float = 1.0,
    ) -> NDArray[np.float64]:
        """Seconds until each car could be at ``target``; ``NaN`` when it cannot get there.
        ``speedup`` divides the driving (blue-light driving to an urgent call)."""
        if not cars:
            return np.zeros(0)
        anchors = [self._anchors(car) for car in cars]
        points = np.array([p for group in anchors for p, _ in group])
        seconds = self.travel.matrix(points, target.reshape(1, 2))[:, 0]
        out = np.empty(len(cars))
        i = 0
        for c, group in enumerate(anchors):
            best = math.nan
            for _, extra in group:
                t = seconds[i] + extra
                i += 1
                if not math.isnan(t) and (math.isnan(best) or t < best):
                    best = t
            parked = cars[c].state in (IDLE, AT_HOTSPOT)
            out[c] = best / speedup + (turnout_s if parked else 0.0)
        return out

    # ------------------------------------------------------------------ car movement
    def _end_leg(self, car: Car) -> NDArray[np.float64]:
        """Stop the car where it is, cancel its pending event, count the kilometres."""
        if car.handle is not None:
            car.handle.cancel()
            car.handle = None
        here = self.position(car)
        if car.state in MOVING:
            km = self.km(car.leg_from, here)
            car.km += km
            if car.plan is not None:
                car.plan.km += km
        car.pos = np.array(here)
        return car.pos

    def _drive(self, car: Car, to: NDArray[np.float64], seconds: float, state: str, then) -> None:  # type: ignore[no-untyped-def]
        car.state = state
        car.leg_from = car.pos.copy()
        car.leg_to = np.array(to, dtype=np.float64)
        car.leg_t0 = self.env.now
        car.leg_t1 = self.env.now + seconds
        car.handle = self.env.schedule(then, delay=seconds, priority=PRIORITY_CAR)

    def _arrive_leg(self, car: Car) -> None:
        km = self.km(car.leg_from, car.leg_to)
        car.km += km
        if car.plan is not None:
            car.plan.km += km
        car.pos = car.leg_to.copy()
        car.handle = None

    # --------------------------------------------------------------------- shifts
    def set_shift(self, shift: str) -> None:
        """Bring each station's on-duty cars to the shift's number."""
        for entry, pool in zip(self.scenario.stations, self.by_station, strict=True):
            target = entry.cars(shift)
            working = [c for c in pool if c.state != OFF and not c.leaving]
            if len(working) > target:
                # parked cars go off first; busy ones finish their job
                for car in sorted(working, key=lambda c: c.state != IDLE)[target:]:
                    if car.state == IDLE:
                        car.state = OFF
                    else:
                        car.leaving = True
            for car in pool:
                if len(working) >= target:
                    break
                if car.leaving:
                    car.leaving = False
                    working.append(car)
            for car in pool:
                if len(working) >= target:
                    break
                if car.state == OFF:
                    car.state = IDLE
                    car.pos = car.home.copy()
                    working.append(car)
                    self._free(car, cleared_call=False)

    # ---------------------------------------------------------------------- calls
    def receive(self, spec: CalloutSpec) -> None:
        """A call arrives at the vagtcentral; a car is chosen after call handling."""
        call = _Open(spec)
        self.open_calls[spec.id] = call
        self.env.schedule(lambda: self._ready(call), delay=spec.handling_s, priority=PRIORITY_CALL)

    def _ready(self, call: _Open) -> None:
        call.ready_s = self.env.now
        allowed = URGENT_OK if call.spec.urgent else NON_URGENT_OK
        cars = [c for c in self.cars if c.state in allowed and not c.leaving]
        target = np.array([call.spec.x, call.spec.y])
        times = self.times_to(cars, target, call.spec.turnout_s, speedup=self._speedup(call.spec))
        if len(cars) == 0 or np.isnan(times).all():
            call.queued = True
            (self.urgent_queue if call.spec.urgent else self.other_queue).append(call)
            return
        best = int(np.nanargmin(times))
        self._send(cars[best], call, float(times[best]))

    def _speedup(self, spec: CalloutSpec) -> float:
        return self.scenario.dispatch.urgent_speedup if spec.urgent else 1.0

    def _send(self, car: Car, call: _Open, seconds: float) -> None:
        call.on_task = car.plan is not None and car.state in ON_TASK  # pulled off a task
        if car.plan is not None:
            self._end_plan(car, interrupted=True)
        else:
            self._end_leg(car)
        call.dispatched_s = self.env.now
        call.car = car.id
        car.call = call.spec
        car.calls += 1
        target = np.array([call.spec.x, call.spec.y])
        self._drive(car, target, seconds, TO_CALL, lambda: self._on_scene(car, call))

    def _on_scene(self, car: Car, call: _Open) -> None:
        self._arrive_leg(car)
        car.state = ON_SCENE
        call.arrived_s = self.env.now
        car.handle = self.env.schedule(
            lambda: self._clear(car, call), delay=call.spec.on_scene_s, priority=PRIORITY_CAR
        )

    def _clear(self, car: Car, call: _Open) -> None:
        car.handle = None
        car.call = None
        spec = call.spec
        self.call_records.append(
            CallRecord(
                callout=spec.id,
                urgent=spec.urgent,
                kommunekode=spec.kommunekode,
                rural=spec.rural,
                x=spec.x,
                y=spec.y,
                received_s=spec.received_s,
                dispatched_s=call.dispatched_s,
                arrived_s=call.arrived_s,
                cleared_s=self.env.now,
                car=car.id,
                queued=call.queued,
                car_was_on_task=call.on_task,
            )
        )
        del self.open_calls[spec.id]
        self._free(car, cleared_call=True)

    def _take_queued(self, car: Car) -> bool:
        """Give a free car the oldest queued call it can reach (urgent first)."""
        for queue in (self.urgent_queue, self.other_queue):
            for call in list(queue):
                seconds = self.times_to(
                    [car],
                    np.array([call.spec.x, call.spec.y]),
                    call.spec.turnout_s,
                    speedup=self._speedup(call.spec),
                )[0]
                if math.isnan(seconds):
                    continue
                queue.remove(call)
                self._send(car, call, float(seconds))
                return True
        return False

    def _free(self, car: Car, *, cleared_call: bool) -> None:
        """A car has nothing to do: queued calls first, then the policy, then home."""
        if car.leaving:
            self._go_home(car)
            return
        if self._take_queued(car):
            return
        if cleared_call and self.district.hotspots:
            proposal = self.policy.propose(self, car)
            if proposal is not None and proposal.stops:
                accepted = bool(self.rng.random() < self.scenario.smartspot.acceptance_rate)
                if accepted:
                    self._start_plan(car, proposal)
                    return
                self.plan_records.append(
                    PlanRecord(
                        car=car.id,
                        proposed_s=self.env.now,
                        stops=len(proposal.stops),
                        planned_value=proposal.value,
                        accepted=False,
                        ended_s=self.env.now,
                        visits_done=0,
                        interrupted=False,
                        extra_km=0.0,
                    )
                )
        if car.state != IDLE or not np.array_equal(car.pos, car.home):
            self._go_home(car)

    def _go_home(self, car: Car) -> None:
        if np.array_equal(car.pos, car.home):
            self._home(car)
            return
        seconds = self.travel.matrix(car.pos.reshape(1, 2), car.home.reshape(1, 2))[0, 0]
        if math.isnan(seconds):  # cannot happen for a call its station reached; stay put
            seconds = 0.0
        self._drive(car, car.home, float(seconds), RETURNING, lambda: self._arrive_home(car))

    def _arrive_home(self, car: Car) -> None:
        self._arrive_leg(car)
        car.state = IDLE  # parked: ending the plan must not count the leg again
        if car.plan is not None:
            self._end_plan(car, interrupted=False)
        self._home(car)

    def _home(self, car: Car) -> None:
        car.pos = car.home.copy()
        car.state = IDLE
        if car.leaving:
            car.leaving = False
            car.state = OFF
            return
        self._take_queued(car)

    # --------------------------------------------------------------- smart spot plans
    def _start_plan(self, car: Car, proposal: Proposal) -> None:
        car.plan = PlanState(proposal, list(proposal.stops), self.env.now, car.pos.copy())
        for stop in proposal.stops:
            self.claimed[stop.hotspot] = car.id
        self._next_stop(car)

    def _next_stop(self, car: Car) -> None:
        plan = car.plan
        assert plan is not None
        if not plan.remaining:
            self._go_home(car)
            return
        stop = plan.remaining.pop(0)
        plan.current = stop
        target = self.district.hotspot_xy[stop.hotspot]
        seconds = self.travel.matrix(car.pos.reshape(1, 2), target.reshape(1, 2))[0, 0]
        if math.isnan(seconds):  # a policy proposed an unreachable stop: skip it
            self.claimed.pop(stop.hotspot, None)
            plan.current = None
            self._next_stop(car)
            return
        self._drive(car, target, float(seconds), TO_HOTSPOT, lambda: self._at_hotspot(car))

    def _at_hotspot(self, car: Car) -> None:
        self._arrive_leg(car)
        plan = car.plan
        assert plan is not None and plan.current is not None
        car.state = AT_HOTSPOT
        wait = max(0.0, plan.current.start_s - self.env.now)  # early: wait for the window
        plan.arrived_s = self.env.now + wait
        stay = wait + self.district.hotspots[plan.current.hotspot].instruction.minutes_on_site * 60
        car.handle = self.env.schedule(
            lambda: self._leave_hotspot(car), delay=stay, priority=PRIORITY_CAR
        )

    def _record_visit(self, car: Car, *, aborted: bool) -> None:
        plan = car.plan
        assert plan is not None and plan.current is not None
        index = plan.current.hotspot
        arrived = min(plan.arrived_s, self.env.now)
        hotspot = self.district.hotspots[index]
        self.visit_records.append(
            VisitRecord(
                hotspot=hotspot.id,
                car=car.id,
                kommunekode=hotspot.location.kommunekode,
                outlying=bool(self.district.hotspot_outlying[index]),
                arrived_s=arrived,
                left_s=self.env.now,
                aborted=aborted,
                value=0.0 if aborted else plan.current.value,
            )
        )
        self.visit_log.append(
            Visit(
                hotspot=hotspot.id,
                patrol=car.id,
                arrived_at=self.moment(arrived),
                left_at=self.moment(),
                outcome=VisitOutcome.ABORTED if aborted else VisitOutcome.NOT_OBSERVED,
            )
        )
        self.last_visit_s[index] = self.env.now
        self.visit_times[index].append(self.env.now)
        self.claimed.pop(index, None)
        plan.visits_done += 1
        plan.current = None

    def _leave_hotspot(self, car: Car) -> None:
        car.handle = None
        self._record_visit(car, aborted=False)
        if self.urgent_queue or self.other_queue:
            self._end_plan(car, interrupted=True)
            if not self._take_queued(car):
                self._go_home(car)
            return
        self._next_stop(car)

    def _end_plan(self, car: Car, *, interrupted: bool) -> None:
        plan = car.plan
        assert plan is not None
        if car.state == AT_HOTSPOT and plan.current is not None and self.env.now >= plan.arrived_s:
            self._record_visit(car, aborted=True)
        here = self._end_leg(car)
        for stop in [*plan.remaining, *([plan.current] if plan.current else [])]:
            self.claimed.pop(stop.hotspot, None)
        progress = self.km(plan.start_xy, car.home) - self.km(here, car.home)
        self.plan_records.append(
            PlanRecord(
                car=car.id,
                proposed_s=plan.start_s,
                stops=len(plan.proposal.stops),
                planned_value=plan.proposal.value,
                accepted=True,
                ended_s=self.env.now,
                visits_done=plan.visits_done,
                interrupted=interrupted,
                extra_km=plan.km - progress,
            )
        )
        car.plan = None

    # ------------------------------------------------------------------- results
    def car_records(self) -> list[CarRecord]:
        return [
            CarRecord(car.id, self.scenario.stations[car.station].station_id, car.km, car.calls)
            for car in self.cars
        ]
