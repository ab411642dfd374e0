"""The vagtcentral's live workflow as one engine: patrols and their positions, callouts,
proposals and visits. The API, the CLI and the simulation all drive this class, so a planner's
what-if run exercises exactly the rules an operator meets at night.

Every method is synchronous and may block (the store, the solver): a web server calls it from
its thread pool, never from the event loop. All state lives in the store, so a restart or a
second process on the same database changes nothing anyone can observe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shapely.geometry import Point

from smartspot.domain import Callout, Patrol, PatrolStatus, Visit
from smartspot.errors import InvalidInputError
from smartspot.followup_drafts import FollowUpDraft
from smartspot.followup_service import FollowUpService
from smartspot.followups import AttemptOutcome, FollowUp, FollowUpRules, FollowUpStatus, LeftBehind
from smartspot.i18n import msg
from smartspot.live import callouts, clearing, idle, proposals, visits
from smartspot.live.clears_first import ClearsFirst
from smartspot.live.context import LiveContext
from smartspot.live.planning import (
    RoundTrips,
)
from smartspot.live.planning import politikreds_of_base as district_of
from smartspot.live.policy import Detection
from smartspot.live.positions import Fix, FixBounds, Refused, out_of_bounds, screen
from smartspot.live.views import patrol_view, positions_view
from smartspot.optimise.pace import collector_paused
from smartspot.optimise.solvers import preload
from smartspot.plans import Proposal
from smartspot.store.records import PositionFix, StoredVisit


@dataclass(frozen=True, slots=True)
class PositionsResult:
    stored: int
    refused: tuple[Refused, ...]
    visits: tuple[StoredVisit, ...]
    proposals: tuple[Proposal, ...] = ()  # for idle cars the batch found standing long enough


class Vagtcentral:
    """The live engine over one store (see the module docstring)."""

    def __init__(
        self,
        ctx: LiveContext,
        *,
        bounds: FixBounds | None = None,
        followup_rules: FollowUpRules | None = None,
    ) -> None:
        preload()  # the solvers' imports (0.5-2 s) must not eat a proposal's deadline
        self.ctx = ctx
        self.bounds = bounds or FixBounds()
        self.hotspots = visits.OpenHotspots(ctx)
        self.round_trips = RoundTrips()
        self.followups = FollowUpService(ctx.store, ctx.regions, ctx.clock, followup_rules)
        self.clears_first = ClearsFirst(ctx.store.clear_gate)  # every worker's clears

    # -- patrols ---------------------------------------------------------------------------

    def add_patrol(self, call_sign: str, home_station: str, *, actor: str) -> Patrol:
        if home_station not in self.ctx.bases:
            raise InvalidInputError(
                msg(
                    "no station {home_station!r}; stations are ids like st01 (data/police_stations.csv)",
                    home_station=home_station,
                ),
                field="home_station",
            )
        self.ctx.district(district_of(self.ctx, Patrol(call_sign, home_station)))
        patrol = Patrol(call_sign=call_sign, home_station=home_station)
        now = self.ctx.clock.now()
        with self.ctx.store.transaction():
            self.ctx.store.patrols.add(patrol, actor=actor, at=now)
            self.ctx.events.emit("patrol", patrol_view(patrol), at=now)
        return patrol

    def set_status(self, call_sign: str, status: PatrolStatus, *, actor: str) -> Patrol:
        """The operator changes a car's status. Sending it elsewhere or off duty voids its
        proposal; freeing it from a task completes the task."""
        now = self.ctx.clock.now()
        with self.ctx.store.transaction():
            before = self.ctx.store.patrols.get(call_sign)
            if status in (PatrolStatus.DISPATCHED, PatrolStatus.OFF_DUTY):
                proposals.release_car(
                    self.ctx, call_sign, actor=actor, why=f"car set to {status.value}", at=now
                )
            elif before.status is PatrolStatus.ON_TASK and status is not PatrolStatus.ON_TASK:
                proposals.complete(self.ctx, call_sign, actor=actor, at=now)
            patrol = self.ctx.store.patrols.set_status(call_sign, status, actor=actor, at=now)
            self.ctx.events.emit("patrol", patrol_view(patrol), at=now)
        return patrol

    def record_positions(self, fixes: Sequence[Fix]) -> PositionsResult:
        """An AVL batch: believable fixes of known cars are stored, visits detected, the map
        told; each refused fix is named with why."""
        self.clears_first.wait()  # a clear of this process planning goes first
        now = self.ctx.clock.now()
        accepted, refused = screen(fixes, now, self.bounds)
        return self._after_fixes(self._record(accepted, refused, now), accepted)

    def record_fixes(self, fixes: Sequence[PositionFix]) -> PositionsResult:
        """The same for fixes already in EPSG:25832 (the simulation's exact places)."""
        now = self.ctx.clock.now()
        accepted, refused = [], []
        for index, fix in enumerate(fixes):
            late = out_of_bounds(fix.at, now, self.bounds)
            if late:
                refused.append(Refused(index, fix.call_sign, late))
            else:
                accepted.append((index, fix))
        return self._after_fixes(self._record(accepted, refused, now), accepted)

    def _after_fixes(
        self, result: PositionsResult, accepted: list[tuple[int, PositionFix]]
    ) -> PositionsResult:
        """AVL fixes are what tells the engine time passes for a parked car: the cars of the
        batch are checked for idle proposals (in districts that switched them on)."""
        if not result.stored or not any(
            d.policy.idle_after_min is not None for d in self.ctx.districts.values()
        ):
            return result
        made = self.propose_idle([fix.call_sign for _, fix in accepted], actor=idle.ENGINE)
        return replace(result, proposals=tuple(made))

    def _record(
        self, accepted: list[tuple[int, PositionFix]], refused: list[Refused], now: datetime
    ) -> PositionsResult:
        if not accepted:
            return PositionsResult(0, tuple(refused), ())
        shapes = self.hotspots.snapshot(self._radii())  # before the write lock is taken
        with self.ctx.store.transaction():
            batch = {fix.call_sign for _, fix in accepted}
            # the batch's cars and their stays in one round trip (the write lock is held)
            known, stays = self.ctx.store.patrols.with_stays(batch)
            cars = {p.call_sign: p for p in known}
            records = []
            for index, fix in accepted:
                if fix.call_sign in cars:
                    records.append(fix)
                else:
                    why = msg("unknown patrol {call_sign!r}", call_sign=fix.call_sign)
                    refused.append(Refused(index, fix.call_sign, why, unknown=True))
            refused.sort(key=lambda r: r.index)
            if not records:
                return PositionsResult(0, tuple(refused), ())
            self.ctx.store.patrols.record_positions(records, known=cars.keys())
            rules = {
                cs: self._district_of(cars[cs]).policy.detection
                for cs in {f.call_sign for f in records}
            }
            off_duty = {cs for cs, car in cars.items() if car.status is PatrolStatus.OFF_DUTY}
            detected = visits.detect(self.ctx, shapes, records, rules, off_duty, stays=stays)
            found = detected.visits
            for visit in found:
                self._after_visit(visit, now)
            for call_sign in detected.at_doors:
                self._after_stop(call_sign, now)
            if self.ctx.events.enabled:
                latest: dict[str, PositionFix] = {}
                for fix in records:
                    if fix.call_sign not in latest or latest[fix.call_sign].at <= fix.at:
                        latest[fix.call_sign] = fix
                self.ctx.events.emit("positions", positions_view(latest.values()), at=now)
        return PositionsResult(len(records), tuple(refused), tuple(found))

    # -- callouts --------------------------------------------------------------------------

    def receive(self, *, urgent: bool, position: Point, actor: str) -> Callout:
        return callouts.receive(self.ctx, urgent=urgent, position=position, actor=actor)

    def dispatch(self, callout_id: str, call_sign: str, *, actor: str) -> Callout:
        """Send a car; whatever Smart Spot task it had is voided at once."""
        return callouts.advance(self.ctx, callout_id, "dispatch", actor=actor, patrol=call_sign)

    def arrive(self, callout_id: str, *, actor: str) -> Callout:
        return callouts.advance(self.ctx, callout_id, "arrive", actor=actor)

    def clear(self, callout_id: str, *, actor: str) -> tuple[Callout, list[Proposal]]:
        """The car is free again and heads home: it and the other cars of its politikreds on
        their way home get a joint plan, a proposal per car (maybe without stops, with the
        reasons; planning never fails loudly). The plan is made first, outside the store's
        write lock; then the clear and the proposals are stored in one transaction, at the
        same instant (a callout that is not on scene, or no longer, is refused as before; a
        clear of a callout that changed meanwhile is refused and its plan dropped). One
        write-lock wait per clear instead of two: on PostgreSQL every worker's AVL batches
        queue on the same lock.

        The cyclic collector waits until the clear is done (as in the solver's search): the
        young collections inside it traversed the planning's live objects, 14-18 ms in a slow
        national clear (issue 10 §7, session 8); after it, only the survivors are left."""
        with self.clears_first.clearing(), collector_paused():
            return clearing.clear(
                self.ctx, self.hotspots, self.round_trips, callout_id, actor=actor
            )

    # -- proposals -------------------------------------------------------------------------

    def propose(self, call_signs: Sequence[str], *, actor: str) -> list[Proposal]:
        """Plan now for these cars (available or on their way home, with a known position),
        one joint plan per politikreds."""
        made = clearing.propose(
            self.ctx, self.hotspots, self.round_trips, call_signs, self.ctx.clock.now()
        )
        return proposals.store_all(self.ctx, made, actor=actor)

    def propose_idle(
        self, call_signs: Sequence[str] | None = None, *, actor: str
    ) -> list[Proposal]:
        """Plan for the cars (every car when ``None``) that have stood available at a post
        or station for their district's ``idle_after_min`` (see :mod:`smartspot.live.idle`),
        jointly per politikreds; stored like every proposal, maybe empty with the reason."""
        now = self.ctx.clock.now()
        groups = idle.candidates(self.ctx, idle.idle_cars(self.ctx, call_signs, now), now)
        made: list[Proposal] = []
        for politikreds, cars in sorted(groups.items()):
            made += idle.plan_round(
                self.ctx, self.hotspots, self.round_trips, politikreds, cars, now
            )
        return proposals.store_all(self.ctx, made, actor=actor) if made else []

    def accept(self, proposal_id: str, remove: Sequence[str], *, actor: str) -> Proposal:
        return proposals.accept(self.ctx, proposal_id, remove, actor=actor)

    def reject(self, proposal_id: str, reason: str, *, actor: str) -> Proposal:
        return proposals.reject(self.ctx, proposal_id, reason, actor=actor)

    def replay(self, proposal_id: str) -> dict[str, Any]:
        return proposals.replay(self.ctx, proposal_id)

    # -- visits ----------------------------------------------------------------------------

    def report_visit(self, visit: Visit, *, actor: str) -> StoredVisit:
        stored = visits.report(self.ctx, visit, actor=actor)
        with self.ctx.store.transaction():
            self._after_visit(stored, self.ctx.clock.now())
        return stored

    def amend_visit(self, visit_id: str, changes: dict[str, Any], *, actor: str) -> StoredVisit:
        return visits.amend(self.ctx, visit_id, changes, actor=actor)

    # -- follow-ups (tryghedsopfølgninger) ----------------------------------------------------

    def register_followup(
        self, draft: FollowUpDraft, geometry: Mapping[str, Any], *, actor: str
    ) -> FollowUp:
        """An analyst registers a follow-up at a WGS84 address point; from then on planning
        proposes it to passing cars (:mod:`smartspot.optimise.followup_tasks`)."""
        return self.followups.register(draft, geometry, user=actor)

    def record_attempt(
        self,
        followup_id: str,
        *,
        patrol: str,
        outcome: AttemptOutcome,
        left: LeftBehind | None = None,
        note: str = "",
        at: datetime | None = None,
        actor: str,
    ) -> FollowUp:
        """A crew reports an attempt at a follow-up's door. The task's rules decide what it
        becomes (:mod:`smartspot.followups`); the car's planned stop there is done, and when
        its accepted proposal has no stop left, the task is complete and the car heads home.

        Raises
        ------
        NotFoundError
            For an unknown follow-up.
        ConflictError
            When the follow-up is closed.
        """
        now = self.ctx.clock.now()
        with self.ctx.store.transaction():
            after = self.followups.record_attempt(
                followup_id, patrol=patrol, outcome=outcome, left=left, note=note, at=at, user=actor
            )
            self.ctx.store.proposals.mark_done(patrol, followup_id)
            self._after_stop(patrol, now)
        return after

    def close_followup(
        self, followup_id: str, status: FollowUpStatus, *, reason: str = "", actor: str
    ) -> FollowUp:
        """Close a follow-up by hand (done by phone, not reached, done in person, cancelled)."""
        return self.followups.close(followup_id, status, reason=reason, user=actor)

    def announce(self, kind: str, data: dict[str, Any]) -> int:
        """Put a change made outside the engine (a hotspot registered, edited or closed) on
        the live stream; planning reads hotspots from the store, so nothing else is needed."""
        with self.ctx.store.transaction():
            return self.ctx.events.emit_numbered(kind, data, at=self.ctx.clock.now())

    def warm(self, politikredse: Sequence[str]) -> None:
        """Do now what the first batch and the first clear of each district would otherwise
        pay for: read (or build) the districts' travel models and their straight-line bound,
        pin the trees to and from the district's stations where the model keeps trees (every
        car's way home ends at one: a proposal's legs home and the round trips read them),
        the detection shapes of the open hotspots, each hotspot's station round trip, and
        the trees from the district's open hotspots where the model keeps them
        (``warm_among``, cut at the policy's detour budget + :data:`KEEP_BEYOND_BUDGET_S`): a
        clear's legs between its candidates are then reads (a hotspot opened later grows its
        tree on first use, as before), and what every new point's questions read
        (``warm_shared``: the ferry terminals' trees, the coast's segments: a car's place is
        new at each clear) and the trees to the coverage guard's kommune points. A server
        calls it at start-up, before it takes requests."""
        self.hotspots.snapshot(self._radii())
        clearing.warm(self.ctx, self.hotspots, self.round_trips, politikredse)

    # -- helpers ---------------------------------------------------------------------------

    def _radii(self) -> set[float]:
        """Every detection radius a car of any district may use."""
        found = {d.policy.detection.radius_m for d in self.ctx.districts.values()}
        return found | {Detection().radius_m}

    def _district_of(self, patrol: Patrol) -> Any:
        return clearing.district_of_patrol(self.ctx, patrol)

    def _after_visit(self, visit: StoredVisit, now: Any) -> None:
        self._after_stop(visit.visit.patrol, now)

    def _after_stop(self, call_sign: str, now: Any) -> None:
        """When the car's accepted proposal has no stop left to visit, the task is done and
        the car heads home."""
        active = self.ctx.store.proposals.active(call_sign)
        if active is None or any(not s.done for s in active.kept):
            return
        if proposals.complete(self.ctx, call_sign, actor=visits.DETECTOR, at=now):
            car = self.ctx.store.patrols.get(call_sign)
            if car.status is PatrolStatus.ON_TASK:
                car = self.ctx.store.patrols.set_status(
                    car.call_sign, PatrolStatus.RETURNING, actor=visits.DETECTOR, at=now
                )
                self.ctx.events.emit("patrol", patrol_view(car), at=now)
