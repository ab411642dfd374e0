"""Visits: reported by a crew, or detected from AVL positions (a stay of at least the policy's
minutes inside a polygon hotspot or near a point one), and the dosage (minutes on site). A stay
at a follow-up's door is an attempt there (:func:`detect`).

Stays in progress live in the store (``store.stays``) and are read and written inside the
position batch's transaction, so a restart in the middle of a stay, or a second process taking
the next batch, detects exactly the same visit.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from smartspot.domain import Hotspot, HotspotStatus, Visit, VisitOutcome
from smartspot.followup_service import FollowUpService
from smartspot.followups import FollowUp, FollowUpStatus, Queue
from smartspot.live import doors
from smartspot.live.context import LiveContext
from smartspot.live.policy import Detection
from smartspot.live.views import visit_view
from smartspot.store.port import MAX_PAGE, FollowUpQuery, HotspotQuery, every
from smartspot.store.records import PositionFix, Stay, StoredVisit

DETECTOR = "avl"  # the actor of detected visits in the audit log


class OpenHotspots:
    """The open hotspots and a spatial index of their detection shapes, with the doors of the
    open follow-ups in the visit queue, cached per hotspot and follow-up revision of the store
    (any process's write changes them, so the cache is never stale). All of them, read in
    pages of ``page`` (a national service may hold more than one page)."""

    def __init__(self, ctx: LiveContext, *, page: int = MAX_PAGE) -> None:
        self.ctx = ctx
        self.page = page
        self._lock = threading.Lock()
        self._revision: tuple[int, int] = (-1, -1)
        self._spots: list[Hotspot] = []
        self._doors: list[FollowUp] = []
        self._by_district: dict[str, list[Hotspot]] = {}
        self._trees: dict[float, shapely.STRtree] = {}
        self._ids: list[str] = []

    def _refresh(self) -> None:
        revision = (self.ctx.store.hotspots.revision(), self.ctx.store.followups.revision())
        if revision == self._revision:
            return
        store = self.ctx.store
        spots = every(store.hotspots.list, HotspotQuery(status=HotspotStatus.OPEN, limit=self.page))
        self._spots = spots
        self._doors = every(
            store.followups.list,
            FollowUpQuery(status=FollowUpStatus.OPEN, queue=Queue.VISIT, limit=self.page),
        )
        self._by_district = {}
        for spot in spots:
            self._by_district.setdefault(spot.location.politikreds, []).append(spot)
        self._trees = {}
        self._ids = [h.id for h in spots] + [f.id for f in self._doors]
        self._revision = revision

    def of(self, politikreds: str) -> list[Hotspot]:
        with self._lock:
            self._refresh()
            return list(self._by_district.get(politikreds, ()))

    def round_of(self, politikreds: str) -> tuple[list[Hotspot], list[FollowUp]]:
        """A planning round's tasks, read at one revision: the open hotspots of
        ``politikreds`` and its open follow-ups in the visit queue (the doors this cache
        holds for detection; a clear read them from the store again)."""
        with self._lock:
            self._refresh()
            doors = [f for f in self._doors if f.location.politikreds == politikreds]
            return list(self._by_district.get(politikreds, ())), doors

    def by_id(self) -> dict[str, Hotspot]:
        with self._lock:
            self._refresh()
            return {h.id: h for h in self._spots}

    def index(self, radius_m: float) -> tuple[shapely.STRtree | None, list[str]]:
        """A tree of the detection shapes of hotspots and follow-up doors, and their ids."""
        with self._lock:
            self._refresh()
            return self._index(radius_m)

    def snapshot(self, radii: Iterable[float]) -> Shapes:
        """The detection shapes at these radii as the store has them now, read once: an AVL
        batch takes them before its transaction, so the database's write lock is not held
        for the revision check (a hotspot closed meanwhile is seen from the next batch on)."""
        with self._lock:
            self._refresh()
            return Shapes({r: self._index(r) for r in radii}, self)

    def _index(self, radius_m: float) -> tuple[shapely.STRtree | None, list[str]]:
        if radius_m not in self._trees:
            shapes = [
                h.geometry.buffer(radius_m) if isinstance(h.geometry, Point) else h.geometry
                for h in self._spots
            ] + [f.position.buffer(radius_m) for f in self._doors]
            self._trees[radius_m] = shapely.STRtree(np.array(shapes, dtype=object))
        ids = self._ids  # built once per revision (10,000 ids were 1 ms a batch)
        return (self._trees[radius_m] if ids else None), ids


@dataclass(frozen=True, slots=True)
class Shapes:
    """Detection shapes read at one moment (:meth:`OpenHotspots.snapshot`); a radius not read
    then is asked of the live cache."""

    known: Mapping[float, tuple[shapely.STRtree | None, list[str]]]
    live: OpenHotspots

    def index(self, radius_m: float) -> tuple[shapely.STRtree | None, list[str]]:
        found = self.known.get(radius_m)
        return found if found is not None else self.live.index(radius_m)


@dataclass(frozen=True, slots=True)
class Detected:
    """What a batch of positions showed: visits stored, and the cars whose stay at a
    follow-up's door was recorded as an attempt (its outcome comes from the crew)."""

    visits: list[StoredVisit]
    at_doors: list[str]


def detect(
    ctx: LiveContext,
    hotspots: OpenHotspots | Shapes,
    fixes: Sequence[PositionFix],
    detection_of: Mapping[str, Detection],
    off_duty: Collection[str] = (),
    *,
    stays: Mapping[str, Stay] | None = None,
) -> Detected:
    """Advance the stays of the batch's cars and store the visits that ended (call inside the
    batch's transaction). ``detection_of`` gives each car's district rules. A car ``off_duty``
    is not patrolling: parked at its station inside a hotspot's radius it neither visits nor
    holds the hotspot, so its fixes count as outside every hotspot (ending any stay). A stay at
    an open follow-up's door counts only for a car whose accepted proposal has that stop to do;
    for that car the door wins over a hotspot around it, which gets a visit only for the time
    beyond the follow-up's minutes on site (:mod:`smartspot.live.doors`). ``stays``: the
    stays in progress the caller read in this transaction (at least the fixes' cars'), else
    they are read here."""
    default = Detection()
    radii = sorted({d.radius_m for d in detection_of.values()} | {default.radius_m})
    inside: dict[tuple[int, float], list[tuple[int, str]]] = {}
    points = np.array([f.position for f in fixes], dtype=object)
    for radius in radii:
        tree, ids = hotspots.index(radius)
        if tree is None:
            continue
        inputs, hits = tree.query(points, predicate="within")
        for i, h in zip(inputs.tolist(), hits.tolist(), strict=True):
            inside.setdefault((i, radius), []).append((h, ids[h]))
    held: dict[str, frozenset[str]] = {}

    def here_of(i: int, call_sign: str, radius: float) -> str | None:
        """The hotspot or door a fix is a stay at (:func:`smartspot.live.doors.choose`)."""
        targets = [target for _, target in sorted(inside.get((i, radius), ()))]
        if any(doors.is_door(t) for t in targets) and call_sign not in held:
            held[call_sign] = doors.held_doors(ctx, call_sign)
        return doors.choose(targets, held.get(call_sign, frozenset()))

    cars = {f.call_sign for f in fixes}
    if stays is None:
        stays = ctx.store.stays.of(cars)
    stays = {car: stay for car, stay in stays.items() if car in cars}
    before = dict(stays)
    ended_cars: set[str] = set()
    finished: list[Stay] = []
    for i, fix in sorted(enumerate(fixes), key=lambda item: item[1].at):
        rules = detection_of.get(fix.call_sign, default)
        here = None if fix.call_sign in off_duty else here_of(i, fix.call_sign, rules.radius_m)
        stay = stays.get(fix.call_sign)
        if stay is not None and fix.at < stay.last:
            continue  # an old fix arriving late: the stay has moved on
        if stay is not None and (fix.at - stay.last).total_seconds() > rules.gap_s:
            finished.append(stay)
            stay = None
        if stay is not None and stay.hotspot == here:
            stays[fix.call_sign] = dataclasses.replace(stay, last=fix.at)
            continue
        if stay is not None:
            finished.append(stay)  # it lasted until the last fix inside, by the evidence
        if here is not None:
            stays[fix.call_sign] = Stay(fix.call_sign, here, fix.at, fix.at)
        else:
            stays.pop(fix.call_sign, None)
            ended_cars.add(fix.call_sign)
    # only what changed: a batch of 100 cars outside every hotspot deleted 100 absent rows
    changed = [stay for car, stay in stays.items() if before.get(car) is not stay]
    ctx.store.stays.save(changed, (ended_cars - set(stays)) & set(before))
    stored, at_doors = [], []
    for stay in finished:
        rules = detection_of.get(stay.call_sign, default)
        if stay.seconds < rules.min_stay_s:
            continue
        if doors.is_door(stay.hotspot):
            followup = _at_door(ctx, stay)
            if followup is not None:
                at_doors.append(stay.call_sign)
                also = doors.split(
                    stay,
                    followup.minutes_on_site,
                    hotspots.index(rules.radius_m),
                    followup.position,
                    min_stay_s=rules.min_stay_s,
                )
                if also is not None:
                    stored.append(record(ctx, also, actor=DETECTOR))
            continue
        visit = Visit(
            hotspot=stay.hotspot,
            patrol=stay.call_sign,
            arrived_at=stay.first,
            left_at=stay.last,
            detected=True,
        )
        stored.append(record(ctx, visit, actor=DETECTOR))
    return Detected(stored, at_doors)


def _at_door(ctx: LiveContext, stay: Stay) -> FollowUp | None:
    """Record a car's stay at a follow-up's door as an attempt whose outcome the crew reports,
    and mark its stop done, when its accepted proposal has that stop still to do; the
    follow-up then, else None."""
    if stay.hotspot not in doors.held_doors(ctx, stay.call_sign):
        return None
    followup = ctx.store.followups.get(stay.hotspot)
    if not followup.is_open:
        return None
    service = FollowUpService(ctx.store, ctx.regions, ctx.clock)
    service.record_stay(stay.hotspot, patrol=stay.call_sign, at=stay.first, user=DETECTOR)
    ctx.store.proposals.mark_done(stay.call_sign, stay.hotspot)
    return followup


def record(ctx: LiveContext, visit: Visit, *, actor: str) -> StoredVisit:
    """Store a visit (inside the caller's transaction), mark the car's planned stop there as
    done, and tell the map."""
    now = ctx.clock.now()
    stored = ctx.store.visits.add(visit, actor=actor, at=now)
    ctx.store.proposals.mark_done(visit.patrol, visit.hotspot)
    ctx.events.emit("visit", visit_view(stored), at=now)
    return stored


def report(ctx: LiveContext, visit: Visit, *, actor: str) -> StoredVisit:
    """A crew reports a visit. Raises NotFoundError for an unknown hotspot or car."""
    ctx.store.hotspots.get(visit.hotspot)
    ctx.store.patrols.get(visit.patrol)
    with ctx.store.transaction():
        return record(ctx, visit, actor=actor)


def amend(
    ctx: LiveContext, visit_id: str, changes: Mapping[str, Any], *, actor: str
) -> StoredVisit:
    """Leaving time and outcome: observed or not, persons, action taken, free text."""
    with ctx.store.transaction():
        current = ctx.store.visits.get(visit_id).visit
        values = dict(changes)
        if values.get("outcome") is not None:
            values["outcome"] = VisitOutcome(values["outcome"])
        updated = dataclasses.replace(current, **values)
        now = ctx.clock.now()
        stored = ctx.store.visits.update(visit_id, updated, actor=actor, at=now)
        ctx.events.emit("visit", visit_view(stored), at=now)
    return stored


def dosage_minutes(visits: Sequence[Visit]) -> float:
    """Minutes on site over visits that have a leaving time (the dosage)."""
    return sum(v.minutes_on_site or 0.0 for v in visits)
