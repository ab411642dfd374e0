"""The Repository port: what Smart Spot asks of a store, with no SQL in sight.

A store holds every version of every hotspot (nothing is ever deleted) and an append-only audit
log of every write. Commands run inside :meth:`Repository.transaction`: everything written in
one ``with`` block is committed together or not at all. Adapters live beside this file, one per
file (``sqlite.py`` now; a PostGIS adapter can follow without touching the domain).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from smartspot.domain import (
    Callout,
    Category,
    Hotspot,
    HotspotStatus,
    Location,
    Patrol,
    PatrolStatus,
    Visit,
)
from smartspot.errors import InvalidInputError
from smartspot.followups import Attempt, FollowUp, FollowUpStatus, Queue
from smartspot.i18n import msg
from smartspot.plans import Proposal, ProposalStatus
from smartspot.store.records import (
    PositionFix,
    Stay,
    StoredEvent,
    StoredVisit,
    ThrottleState,
    UserAccount,
)

MAX_PAGE = 10_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HotspotQuery:
    """Which current hotspot versions to list.

    Parameters
    ----------
    politikreds, kommune
        Exact politikreds name; kommune by 4-digit code or by name (case-insensitive).
    within
        Only hotspots in one of these politikredse (a user's districts); None: anywhere.
    status, category
        Only hotspots with this status or category.
    bbox
        ``(minx, miny, maxx, maxy)`` in EPSG:25832 metres; hotspots whose bounding box overlaps.
    limit, offset
        Paging, ordered by id.
    after
        Only hotspots whose id sorts after this one (the next page of :func:`every`).
    """

    politikreds: str | None = None
    kommune: str | None = None
    status: HotspotStatus | None = None
    category: Category | None = None
    bbox: tuple[float, float, float, float] | None = None
    limit: int = MAX_PAGE
    offset: int = 0
    within: frozenset[str] | None = None
    after: str | None = None

    def __post_init__(self) -> None:
        if self.bbox is not None:
            minx, miny, maxx, maxy = self.bbox
            if not (minx <= maxx and miny <= maxy):
                raise InvalidInputError(
                    msg("bbox must be (min x, min y, max x, max y) with min ≤ max"), field="bbox"
                )
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInputError(
                msg("limit must be 1–{MAX_PAGE}", MAX_PAGE=MAX_PAGE), field="limit"
            )
        if self.offset < 0:
            raise InvalidInputError(msg("offset must be 0 or more"), field="offset")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit log. ``before``/``after`` are JSON-able records."""

    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class HotspotRepository(Protocol):
    """Versioned hotspots. Every write also appends an audit entry."""

    def next_id(self) -> str:
        """A fresh readable id (``HS-000042``); call inside a transaction."""
        ...

    def add(self, hotspot: Hotspot, *, action: str = "create") -> None:
        """Store version 1 of a new hotspot; audited as ``hotspot.created_by``."""
        ...

    def save_version(self, hotspot: Hotspot, *, expected_version: int, action: str) -> None:
        """Store ``hotspot`` as the next version after ``expected_version``.

        Raises
        ------
        ConflictError
            When the stored current version is not ``expected_version`` (someone else wrote).
        NotFoundError
            When no hotspot has this id.
        """
        ...

    def revision(self) -> int:
        """Changes with every hotspot write, in any process (a cache key)."""
        ...

    def get(self, hotspot_id: str) -> Hotspot:
        """The current version. Raises NotFoundError."""
        ...

    def history(self, hotspot_id: str) -> list[Hotspot]:
        """Every version, oldest first. Raises NotFoundError."""
        ...

    def list(self, query: HotspotQuery | None = None) -> list[Hotspot]:
        """Current versions matching ``query``, ordered by id."""
        ...

    def count(self, query: HotspotQuery | None = None) -> int:
        """How many current versions match ``query`` (ignoring its paging)."""
        ...


class AuditLog(Protocol):
    def entries(
        self, *, entity: str | None = None, entity_id: str | None = None
    ) -> list[AuditEntry]:
        """Audit entries, oldest first, optionally for one entity kind or one entity."""
        ...


class UserRepository(Protocol):
    def add(self, account: UserAccount, *, actor: str) -> None: ...
    def get(self, name: str) -> UserAccount: ...
    def list(self) -> list[UserAccount]: ...
    def token_generation(self, name: str) -> int: ...
    def set_role(self, name: str, role: str, *, actor: str, at: datetime) -> UserAccount: ...
    def set_password_hash(
        self, name: str, password_hash: str, *, actor: str, at: datetime
    ) -> UserAccount: ...
    def set_active(self, name: str, active: bool, *, actor: str, at: datetime) -> UserAccount: ...
    def set_districts(
        self, name: str, districts: Sequence[str], *, actor: str, at: datetime
    ) -> UserAccount: ...


class PatrolRepository(Protocol):
    def add(self, patrol: Patrol, *, actor: str, at: datetime) -> None: ...
    def get(self, call_sign: str) -> Patrol: ...
    def list(
        self,
        *,
        status: PatrolStatus | None = None,
        call_signs: Collection[str] | None = None,
        home_stations: Collection[str] | None = None,
    ) -> list[Patrol]: ...
    def with_stays(
        self, call_signs: Collection[str]
    ) -> tuple[builtins.list[Patrol], dict[str, Stay]]: ...
    def set_status(
        self, call_sign: str, status: PatrolStatus, *, actor: str, at: datetime
    ) -> Patrol: ...
    def record_positions(
        self, fixes: Sequence[PositionFix], *, known: Collection[str] | None = None
    ) -> int: ...
    def positions(
        self, call_sign: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> builtins.list[PositionFix]: ...


class CalloutRepository(Protocol):
    def next_id(self) -> str: ...
    def add(
        self, callout: Callout, *, location: Location | None, actor: str, at: datetime
    ) -> None: ...
    def update(
        self,
        callout: Callout,
        *,
        actor: str,
        at: datetime,
        action: str,
        before: Callout | None = None,
    ) -> None: ...
    def get(self, callout_id: str) -> Callout: ...
    def location(self, callout_id: str) -> Location | None: ...
    def list(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        urgent: bool | None = None,
        politikreds: str | None = None,
        kommunekode: str | None = None,
        open_only: bool = False,
    ) -> list[tuple[Callout, Location | None]]: ...


class VisitRepository(Protocol):
    def add(self, visit: Visit, *, actor: str, at: datetime) -> StoredVisit: ...
    def update(self, visit_id: str, visit: Visit, *, actor: str, at: datetime) -> StoredVisit: ...
    def get(self, visit_id: str) -> StoredVisit: ...
    def list(
        self,
        *,
        hotspot: str | None = None,
        patrol: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        politikreds: str | None = None,
    ) -> list[StoredVisit]: ...
    def last_visit_times(self) -> dict[str, datetime]: ...


class ProposalRepository(Protocol):
    def add(self, proposal: Proposal, *, actor: str) -> Proposal: ...
    def add_all(self, proposals: Sequence[Proposal], *, actor: str) -> builtins.list[Proposal]: ...
    def encode_ahead(self, proposals: Sequence[Proposal]) -> None: ...
    def get(self, proposal_id: str) -> Proposal: ...
    def current(self, patrol: str) -> Proposal | None: ...
    def active(self, patrol: str) -> Proposal | None: ...
    def list(
        self,
        *,
        patrol: str | None = None,
        status: ProposalStatus | None = None,
        politikreds: str | None = None,
        limit: int = 1000,
    ) -> builtins.list[Proposal]: ...
    def held(self) -> dict[str, str]: ...
    def decide(self, after: Proposal, *, actor: str) -> Proposal: ...
    def mark_done(self, patrol: str, hotspot: str) -> bool: ...


class StayRepository(Protocol):
    def of(self, call_signs: Iterable[str]) -> dict[str, Stay]: ...
    def all(self) -> builtins.list[Stay]: ...
    def save(self, stays: Iterable[Stay], ended: Iterable[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class FollowUpQuery:
    """Which current follow-ups to list: by politikreds, status and queue; paged by id.
    ``within``: only follow-ups in one of these politikredse (a user's districts); None:
    anywhere. ``after``: only ids that sort after this one (the next page of :func:`every`)."""

    politikreds: str | None = None
    status: FollowUpStatus | None = None
    queue: Queue | None = None
    limit: int = MAX_PAGE
    offset: int = 0
    within: frozenset[str] | None = None
    after: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInputError(
                msg("limit must be 1–{MAX_PAGE}", MAX_PAGE=MAX_PAGE), field="limit"
            )
        if self.offset < 0:
            raise InvalidInputError(msg("offset must be 0 or more"), field="offset")


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Row = TypeVar("Row", bound=_Identified)
Query = TypeVar("Query", HotspotQuery, FollowUpQuery)


def every(read: Callable[[Query], builtins.list[Row]], query: Query) -> builtins.list[Row]:
    """Every record ``query`` matches, however many: ``read`` (a repository's ``list``) asked
    page by page of ``query.limit`` in id order, each page after the last id of the one before
    (not by offset: a record written between two pages cannot make one that stayed as it was
    appear twice or not at all), from the first (``query.offset`` is not used)."""
    found: builtins.list[Row] = []
    while True:
        page = read(replace(query, offset=0, after=found[-1].id if found else query.after))
        found.extend(page)
        if len(page) < query.limit:
            return found


class FollowUpRepository(Protocol):
    """Follow-up tasks with every version, their citizens (apart) and attempts."""

    def next_id(self) -> str: ...
    def add(self, followup: FollowUp, *, action: str = "create") -> None: ...
    def save(
        self,
        followup: FollowUp,
        *,
        expected_version: int,
        action: str,
        attempt: Attempt | None = None,
    ) -> None: ...
    def add_stay(self, attempt: Attempt, *, actor: str, at: datetime) -> None: ...
    def record_disclosure(
        self, followup_id: str, *, patrol: str, actor: str, at: datetime
    ) -> None: ...
    def get(self, followup_id: str) -> FollowUp: ...
    def history(self, followup_id: str) -> builtins.list[FollowUp]: ...
    def attempts(self, followup_id: str) -> builtins.list[Attempt]: ...
    def last_failed_at(self) -> dict[str, datetime]: ...
    def list(self, query: FollowUpQuery | None = None) -> builtins.list[FollowUp]: ...
    def count(self, query: FollowUpQuery | None = None) -> int: ...
    def closed_unerased(self, closed_before: datetime) -> builtins.list[FollowUp]: ...
    def accepted_patrol(self, followup_id: str) -> str | None: ...
    def revision(self) -> int: ...


class ThrottleRepository(Protocol):
    """The login throttle's counts, shared by every worker and node on the database."""

    def read(self, keys: Sequence[str]) -> dict[str, ThrottleState]: ...
    def change(
        self,
        keys: Sequence[str],
        edit: Callable[[dict[str, ThrottleState]], tuple[dict[str, ThrottleState], T]],
    ) -> T: ...
    def forget_expired(self, now: float) -> int: ...
    def count(self) -> int: ...


class EventLog(Protocol):
    def append(
        self, kind: str, data: dict[str, Any], *, at: datetime, seq: bool = True
    ) -> int | None: ...
    def after(self, seq: int, *, limit: int = 500) -> builtins.list[StoredEvent]: ...
    def last(self) -> int: ...


class ClearGate(Protocol):
    """Clears before AVL batches across the store's processes (issue 10 §7): a batch of any
    process waits while a clear of any process is in progress."""

    def clearing(self) -> AbstractContextManager[None]:
        """A clear in progress (from before it plans until it has stored)."""
        ...

    def wait(self, limit_s: float) -> bool:
        """Wait until no clear is in progress, at most ``limit_s``; True when none is."""
        ...


class OneProcess:
    """The gate of a store only one process writes (SQLite): nothing to wait for beyond the
    process's own clears, which :class:`~smartspot.live.clears_first.ClearsFirst` counts."""

    def clearing(self) -> AbstractContextManager[None]:
        return nullcontext()

    def wait(self, limit_s: float) -> bool:
        return True


class Repository(Protocol):
    """A store: its repositories share one connection and one transaction."""

    @property
    def clear_gate(self) -> ClearGate: ...

    @property
    def hotspots(self) -> HotspotRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def patrols(self) -> PatrolRepository: ...

    @property
    def callouts(self) -> CalloutRepository: ...

    @property
    def visits(self) -> VisitRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...

    @property
    def stays(self) -> StayRepository: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def followups(self) -> FollowUpRepository: ...

    @property
    def logins(self) -> ThrottleRepository: ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes in the block commit together, or none do. Nested blocks join the outer."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current transaction commits (dropped on rollback)."""
        ...

    def close(self) -> None: ...
