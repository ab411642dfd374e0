"""The errors Smart Spot raises. Every message says what was wrong and what is allowed.

The web layer maps these to HTTP status codes in one place (``api/errors.py``); the CLI prints
the message on one line and exits non-zero.
"""

from __future__ import annotations


class SmartspotError(Exception):
    """Base class of every error Smart Spot raises on purpose."""


class InvalidInputError(SmartspotError, ValueError):
    """Input that breaks a rule: bad geometry, out-of-range values, malformed files."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(SmartspotError, LookupError):
    """An id that names nothing: unknown hotspot, patrol, proposal, user."""


class ConflictError(SmartspotError):
    """A write based on a stale version, or a state change that is not allowed now."""


class StorageError(SmartspotError):
    """The database is locked, gone or unreadable; nothing was written."""


class AuthError(SmartspotError):
    """Wrong credentials or a role that may not do this."""
