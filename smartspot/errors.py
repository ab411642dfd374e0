"""The errors Smart Spot raises. Every message says what was wrong and what is allowed.

A message is a :class:`~smartspot.i18n.Message` (an English msgid and its parameters), so the
edge shows it in the reader's language: ``translator.render(error.message)``; ``str(error)``
is the English text, for logs. The web layer maps these to HTTP status codes in one place
(``api/errors.py``); the CLI prints the message on one line and exits non-zero.
"""

from __future__ import annotations

from smartspot.i18n import Message


class SmartspotError(Exception):
    """Base class of every error Smart Spot raises on purpose.

    Parameters
    ----------
    message
        What was wrong and what is allowed, built with :func:`smartspot.i18n.msg`. A plain
        ``str`` is shown as it is, untranslated: ``tests/test_i18n.py`` fails on any in
        Smart Spot's own code.
    """

    def __init__(self, message: Message | str) -> None:
        self.message = message if isinstance(message, Message) else Message(message)
        super().__init__(str(self.message))


def message_of(error: BaseException) -> Message:
    """The message of any error: a Smart Spot error's own, else its text as it is."""
    if isinstance(error, SmartspotError):
        return error.message
    return Message(str(error), translate=False)


class InvalidInputError(SmartspotError, ValueError):
    """Input that breaks a rule: bad geometry, out-of-range values, malformed files."""

    def __init__(self, message: Message | str, *, field: str | None = None) -> None:
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


class UnavailableError(SmartspotError):
    """Something the command needs is taken or cannot be reached: a port in use."""


class ForbiddenError(SmartspotError):
    """The caller may not touch this: an object outside the user's politikredse."""
