"""The operator's answer to a Smart Spot proposal, and the car driving the plan it accepted:
to each stop, on site for the stop's minutes (the car's AVL fixes there are how the engine
detects the visit), on to the next stop and then home. A call waiting in the queue when a car
leaves a hotspot ends the plan there.

:class:`TaskDriving` is the half of the simulated world (:class:`~smartspot.sim.world.World`)
that carries out plans; the world itself receives and dispatches the calls.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Point

from smartspot.domain import PatrolStatus
from smartspot.plans import Proposal
from smartspot.sim.cars import AT_HOTSPOT, REPORT_S, TO_HOTSPOT, Car, Fleet, PlanState
from smartspot.sim.desk import SIMULATOR, Desk
from smartspot.sim.engine import PRIORITY_CAR
from smartspot.sim.records import PlanRecord, VisitRecord
from smartspot.store.records import PositionFix

if TYPE_CHECKING:
    from smartspot.sim.followup_world import FollowUps
    from smartspot.sim.world import OpenCall


class TaskDriving(Fleet, ABC):
    """Accepting or rejecting proposals, and driving the accepted plans.

    The world sets the attributes below and answers queued calls (:meth:`_take_queued`).
    """

    desk: Desk
    rng: np.random.Generator
    acceptance_rate: float
    index: dict[str, int]
    followups: FollowUps
    plan_records: list[PlanRecord]
    visit_records: list[VisitRecord]
    urgent_queue: deque[OpenCall]
    other_queue: deque[OpenCall]

    def status(self, car: Car, status: PatrolStatus) -> None:
        """Tell the desk what the crew reports (the API's status change)."""
        self.desk.set_status(car.id, status, actor=SIMULATOR)

    def report(self, car: Car, xy: NDArray[np.float64], at: list[float]) -> None:
        """The car's AVL fixes at ``xy`` at the given simulation seconds."""
        point = Point(float(xy[0]), float(xy[1]))
        result = self.desk.record_fixes([PositionFix(car.id, self.moment(t), point) for t in at])
        for proposal in result.proposals:  # a moving or busy car is never idle; be sure
            if proposal.kept:
                self.desk.reject(proposal.id, "the car is busy", actor=SIMULATOR)

    def _report_arrival(self, car: Car) -> None:
        """After a hotspot, the first fix elsewhere ends the stay at the desk."""
        if car.in_stay:
            self.report(car, car.pos, [self.env.now])
            car.in_stay = False

    @abstractmethod
    def _take_queued(self, car: Car) -> bool:
        """Send ``car`` to the oldest queued call it can reach; True when it took one."""

    def _decide(self, car: Car, proposal: Proposal, *, idle: bool = False) -> bool:
        """The operator's answer to a proposal with stops; True when the car takes it."""
        if not proposal.kept:
            return False
        if self.rng.random() < self.acceptance_rate:
            self.desk.accept(proposal.id, [], actor=SIMULATOR)
            self._start_plan(car, proposal, idle=idle)
            return True
        self.desk.reject(proposal.id, "the operator keeps the car free", actor=SIMULATOR)
        self.plan_records.append(
            PlanRecord(
                car=car.id,
                proposed_s=self.env.now,
                stops=len(proposal.kept),
                planned_value=proposal.value,
                accepted=False,
                ended_s=self.env.now,
                visits_done=0,
                interrupted=False,
                extra_km=0.0,
                idle=idle,
            )
        )
        return False

    def _start_plan(self, car: Car, proposal: Proposal, *, idle: bool = False) -> None:
        home_m = self.route_metres(car, car.home)
        car.plan = PlanState(proposal, list(proposal.kept), self.env.now, home_m, idle=idle)
        self._next_stop(car)

    def _next_stop(self, car: Car) -> None:
        plan = car.plan
        assert plan is not None
        if not plan.remaining:
            self.status(car, PatrolStatus.RETURNING)  # the task is done
            self.go_home(car)
            return
        stop = plan.remaining.pop(0)
        plan.current = stop
        target = self.followups.place(stop.hotspot, self.district.hotspot_xy, self.index)
        seconds = self.times_to([car], target, 0.0)[0]
        self.end_leg(car)
        if math.isnan(seconds):  # cannot happen for a stop the engine planned; skip it
            plan.current = None
            self._next_stop(car)
            return
        self.drive(car, target, float(seconds), TO_HOTSPOT, lambda: self._at_hotspot(car))

    def _at_hotspot(self, car: Car) -> None:
        self.arrive_leg(car)
        plan = car.plan
        assert plan is not None and plan.current is not None
        self._report_arrival(car)
        car.state = AT_HOTSPOT
        wait = max(0.0, self.seconds_of(plan.current.start) - self.env.now)  # early: wait
        plan.arrived_s = self.env.now + wait
        plan.reached_s = self.env.now
        stay = wait + plan.current.minutes_on_site * 60
        car.handle = self.env.schedule(
            lambda: self._leave_hotspot(car), delay=stay, priority=PRIORITY_CAR
        )

    def _record_visit(self, car: Car, *, aborted: bool) -> None:
        plan = car.plan
        assert plan is not None and plan.current is not None
        if self.followups.is_followup(plan.current.hotspot):
            return self.followups.leave_door(car, self.report, aborted=aborted)
        index = self.index[plan.current.hotspot]
        arrived = min(plan.arrived_s, self.env.now)
        hotspot = self.district.hotspots[index]
        # the car's fixes while it stood there (the desk detects the visit from them)
        times = [*np.arange(plan.reached_s, self.env.now, REPORT_S).tolist(), self.env.now]
        self.report(car, car.pos, times)
        car.in_stay = True
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
        plan.visits_done += 1
        plan.current = None

    def _leave_hotspot(self, car: Car) -> None:
        car.handle = None
        self._record_visit(car, aborted=False)
        if self.urgent_queue or self.other_queue:
            self._end_plan(car, interrupted=True)
            self.status(car, PatrolStatus.RETURNING)
            if not self._take_queued(car):
                self.go_home(car)
            return
        self._next_stop(car)

    def _end_plan(self, car: Car, *, interrupted: bool) -> None:
        plan = car.plan
        assert plan is not None
        if car.state == AT_HOTSPOT and plan.current is not None and self.env.now >= plan.arrived_s:
            self._record_visit(car, aborted=True)
        left_m = self.route_metres(car, car.home)
        self.end_leg(car)
        progress = (plan.start_home_m - left_m) / 1000.0
        self.plan_records.append(
            PlanRecord(
                car=car.id,
                proposed_s=plan.start_s,
                stops=len(plan.proposal.kept),
                planned_value=plan.proposal.value,
                accepted=True,
                ended_s=self.env.now,
                visits_done=plan.visits_done,
                interrupted=interrupted,
                extra_km=plan.km - progress,
                idle=plan.idle,
            )
        )
        car.plan = None
