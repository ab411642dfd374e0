"""Objects kept in every version (hotspots, follow-ups): a pointer table (``id``,
``current_version``) beside an append-only table of versions.

The pointer is where two writers meet: a new object's row is created once, and a new version
moves the pointer one step forward by compare-and-set, so of two writers that read the same
version only the first wins and the second gets a ConflictError it can act on (reload and
try again). The guard triggers hold the same rule in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartspot.errors import ConflictError
from smartspot.i18n import msg

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore


def check_follows(version: int, expected_version: int) -> None:
    """Refuse a version that is not the one after ``expected_version``."""
    if version != expected_version + 1:
        raise ConflictError(
            msg(
                "version {version} cannot follow version {expected_version}",
                version=version,
                expected_version=expected_version,
            )
        )


@dataclass(frozen=True, slots=True)
class Pointers:
    """The pointer table ``table`` (``id``, ``current_version``)."""

    table: str

    def create(
        self, store: SqlStore, object_id: str, *, taken: Callable[[], ConflictError]
    ) -> None:
        """A new object at version 1; ``taken()`` is raised when the id exists already."""
        if store.execute(f"SELECT 1 FROM {self.table} WHERE id = ?", (object_id,)).fetchone():
            raise taken()
        store.execute(f"INSERT INTO {self.table} (id, current_version) VALUES (?, 1)", (object_id,))

    def move(
        self,
        store: SqlStore,
        object_id: str,
        *,
        version: int,
        expected_version: int,
        stale: Callable[[], ConflictError],
    ) -> None:
        """Point at ``version`` if the object is still at ``expected_version``; else raise
        ``stale()`` (someone else wrote a version meanwhile)."""
        moved = store.execute(
            f"UPDATE {self.table} SET current_version = ? WHERE id = ? AND current_version = ?",
            (version, object_id, expected_version),
        ).rowcount
        if moved != 1:
            raise stale()
