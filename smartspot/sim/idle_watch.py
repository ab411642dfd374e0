"""Idle cars in the simulated world: a car parked at its post sends an AVL fix from there every
``idle_after_min`` (a parked car's AVL unit keeps reporting; the world sends the fixes that
matter), and the live engine decides from its store whether the car is due an idle proposal
(:mod:`smartspot.live.idle`); the operator answers it like any other."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import numpy as np
from shapely.geometry import Point

from smartspot.plans import Proposal
from smartspot.sim.cars import IDLE, Car
from smartspot.sim.desk import SIMULATOR, Desk
from smartspot.sim.engine import PRIORITY_CAR, Environment
from smartspot.store.records import PositionFix


class IdleWorld(Protocol):
    """What the watch needs of the world (:class:`~smartspot.sim.world.World`)."""

    env: Environment
    desk: Desk
    by_id: dict[str, Car]
    idle_after_s: float | None

    def moment(self, seconds: float | None = None) -> datetime: ...
    def _decide(self, car: Car, proposal: Proposal, *, idle: bool = False) -> bool: ...


def parked(car: Car) -> bool:
    """The car stands at its post with nothing to do."""
    return (
        car.state == IDLE
        and not car.leaving
        and car.plan is None
        and np.array_equal(car.pos, car.home)
    )


def watch(world: IdleWorld, car: Car) -> None:
    """Report the parked car's position after ``idle_after_min`` (any older watch lapses)."""
    after = world.idle_after_s
    if after is None or not parked(car):
        return
    car.idle_watch += 1
    number = car.idle_watch
    world.env.schedule(lambda: still_parked(world, car, number), delay=after, priority=PRIORITY_CAR)


def still_parked(world: IdleWorld, car: Car, number: int) -> None:
    """The watch's fix; the operator answers an idle proposal, else the watch goes on."""
    if number != car.idle_watch or not parked(car):
        return
    point = Point(float(car.home[0]), float(car.home[1]))
    result = world.desk.record_fixes([PositionFix(car.id, world.moment(), point)])
    taken = False
    for proposal in result.proposals:
        if world.by_id[proposal.patrol] is car and parked(car):
            taken = world._decide(car, proposal, idle=True)
        elif proposal.kept:  # cannot happen for a one-car batch; never leave one pending
            world.desk.reject(proposal.id, "the car is busy", actor=SIMULATOR)
    if not taken:
        watch(world, car)
