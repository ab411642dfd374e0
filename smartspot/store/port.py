"""The Repository port: what Smart Spot asks of a store, with no SQL in sight.

A store holds every version of every hotspot (nothing is ever deleted) and an append-only audit
log of every write. Commands run inside :meth:`Repository.transaction`: everything written in
one ``with`` block is committed together or not at all. Adapters live beside this file, one per
file (``sqlite.py`` now; a PostGIS adapter can follow without touching the domain).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from smartspot.domain import Category, Hotspot, HotspotStatus
from smartspot.errors import InvalidInputError

MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class HotspotQuery:
    """Which current hotspot versions to list.

    Parameters
    ----------
    politikreds, kommune
        Exact politikreds name; kommune by 4-digit code or by name (case-insensitive).
    status, category
        Only hotspots with this status or category.
    bbox
        ``(minx, miny, maxx, maxy)`` in EPSG:25832 metres; hotspots whose bounding box overlaps.
    limit, offset
        Paging, ordered by id.
    """

    politikreds: str | None = None
    kommune: str | None = None
    status: HotspotStatus | None = None
    category: Category | None = None
    bbox: tuple[float, float, float, float] | None = None
    limit: int = MAX_PAGE
    offset: int = 0

    def __post_init__(self) -> None:
        if self.bbox is not None:
            minx, miny, maxx, maxy = self.bbox
            if not (minx <= maxx and miny <= maxy):
                raise InvalidInputError(
                    "bbox must be (min x, min y, max x, max y) with min ≤ max", field="bbox"
                )
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInputError(f"limit must be 1–{MAX_PAGE}", field="limit")
        if self.offset < 0:
            raise InvalidInputError("offset must be 0 or more", field="offset")


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


class Repository(Protocol):
    """A store: its repositories share one connection and one transaction."""

    @property
    def hotspots(self) -> HotspotRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes in the block commit together, or none do. Nested blocks join the outer."""
        ...

    def close(self) -> None: ...
