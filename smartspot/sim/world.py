"""The simulated world around the vagtcentral: cars driving, calls coming in, and the
operator's choices. Every rule of the vagtcentral itself — callout steps, voiding a task when
a car is sent to a call, planning proposals, which hotspots are held, visit detection — is the
live engine's (:mod:`smartspot.live`), driven here through the same calls the API makes.

- An urgent call, once handled, takes the available car that can be on scene first by travel
  time: parked, driving home, or on a Smart Spot task (the engine voids the task). With none
  available it queues, and the next car that comes free takes it.
- A non-urgent call takes the nearest car that is parked or driving home; otherwise it queues.
- A car that clears a call first takes queued calls (urgent first); otherwise the engine clears
  it and plans its way home, the operator accepts with the scenario's acceptance rate, and the
  car drives the plan, then home. Positions at hotspots go to the engine as AVL fixes, which
  is how its visits are detected.
- With idle proposals on (the policy's ``idle_after_min``), a car parked at its post sends an
  AVL fix from there every ``idle_after_min`` (a parked car's AVL unit keeps reporting; the
  world sends the fixes that matter; :mod:`smartspot.sim.idle_watch`): the engine decides from
  its store whether the car is due an idle proposal, and the operator answers it like any other.

A moving car's time to a new place is the better of turning back to where its leg began and
driving on to where it ends (never an interpolated point, which might lie in a fjord).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Point

from smartspot.domain import PatrolStatus
from smartspot.live.policy import PlanningPolicy
from smartspot.sim import idle_watch
from smartspot.sim.callouts import CalloutSpec
from smartspot.sim.cars import (
    IDLE,
    NON_URGENT_OK,
    OFF,
    ON_SCENE,
    ON_TASK,
    RETURNING,
    TO_CALL,
    URGENT_OK,
    Car,
)
from smartspot.sim.desk import SIMULATOR, Desk, DeskFactory, open_desk
from smartspot.sim.district import District
from smartspot.sim.engine import PRIORITY_CALL, PRIORITY_CAR, Environment
from smartspot.sim.followup_world import FollowUps
from smartspot.sim.followups import FollowUpSpec
from smartspot.sim.records import CallRecord, PlanRecord, VisitRecord
from smartspot.sim.task_driving import TaskDriving
from smartspot.travel.port import TravelTimes


@dataclass(slots=True)
class OpenCall:
    """A call between receipt and clearance."""

    spec: CalloutSpec
    engine_id: str
    ready_s: float = math.nan
    dispatched_s: float = math.nan
    arrived_s: float = math.nan
    car: str = ""
    queued: bool = False
    on_task: bool = False


class World(TaskDriving):
    """One district's cars and calls around the live engine ``desk``.

    Parameters
    ----------
    env
        The event engine (its clock is the desk's clock).
    district
        Stations, towns and hotspots.
    travel
        The run's travel table (``NaN`` = unreachable).
    planning
        The planning policy the desk runs with.
    rng
        The policy stream: the operator's acceptance and the root of the desk's planning streams.
    acceptance_rate
        Share of proposals with stops the operator accepts.
    with_hotspots
        Register the district's hotspots and follow-ups at the desk (``False``: today's
        practice).
    desk
        Opens the desk the world talks to: by default the live engine in process
        (:func:`~smartspot.sim.desk.open_desk`); the soak test passes one that talks HTTP.
    followups
        The run's follow-up stream (:mod:`smartspot.sim.followup_world`).
    """

    def __init__(
        self,
        env: Environment,
        district: District,
        travel: TravelTimes,
        planning: PlanningPolicy,
        rng: np.random.Generator,
        *,
        acceptance_rate: float,
        with_hotspots: bool,
        desk: DeskFactory = open_desk,
        followups: Sequence[FollowUpSpec] = (),
    ) -> None:
        if district.hotspot_round_trip_s is None:  # what "outlying" is computed from
            district = district.with_station_times(travel)
        super().__init__(env, district, travel)
        homes = {car.id: Point(float(car.home[0]), float(car.home[1])) for car in self.cars}
        desk_seed = int(rng.integers(0, 2**63 - 1))  # the root of the desk's planning streams
        self.desk: Desk = desk(
            env, district, travel, planning, desk_seed, homes, with_hotspots=with_hotspots
        )
        self.rng = rng
        self.acceptance_rate = acceptance_rate
        self.idle_after_s = planning.idle_after_s
        self.urgent_queue: deque[OpenCall] = deque()
        self.other_queue: deque[OpenCall] = deque()
        self.open_calls: dict[str, OpenCall] = {}
        self.call_records: list[CallRecord] = []
        self.visit_records: list[VisitRecord] = []
        self.plan_records: list[PlanRecord] = []
        self.index = {h.id: i for i, h in enumerate(district.hotspots)}
        self.by_id = {car.id: car for car in self.cars}
        for car in self.cars:
            self.desk.add_patrol(car.id, car.id, actor=SIMULATOR)
            self.desk.set_status(car.id, PatrolStatus.OFF_DUTY, actor=SIMULATOR)
        desk_or_none = self.desk if with_hotspots else None
        self.followups = FollowUps(env, desk_or_none, list(followups), district.scenario.followups)

    # --------------------------------------------------------------------- shifts
    def on_duty(self, car: Car) -> None:
        self.status(car, PatrolStatus.AVAILABLE)
        self._free(car)
        idle_watch.watch(self, car)

    def off_duty(self, car: Car) -> None:
        self.status(car, PatrolStatus.OFF_DUTY)

    # ---------------------------------------------------------------------- calls
    def receive(self, spec: CalloutSpec) -> None:
        """A call arrives at the vagtcentral; a car is chosen after call handling."""
        callout = self.desk.receive(
            urgent=spec.urgent, position=Point(spec.x, spec.y), actor=SIMULATOR
        )
        call = OpenCall(spec, callout.id)
        self.open_calls[spec.id] = call
        self.env.schedule(lambda: self._ready(call), delay=spec.handling_s, priority=PRIORITY_CALL)

    def _ready(self, call: OpenCall) -> None:
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

    def _send(self, car: Car, call: OpenCall, seconds: float) -> None:
        call.on_task = car.plan is not None and car.state in ON_TASK  # pulled off a task
        if car.plan is not None:
            self._end_plan(car, interrupted=True)
        else:
            self.end_leg(car)
        self.desk.dispatch(call.engine_id, car.id, actor=SIMULATOR)  # voids any task
        call.dispatched_s = self.env.now
        call.car = car.id
        car.call = call.spec
        car.calls += 1
        target = np.array([call.spec.x, call.spec.y])
        self.drive(car, target, seconds, TO_CALL, lambda: self._on_scene(car, call))

    def _on_scene(self, car: Car, call: OpenCall) -> None:
        self.arrive_leg(car)
        car.state = ON_SCENE
        call.arrived_s = self.env.now
        self._report_arrival(car)
        self.desk.arrive(call.engine_id, actor=SIMULATOR)
        car.handle = self.env.schedule(
            lambda: self._clear(car, call), delay=call.spec.on_scene_s, priority=PRIORITY_CAR
        )

    def _clear(self, car: Car, call: OpenCall) -> None:
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
        if car.leaving:
            self._clear_at_desk(car, call, take=False)
            self.go_home(car)
            return
        queued = self._queued_for(car)
        if queued is not None:
            self._clear_at_desk(car, call, take=False)  # its proposal is voided by the dispatch
            self._send(car, *queued)
            return
        if not self._clear_at_desk(car, call, take=True):
            self.go_home(car)

    def _clear_at_desk(self, car: Car, call: OpenCall, *, take: bool) -> bool:
        """Clear at the desk and act on what it proposes: for this car (when ``take``) and
        for any other car on its way home that joined the plan. True when this car took its
        plan."""
        _, made = self.desk.clear(call.engine_id, actor=SIMULATOR)
        taken = False
        for proposal in made:
            other = self.by_id[proposal.patrol]
            if other is car:
                if take:
                    taken = self._decide(car, proposal)
                elif proposal.kept and car.leaving:
                    self.desk.reject(proposal.id, "the shift is over", actor=SIMULATOR)
            elif other.state == RETURNING and other.plan is None and not other.leaving:
                self._decide(other, proposal)
            elif proposal.kept:
                self.desk.reject(proposal.id, "the car is busy", actor=SIMULATOR)
        return taken

    def _queued_for(self, car: Car) -> tuple[OpenCall, float] | None:
        """The oldest queued call the car can reach (urgent first), taken off its queue."""
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
                return call, float(seconds)
        return None

    def _take_queued(self, car: Car) -> bool:
        queued = self._queued_for(car)
        if queued is None:
            return False
        self._send(car, *queued)
        return True

    def _free(self, car: Car) -> None:
        """A car with nothing to do: queued calls first, then home."""
        if car.leaving:
            self.go_home(car)
            return
        if self._take_queued(car):
            return
        if car.state != IDLE or not np.array_equal(car.pos, car.home):
            self.go_home(car)

    def arrived_home(self, car: Car) -> None:
        if car.plan is not None:
            self._end_plan(car, interrupted=False)
        self._report_arrival(car)
        if car.leaving:
            car.leaving = False
            car.state = OFF
            self.off_duty(car)
            return
        self.status(car, PatrolStatus.AVAILABLE)
        if not self._take_queued(car):
            idle_watch.watch(self, car)
