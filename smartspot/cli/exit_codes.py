"""The one table of exit codes every ``smartspot`` command uses (the README lists it). Light on
purpose: the entry point imports it before it knows which command runs."""

from __future__ import annotations

from enum import IntEnum

from smartspot.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SmartspotError,
    StorageError,
    UnavailableError,
)


class ExitCode(IntEnum):
    """The one table of exit codes every command uses (the README lists it)."""

    OK = 0
    ERROR = 1  # a Smart Spot error of no kind below
    INVALID_INPUT = 2  # also argparse's code for a bad command line
    NOT_FOUND = 3  # an id or name that names nothing: hotspot, kommune, politikreds, file
    CONFLICT = 4  # a stale version, a step out of order, a name already taken
    STORAGE = 5  # the database is missing, locked or unreadable
    AUTH = 6  # wrong credentials
    UNAVAILABLE = 7  # something needed is taken: the port to serve on is in use
    AUDIT_BROKEN = 8  # `smartspot audit verify` found the record changed behind the engine
    INTERNAL = 70  # a bug: please report it
    INTERRUPTED = 130  # Ctrl-C
    BROKEN_PIPE = 141  # the reader of the output went away (`| head`)


#: Error kinds to exit codes, most specific first.
ERROR_CODES: tuple[tuple[type[SmartspotError], ExitCode], ...] = (
    (InvalidInputError, ExitCode.INVALID_INPUT),
    (NotFoundError, ExitCode.NOT_FOUND),
    (ConflictError, ExitCode.CONFLICT),
    (StorageError, ExitCode.STORAGE),
    (AuthError, ExitCode.AUTH),
    (UnavailableError, ExitCode.UNAVAILABLE),
)


def exit_code(error: SmartspotError) -> ExitCode:
    """The exit code of an error, by the table above."""
    for kind, code in ERROR_CODES:
        if isinstance(error, kind):
            return code
    return ExitCode.ERROR
