"""Cars on the road in the simulated world: where each car is, its legs and shifts, and how long
it needs to get somewhere.

Kilometres are the travel layer's driven metres (:class:`~smartspot.travel.port.TravelTrips`) of
the paths the times were computed on: a leg counts the metres of the path its time came from,
including the part of the previous leg driven back or on when a car is turned mid-leg, and a leg
cut short counts the share of its metres driven by then. Only a travel layer that gives no metres
falls back to straight-line legs × the scenario's ``km_circuity``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from smartspot.plans import PlannedStop, Proposal
from smartspot.sim.callouts import CalloutSpec
from smartspot.sim.district import District
from smartspot.sim.engine import PRIORITY_CAR, Environment, Handle
from smartspot.sim.records import CarRecord
from smartspot.sim.table import PointTable
from smartspot.travel.port import TravelTimes, TravelTrips

OFF, IDLE, TO_CALL, ON_SCENE, RETURNING, TO_HOTSPOT, AT_HOTSPOT = (
    "off",
    "idle",
    "to_call",
    "on_scene",
    "returning",
    "to_hotspot",
    "at_hotspot",
)
#: A car on site reports its position at least this often (the engine ends a stay after a
#: silence of its policy's gap; the world reports every five minutes).
REPORT_S = 300.0
MOVING = frozenset({TO_CALL, RETURNING, TO_HOTSPOT})
ON_TASK = frozenset({TO_HOTSPOT, AT_HOTSPOT})
URGENT_OK = frozenset({IDLE, RETURNING, TO_HOTSPOT, AT_HOTSPOT})
NON_URGENT_OK = frozenset({IDLE, RETURNING})


@dataclass(slots=True)
class PlanState:
    """An accepted proposal being driven."""

    proposal: Proposal
    remaining: list[PlannedStop]
    start_s: float
    start_home_m: float  # metres the car had to drive home when it took the plan
    km: float = 0.0
    visits_done: int = 0
    arrived_s: float = math.nan  # service starts at the current hotspot
    reached_s: float = math.nan  # the car got there
    current: PlannedStop | None = None
    idle: bool = False  # proposed to the car while it stood idle at its post


@dataclass(slots=True)
class Car:
    """A patrol car's state in the world (mutable; records are what leaves the world)."""

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
    leg_m: float = 0.0  # driven metres of the current leg's path
    handle: Handle | None = None
    call: CalloutSpec | None = None
    plan: PlanState | None = None
    in_stay: bool = False  # its last fixes were at a hotspot
    idle_watch: int = 0  # bumped whenever a new idle watch starts (older ones lapse)
    km: float = 0.0
    calls: int = 0


class Fleet:
    """The district's cars, their legs and shifts. Subclasses say what happens when a car
    comes on or goes off duty and when it gets home."""

    def __init__(self, env: Environment, district: District, travel: TravelTimes) -> None:
        self.env = env
        self.district = district
        self.travel = travel
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

    def moment(self, seconds: float | None = None) -> datetime:
        """The wall-clock instant of simulation second ``seconds`` (default: now)."""
        at = self.env.now if seconds is None else seconds
        return self.scenario.start + timedelta(seconds=at)

    def seconds_of(self, moment: datetime) -> float:
        """The simulation second of the instant ``moment``."""
        return (moment - self.scenario.start).total_seconds()

    # hooks ------------------------------------------------------------------------------
    def on_duty(self, car: Car) -> None: ...
    def off_duty(self, car: Car) -> None: ...
    def arrived_home(self, car: Car) -> None: ...

    # places and times -------------------------------------------------------------------
    def _metres(self, points: NDArray[np.float64], target: NDArray[np.float64]) -> NDArray:  # type: ignore[type-arg]
        """Driven metres from each point to ``target`` (the travel layer's; straight line ×
        ``km_circuity`` only for a travel layer that gives no metres)."""
        to = target.reshape(1, 2)
        found = self.travel.metres(points, to) if isinstance(self.travel, PointTable) else None
        if found is None and isinstance(self.travel, TravelTrips):
            found = self.travel.trips(points, to).metres
        if found is None:
            found = np.hypot(*(points - to).T).reshape(-1, 1) * self.circuity
        return np.asarray(found)[:, 0]

    def _done(self, car: Car) -> float:
        """Share of the current leg driven by now."""
        span = car.leg_t1 - car.leg_t0
        return 1.0 if span <= 0 else min(1.0, max(0.0, (self.env.now - car.leg_t0) / span))

    def route_metres(self, car: Car, target: NDArray[np.float64]) -> float:
        """Driven metres from where the car is to ``target`` along the way its time is
        reckoned (see :meth:`times_to`): from a moving car, the better of turning back and
        driving on, with the part of the current leg that takes; ``NaN`` when unreachable."""
        if car.state not in MOVING:
            return float(self._metres(car.pos.reshape(1, 2), target)[0])
        f = self._done(car)
        anchors = np.vstack([car.leg_from, car.leg_to])
        seconds = self.travel.matrix(anchors, target.reshape(1, 2))[:, 0]
        seconds += np.array([self.env.now - car.leg_t0, max(0.0, car.leg_t1 - self.env.now)])
        if np.isnan(seconds).all():
            return math.nan
        metres = self._metres(anchors, target) + np.array([f * car.leg_m, (1.0 - f) * car.leg_m])
        return float(metres[int(np.nanargmin(seconds))])

    def position(self, car: Car) -> NDArray[np.float64]:
        """Where the car is now (interpolated along a leg's straight line: an AVL point and the
        start of the next leg, never a place whose time is looked up)."""
        if car.state not in MOVING:
            return car.pos
        f = self._done(car)
        return np.asarray(car.leg_from + f * (car.leg_to - car.leg_from))

    def _anchors(self, car: Car) -> list[tuple[NDArray[np.float64], float]]:
        """Real places the car can start from, with the seconds needed to get there."""
        if car.state not in MOVING:
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
            parked = cars[c].state in (IDLE, "at_hotspot")
            out[c] = best / speedup + (turnout_s if parked else 0.0)
        return out

    # legs -------------------------------------------------------------------------------
    def end_leg(self, car: Car) -> NDArray[np.float64]:
        """Stop the car where it is, cancel its pending event, count the kilometres."""
        if car.handle is not None:
            car.handle.cancel()
            car.handle = None
        here = self.position(car)
        if car.state in MOVING:
            km = self._done(car) * car.leg_m / 1000.0
            car.km += km
            if car.plan is not None:
                car.plan.km += km
        car.pos = np.array(here)
        return car.pos

    def drive(
        self,
        car: Car,
        to: NDArray[np.float64],
        seconds: float,
        state: str,
        then: Callable[[], None],
    ) -> None:
        """Start a leg to ``to`` that takes ``seconds``. Called right after :meth:`end_leg` at
        the same moment, so a car turned mid-leg is charged the metres of the way its time
        was reckoned on (see :meth:`route_metres`)."""
        metres = self.route_metres(car, np.asarray(to, dtype=np.float64))
        car.leg_m = 0.0 if math.isnan(metres) else metres
        car.state = state
        car.leg_from = car.pos.copy()
        car.leg_to = np.array(to, dtype=np.float64)
        car.leg_t0 = self.env.now
        car.leg_t1 = self.env.now + seconds
        car.handle = self.env.schedule(then, delay=seconds, priority=PRIORITY_CAR)

    def arrive_leg(self, car: Car) -> None:
        km = car.leg_m / 1000.0
        car.km += km
        if car.plan is not None:
            car.plan.km += km
        car.pos = car.leg_to.copy()
        car.handle = None

    def go_home(self, car: Car) -> None:
        if np.array_equal(car.pos, car.home) and car.state not in MOVING:
            car.state = IDLE
            self.arrived_home(car)
            return
        seconds = self.times_to([car], car.home, 0.0)[0]
        self.end_leg(car)
        if math.isnan(seconds):  # cannot happen for a call its station reached; stay put
            seconds = 0.0
        self.drive(car, car.home, float(seconds), RETURNING, lambda: self._home_leg(car))

    def _home_leg(self, car: Car) -> None:
        self.arrive_leg(car)
        car.state = IDLE
        car.pos = car.home.copy()
        self.arrived_home(car)

    # shifts -----------------------------------------------------------------------------
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
                        self.off_duty(car)
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
                    self.on_duty(car)

    def car_records(self) -> list[CarRecord]:
        return [
            CarRecord(car.id, self.scenario.stations[car.station].station_id, car.km, car.calls)
            for car in self.cars
        ]
