"""The follow-up register: what analysts, operators and the nightly job do with follow-ups.

Every command is one transaction and one audit row per task written; audit rows never hold the
citizen's name or phone number (see :mod:`smartspot.store.sqlite_followups`). The place is a
WGS84 point, checked as hotspot points are (outside Denmark, swapped coordinates, in the sea)
and placed in its kommune and politikreds by the geo core. Who may see the personal fields is
the edge's decision (:func:`smartspot.followups.FollowUp.without_citizen`); the service answers
:meth:`FollowUpService.contact` only while a car's accepted proposal holds the task, and
audits each time it does.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from smartspot import followup_rules as rules_of
from smartspot.clock import Clock
from smartspot.domain import Location
from smartspot.drafts import FeatureIn
from smartspot.errors import ConflictError, InvalidInputError
from smartspot.followup_drafts import FollowUpDraft
from smartspot.followup_import import check_feature
from smartspot.followups import (
    Attempt,
    AttemptOutcome,
    Citizen,
    FollowUp,
    FollowUpRules,
    FollowUpStatus,
    LeftBehind,
    PhoneReason,
    Queue,
    check_due_by,
)
from smartspot.geo.regions import Regions
from smartspot.geo.validate import check_hotspot_geometry
from smartspot.hotspots import _check_user, geometry_from_geojson
from smartspot.i18n import msg
from smartspot.imports import ImportRejectedError, RejectedFeature
from smartspot.store.port import FollowUpQuery, Repository
from smartspot.windows import LOCAL_TZ

PURGE_ACTOR = "retention"


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge erased (ids), as of when, with which retention period."""

    erased: tuple[str, ...]
    cutoff: datetime
    retention_days: int


class FollowUpService:
    """Register, work, close, import and purge follow-ups.

    Parameters
    ----------
    store
        Where follow-ups and the audit log live.
    regions
        The kommuner, to place each address point.
    clock
        The time every write is stamped with.
    rules
        Due period, minutes on site, failed attempts before the phone queue, retention.
    """

    def __init__(
        self, store: Repository, regions: Regions, clock: Clock, rules: FollowUpRules | None = None
    ) -> None:
        self.store = store
        self.regions = regions
        self.clock = clock
        self.rules = rules or FollowUpRules()

    def today(self) -> date:
        return self.clock.now().astimezone(LOCAL_TZ).date()

    def place(self, geometry: BaseGeometry | Mapping[str, Any]) -> tuple[Point, Location]:
        """Validate a WGS84 point; return it in EPSG:25832 with its derived location."""
        shape = geometry_from_geojson(geometry)
        if not isinstance(shape, Point):
            raise InvalidInputError(
                msg(
                    "a follow-up's place is an address point, not a {geom_type}",
                    geom_type=shape.geom_type,
                ),
                field="geometry",
            )
        try:
            metric = check_hotspot_geometry(shape)
            placement = self.regions.locate(metric)
        except InvalidInputError as error:  # the coordinate checks name no field
            raise InvalidInputError(error.message, field=error.field or "geometry") from None
        return metric, Location(**placement.as_dict())  # type: ignore[return-value]

    def register(
        self,
        draft: FollowUpDraft,
        geometry: BaseGeometry | Mapping[str, Any],
        *,
        user: str,
        action: str = "create",
    ) -> FollowUp:
        """Register a new follow-up (version 1) at a WGS84 address point.

        Raises
        ------
        InvalidInputError
            For a bad place (outside Denmark, swapped lon/lat, in the sea) or a due date in the
            past.
        """
        user = _check_user(user)
        check_due_by(draft.due_by, self.today())
        metric, location = self.place(geometry)
        with self.store.transaction():
            followup = self._build(draft, metric, location, self.store.followups.next_id(), user)
            self.store.followups.add(followup, action=action)
        return followup

    def show(self, followup_id: str) -> FollowUp:
        """The current version, with the citizen (the edge decides who sees it)."""
        return self.store.followups.get(followup_id)

    def history(self, followup_id: str) -> builtins.list[FollowUp]:
        return self.store.followups.history(followup_id)

    def attempts(self, followup_id: str) -> builtins.list[Attempt]:
        self.store.followups.get(followup_id)  # NotFoundError for an unknown id
        return self.store.followups.attempts(followup_id)

    def list(self, where: FollowUpQuery | None = None) -> builtins.list[FollowUp]:
        if where is not None and where.politikreds is not None:
            self.regions.kommuner_in(where.politikreds)  # NotFoundError naming the known ones
        return self.store.followups.list(where)

    def count(self, where: FollowUpQuery | None = None) -> int:
        return self.store.followups.count(where)

    def record_attempt(
        self,
        followup_id: str,
        *,
        patrol: str,
        outcome: AttemptOutcome,
        user: str,
        at: datetime | None = None,
        left: LeftBehind | None = None,
        note: str = "",
    ) -> FollowUp:
        """Record the patrol's report of an attempt at the door. When the AVL saw the same car
        stay at the address and its outcome is still open, the report completes that attempt
        rather than counting a second one.

        Raises
        ------
        ConflictError
            When the task is closed.
        InvalidInputError
            For an outcome that needs what was left (not home) or must not have it.
        """
        user = _check_user(user)
        now = self.clock.now()
        with self.store.transaction():
            current = self.store.followups.get(followup_id)
            known = self.store.followups.attempts(followup_id)
            pending = [a for a in known if a.outcome is None and a.patrol == patrol]
            number = pending[-1].number if pending else len(known) + 1
            attempt = Attempt(
                followup=followup_id,
                number=number,
                patrol=patrol,
                at=at or (pending[-1].at if pending else now),
                outcome=AttemptOutcome(outcome),
                left=None if left is None else LeftBehind(left),
                note=note,
                detected=bool(pending),
                recorded_by=user,
                recorded_at=now,
            )
            after = rules_of.record_attempt(current, attempt, rules=self.rules, user=user, now=now)
            self.store.followups.save(
                after, expected_version=current.version, action="attempt", attempt=attempt
            )
        return after

    def record_stay(self, followup_id: str, *, patrol: str, at: datetime, user: str) -> Attempt:
        """A stay the AVL detected at the address: an attempt whose outcome the patrol reports
        later (:meth:`record_attempt` completes it)."""
        user = _check_user(user)
        with self.store.transaction():
            current = self.store.followups.get(followup_id)
            if not current.is_open:
                raise ConflictError(msg("follow-up {id} is closed already", id=followup_id))
            known = self.store.followups.attempts(followup_id)
            attempt = Attempt(
                followup=followup_id,
                number=len(known) + 1,
                patrol=patrol,
                at=at,
                outcome=None,
                detected=True,
                recorded_by=user,
                recorded_at=self.clock.now(),
            )
            self.store.followups.add_stay(attempt, actor=user, at=self.clock.now())
        return attempt

    def close(
        self, followup_id: str, status: FollowUpStatus, *, reason: str = "", user: str
    ) -> FollowUp:
        """Close an open task: done by phone, not reached, done in person or cancelled."""
        user = _check_user(user)
        with self.store.transaction():
            current = self.store.followups.get(followup_id)
            after = rules_of.close(current, status, reason=reason, user=user, now=self.clock.now())
            self.store.followups.save(after, expected_version=current.version, action="close")
        return after

    def to_phone(self, followup_id: str, *, user: str) -> FollowUp:
        """Move an open task to the phone queue by hand."""
        user = _check_user(user)
        with self.store.transaction():
            current = self.store.followups.get(followup_id)
            after = rules_of.to_phone(current, user=user, now=self.clock.now())
            self.store.followups.save(after, expected_version=current.version, action="phone")
        return after

    def contact(self, followup_id: str, *, user: str) -> tuple[str, Citizen]:
        """The citizen's name and phone for the patrol whose accepted proposal holds the task;
        the disclosure is audited (who asked, for which car; never the data itself).

        Raises
        ------
        ConflictError
            When no car has accepted the task, it is closed, or its personal data is erased.
        """
        user = _check_user(user)
        with self.store.transaction():
            current = self.store.followups.get(followup_id)
            patrol = self.store.followups.accepted_patrol(followup_id)
            if current.citizen is None or not current.is_open:
                raise ConflictError(
                    msg(
                        "follow-up {id} is closed; its contact details are not handed out",
                        id=followup_id,
                    )
                )
            if patrol is None:
                raise ConflictError(
                    msg(
                        "no car has accepted follow-up {id}; the name and phone number go to the "
                        "patrol once a proposal with it is accepted",
                        id=followup_id,
                    )
                )
            self.store.followups.record_disclosure(
                followup_id, patrol=patrol, actor=user, at=self.clock.now()
            )
        return patrol, current.citizen

    def purge(
        self, *, now: datetime | None = None, within: Collection[str] | None = None
    ) -> PurgeResult:
        """Erase the name and phone number of every task closed at least the retention period
        ago (the nightly job); the tasks, their outcomes and audit rows stay. ``within``
        limits it to the tasks of those politikredse (None: all)."""
        moment = now or self.clock.now()
        cutoff = moment - timedelta(days=self.rules.retention_days)
        erased = []
        with self.store.transaction():
            for followup in self.store.followups.closed_unerased(cutoff):
                if within is not None and followup.location.politikreds not in within:
                    continue
                after = rules_of.erase(followup, user=PURGE_ACTOR, now=moment)
                self.store.followups.save(after, expected_version=followup.version, action="erase")
                erased.append(followup.id)
        return PurgeResult(tuple(erased), cutoff, self.rules.retention_days)

    def import_features(
        self,
        features: Sequence[FeatureIn],
        *,
        user: str,
        action: str = "import",
        within: Collection[str] | None = None,
    ) -> builtins.list[FollowUp]:
        """Register every feature of a file, all or nothing, with the hotspot import's report.
        ``within`` names the politikredse the follow-ups may lie in (the caller's districts;
        None: anywhere in Denmark).

        Raises
        ------
        ImportRejectedError
            Listing every bad field of every bad feature; nothing is written.
        """
        user = _check_user(user)
        today = self.today()
        problems: builtins.list[RejectedFeature] = []
        planned: builtins.list[tuple[FollowUpDraft, Point, Location]] = []
        with self.store.transaction():
            for feature in features:
                found, item = check_feature(
                    feature, today=today, rules=self.rules, place=self.place, within=within
                )
                problems.extend(found)
                if item is not None:
                    planned.append(item)
            if problems:
                raise ImportRejectedError(problems, total=len(features))
            created = []
            for draft, metric, location in planned:
                followup = self._build(
                    draft, metric, location, self.store.followups.next_id(), user
                )
                self.store.followups.add(followup, action=action)
                created.append(followup)
        return created

    # -- helpers ---------------------------------------------------------------------------

    def _build(
        self, draft: FollowUpDraft, metric: Point, location: Location, followup_id: str, user: str
    ) -> FollowUp:
        now = self.clock.now()
        phone = draft.queue is Queue.PHONE
        return FollowUp(
            id=followup_id,
            case_ref=draft.case_ref,
            category=draft.category,
            task=draft.task,
            position=metric,
            location=location,
            due_by=draft.due_by,
            created_by=user,
            created_at=now,
            updated_by=user,
            updated_at=now,
            citizen=draft.citizen,
            address=draft.address,
            windows=draft.windows,
            minutes_on_site=draft.minutes_on_site,
            priority=draft.priority,
            queue=draft.queue,
            queue_reason=PhoneReason.REGISTERED if phone else None,
        )
