"""How the SQL adapters store moments: ISO 8601 text in UTC with microseconds (fixed width,
so it sorts as text). Kept apart from the adapters so none of them imports another."""

from __future__ import annotations

from datetime import UTC, datetime

from smartspot.errors import StorageError
from smartspot.i18n import msg


def iso(moment: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with microseconds."""
    if moment.tzinfo is None:
        raise StorageError(msg("refusing to store a datetime without a timezone"))
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def maybe_iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def maybe_time(text: str | None) -> datetime | None:
    return None if text is None else from_iso(text)
