"""Follow-ups in the simulated world: registered at the desk as an analyst would, knocked on by
the cars the desk sends, phoned when they fall back to the phone.

- Under a Smart Spot policy each follow-up is registered at the desk when it is reported (the
  backlog at the start); the desk proposes it to passing cars like a hotspot. A car that gets
  there knocks: the spec's draw for that attempt says whether the citizen is home, and the crew
  reports the attempt to the desk, which applies the task's rules (reached closes it in person;
  after the failed attempts the task goes to the phone queue).
- Under ``none`` (today's practice without Smart Spot) no patrol is asked to call by: every
  follow-up is phoned at its due date.
- A task in the phone queue is phoned a day later (at the latest at its due date), and any task
  still open at its due date is phoned then: reached by phone, or not reached.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from smartspot.followup_drafts import FollowUpDraft
from smartspot.followups import (
    AttemptOutcome,
    Citizen,
    FollowUpCategory,
    FollowUpStatus,
    LeftBehind,
    Queue,
)
from smartspot.geo.crs import metric_to_lonlat
from smartspot.sim.cars import REPORT_S, Car
from smartspot.sim.engine import PRIORITY_CALL, Environment
from smartspot.sim.followup_settings import FollowUpSettings
from smartspot.sim.followups import FollowUpSpec, door_outcome, phone_reached
from smartspot.sim.records import FollowUpRecord

#: How the world sends a car's fixes at a place and times to the desk.
Reporter = Callable[[Car, NDArray[np.float64], list[float]], None]
ACTOR = "simulation"
KREDS_CODE = "0000"  # the made-up journal numbers' district part
PHONE_AFTER_S = 86400.0  # the phone queue is worked the next day


class FollowUpState(Protocol):
    """What the desk answers about a follow-up after a change."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> FollowUpStatus: ...
    @property
    def queue(self) -> Queue: ...


class FollowUpDesk(Protocol):
    """The desk's follow-up calls (the API's: register, record an attempt, close)."""

    def register_followup(
        self, draft: FollowUpDraft, geometry: Mapping[str, Any], *, actor: str
    ) -> FollowUpState: ...
    def record_attempt(
        self,
        followup_id: str,
        *,
        patrol: str,
        outcome: AttemptOutcome,
        left: LeftBehind | None = None,
        actor: str,
    ) -> FollowUpState: ...
    def close_followup(
        self, followup_id: str, status: FollowUpStatus, *, reason: str, actor: str
    ) -> FollowUpState: ...


def draft_of(spec: FollowUpSpec, politikreds_code: str) -> tuple[FollowUpDraft, dict[str, Any]]:
    """The analyst's registration of ``spec``: a made-up citizen and journal number (the
    simulation holds no one's data), and its place as a WGS84 point."""
    lon, lat = metric_to_lonlat(np.array([spec.x]), np.array([spec.y]))[0]
    draft = FollowUpDraft(
        case_ref=f"{politikreds_code}-00000-{int(spec.id[1:]):05d}-26",
        category=FollowUpCategory.OTHER,
        task="Tryghedsopfølgning (simuleret)",
        citizen=Citizen(f"Borger {spec.id}"),
        due_by=spec.due_by,
        windows=spec.windows,
        minutes_on_site=spec.minutes_on_site,
        priority=spec.priority,
    )
    return draft, {"type": "Point", "coordinates": [float(lon), float(lat)]}


@dataclass(slots=True)
class _State:
    spec: FollowUpSpec
    engine_id: str = ""
    status: FollowUpStatus = FollowUpStatus.OPEN
    queue: Queue = Queue.VISIT
    closed_s: float = math.nan
    door: int = 0
    phoned: bool = False


class FollowUps:
    """The world's follow-ups (see the module docstring).

    Parameters
    ----------
    env
        The event engine.
    desk
        The vagtcentral; ``None`` under ``none``: nothing is registered, all is phoned.
    specs
        The run's follow-up stream.
    settings
        The scenario's follow-up settings (the chance of reaching the citizen).
    """

    def __init__(
        self,
        env: Environment,
        desk: FollowUpDesk | None,
        specs: list[FollowUpSpec],
        settings: FollowUpSettings,
    ) -> None:
        self.env = env
        self.desk = desk
        self.settings = settings
        self.states = [_State(spec) for spec in specs]
        self.by_engine_id: dict[str, _State] = {}

        self._start()

    def _start(self) -> None:
        """Schedule every registration and due date."""
        for state in self.states:
            if self.desk is not None:
                self.env.schedule_at(
                    state.spec.registered_s,
                    lambda s=state: self._register(s),  # type: ignore[misc]
                    priority=PRIORITY_CALL,
                )
            self.env.schedule_at(
                max(0.0, state.spec.due_s),
                lambda s=state: self._phone(s),  # type: ignore[misc]
                priority=PRIORITY_CALL,
            )

    def is_followup(self, task: str) -> bool:
        return task in self.by_engine_id

    def place(
        self, task: str, hotspot_xy: NDArray[np.float64], index: Mapping[str, int]
    ) -> NDArray[np.float64]:
        """Where a planned stop is: a follow-up's door, or the hotspot's point."""
        state = self.by_engine_id.get(task)
        if state is None:
            return np.asarray(hotspot_xy[index[task]])
        return np.array([state.spec.x, state.spec.y])

    def leave_door(self, car: Car, report: Reporter, *, aborted: bool) -> None:
        """The car leaves a follow-up's door: its fixes there go to the desk, and the crew
        reports the attempt (none when a call pulled it away first)."""
        plan = car.plan
        assert plan is not None and plan.current is not None
        times = [*np.arange(plan.reached_s, self.env.now, REPORT_S).tolist(), self.env.now]
        report(car, car.pos, times)
        car.in_stay = True
        if not aborted:
            self.knock(car.id, plan.current.hotspot)
            plan.visits_done += 1
        plan.current = None

    def knock(self, car: str, task: str) -> None:
        """The crew of ``car`` knocked at ``task`` and reports how it went."""
        state = self.by_engine_id[task]
        if state.status is not FollowUpStatus.OPEN or self.desk is None:
            return
        state.door += 1
        outcome, left = door_outcome(state.spec, state.door, self.settings)
        answer = self.desk.record_attempt(task, patrol=car, outcome=outcome, left=left, actor=ACTOR)
        self._update(state, answer)
        if state.status is FollowUpStatus.OPEN and state.queue is Queue.PHONE:
            at = min(self.env.now + PHONE_AFTER_S, max(self.env.now, state.spec.due_s))
            self.env.schedule_at(at, lambda: self._phone(state), priority=PRIORITY_CALL)

    def _register(self, state: _State) -> None:
        assert self.desk is not None
        answer = self.desk.register_followup(*draft_of(state.spec, KREDS_CODE), actor=ACTOR)
        state.engine_id = answer.id
        self.by_engine_id[answer.id] = state

    def _update(self, state: _State, answer: FollowUpState) -> None:
        state.status = FollowUpStatus(answer.status)
        state.queue = Queue(answer.queue)
        if state.status is not FollowUpStatus.OPEN and math.isnan(state.closed_s):
            state.closed_s = self.env.now

    def _phone(self, state: _State) -> None:
        """The phone fallback: the station calls the citizen."""
        if state.status is not FollowUpStatus.OPEN:
            return
        state.phoned = True
        reached = phone_reached(state.spec, self.settings)
        status = FollowUpStatus.DONE_BY_PHONE if reached else FollowUpStatus.NOT_REACHED
        if self.desk is not None and state.engine_id:
            answer = self.desk.close_followup(
                state.engine_id, status, reason="followed up by phone", actor=ACTOR
            )
            self._update(state, answer)
        else:
            state.status = status
            state.closed_s = self.env.now

    def records(self) -> list[FollowUpRecord]:
        """One record per follow-up of the stream."""
        return [
            FollowUpRecord(
                followup=s.spec.id,
                kommunekode=s.spec.kommunekode,
                rural=s.spec.rural,
                preferred_hours=s.spec.preferred,
                reported_s=s.spec.reported_s,
                due_s=s.spec.due_s,
                status=s.status.value,
                closed_s=s.closed_s,
                door_attempts=s.door,
                phoned=s.phoned,
            )
            for s in self.states
        ]
