"""The callout state machine: received → dispatched → on scene → cleared.

Each step is allowed only from the one before it (:data:`STEPS`), moves the car to its status,
and is stored with its audit entry and its event in one transaction. Dispatching a car takes it
off whatever Smart Spot task it had (:func:`smartspot.live.proposals.release_car`); clearing
frees it, and the engine plans its way home (stored with the clear in one transaction:
:meth:`smartspot.live.engine.Vagtcentral.clear`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shapely.geometry import Point

from smartspot.domain import Callout, Location, PatrolStatus
from smartspot.errors import ConflictError
from smartspot.i18n import msg
from smartspot.live.context import LiveContext
from smartspot.live.proposals import release_car
from smartspot.live.views import callout_view, patrol_view


class Stage(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"


@dataclass(frozen=True, slots=True)
class Step:
    """One transition: from which stage, to which, the time field it sets and the car's
    status after it."""

    source: Stage
    target: Stage
    stamp: str
    car_status: PatrolStatus


#: The allowed transitions, by action name (the audit log's action).
STEPS: dict[str, Step] = {
    "dispatch": Step(Stage.RECEIVED, Stage.DISPATCHED, "dispatched_at", PatrolStatus.DISPATCHED),
    "arrive": Step(Stage.DISPATCHED, Stage.ON_SCENE, "arrived_at", PatrolStatus.ON_SCENE),
    "clear": Step(Stage.ON_SCENE, Stage.CLEARED, "cleared_at", PatrolStatus.RETURNING),
}


def stage(callout: Callout) -> Stage:
    if callout.cleared_at is not None:
        return Stage.CLEARED
    if callout.arrived_at is not None:
        return Stage.ON_SCENE
    if callout.dispatched_at is not None:
        return Stage.DISPATCHED
    return Stage.RECEIVED


def receive(ctx: LiveContext, *, urgent: bool, position: Point, actor: str) -> Callout:
    """A call comes in at ``position`` (EPSG:25832; the geo core places it in its kommune)."""
    location = Location(**ctx.regions.locate(position).as_dict())
    now = ctx.clock.now()
    with ctx.store.transaction():
        callout = Callout(
            id=ctx.store.callouts.next_id(), urgent=urgent, position=position, received_at=now
        )
        ctx.store.callouts.add(callout, location=location, actor=actor, at=now)
        ctx.events.emit("callout", callout_view(callout), at=now)
    return callout


def check_step(callout: Callout, action: str) -> None:
    """Refuse ``action`` unless ``callout`` is at the stage the step starts from.

    Raises
    ------
    ConflictError
        When the step is not allowed from the callout's stage.
    """
    step = STEPS[action]
    current = stage(callout)
    if current is not step.source:
        raise ConflictError(
            msg(
                "callout {callout_id} is {stage}; {action} needs it {needed}",
                callout_id=callout.id,
                stage=current.value,
                action=action,
                needed=step.source.value,
            )
        )


def advance(
    ctx: LiveContext,
    callout_id: str,
    action: str,
    *,
    actor: str,
    patrol: str | None = None,
    at: datetime | None = None,
) -> Callout:
    """Take ``callout_id`` one step (``dispatch`` needs the car), at ``at`` (default: now).

    Raises
    ------
    ConflictError
        When the step is not allowed from the callout's stage, or the car is off duty.
    NotFoundError
        For an unknown callout or car.
    """
    step = STEPS[action]
    now = ctx.clock.now() if at is None else at
    with ctx.store.transaction():
        callout = ctx.store.callouts.get(callout_id)
        check_step(callout, action)
        changes: dict[str, object] = {step.stamp: now}
        if action == "dispatch":
            assert patrol is not None
            car = ctx.store.patrols.get(patrol)
            if car.status is PatrolStatus.OFF_DUTY:
                raise ConflictError(msg("{call_sign} is off duty", call_sign=patrol))
            changes["patrol"] = patrol
            release_car(ctx, patrol, actor=actor, why=f"dispatched to {callout_id}", at=now)
        updated = dataclasses.replace(callout, **changes)  # type: ignore[arg-type]
        ctx.store.callouts.update(updated, actor=actor, at=now, action=action, before=callout)
        assert updated.patrol is not None
        car = ctx.store.patrols.set_status(updated.patrol, step.car_status, actor=actor, at=now)
        ctx.events.emit("callout", callout_view(updated), at=now)
        ctx.events.emit("patrol", patrol_view(car), at=now)
    return updated


def urgent_waiting(ctx: LiveContext, politikreds: str) -> list[str]:
    """Urgent calls in ``politikreds`` that wait without a car."""
    return [
        c.id
        for c, _ in ctx.store.callouts.list(urgent=True, open_only=True, politikreds=politikreds)
        if c.dispatched_at is None
    ]
