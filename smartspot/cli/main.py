"""Entry point of the ``smartspot`` command: one-line errors and exit codes, never a traceback.

Messages are in ``$SMARTSPOT_LANGUAGE`` (``da`` by default, or ``en``).
Exit codes: 0 ok, 2 invalid input, 3 not found, 4 conflict, 5 storage problem, 70 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import smartspot.cli
from smartspot.cli.output import cli_translator, help_text
from smartspot.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SmartspotError,
    StorageError,
)
from smartspot.i18n import msg

EXIT_CODES: tuple[tuple[type[SmartspotError], int], ...] = (
    (InvalidInputError, 2),
    (NotFoundError, 3),
    (ConflictError, 4),
    (StorageError, 5),
    (AuthError, 6),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartspot",
        description=help_text("Smart Spot: safety hotspots worth a patrol's detour."),
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(smartspot.cli.__path__), key=lambda m: m.name):
        if module_info.name == "main":
            continue
        module = importlib.import_module(f"smartspot.cli.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def exit_code(error: SmartspotError) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    t = cli_translator()
    try:
        result = args.func(args)
    except SmartspotError as error:
        print(t(msg("smartspot: error: {message}", message=error.message)), file=sys.stderr)
        return exit_code(error)
    except KeyboardInterrupt:
        print(t(msg("smartspot: interrupted")), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`smartspot hotspots list | head`): stop quietly, as `yes | head`
        # does, and keep Python from complaining about the closed stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # the last guard: one line, never a traceback
        text = msg(
            "smartspot: internal error: {kind}: {error}",
            kind=type(error).__name__,
            error=str(error),
        )
        print(t(text), file=sys.stderr)
        return 70
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
