"""Entry point of the ``smartspot`` command: one-line errors and exit codes, never a traceback.

Messages are in ``$SMARTSPOT_LANGUAGE`` (``da`` by default, or ``en``).
Exit codes: the one table in :class:`smartspot.cli.exit_codes.ExitCode` (and the README).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any

import smartspot.cli
from smartspot.cli.argparse_words import speak
from smartspot.cli.exit_codes import ExitCode, exit_code
from smartspot.cli.output import cli_translator, help_text
from smartspot.errors import SmartspotError
from smartspot.i18n import msg


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, when ``command`` names a module of ``smartspot.cli``
    that registers it, of that command alone: each module imports what its commands need
    (the solver backends, the simulation's plotting, geometry), and a command should not pay
    for the others' imports (``smartspot solve`` started in 1.3–2 s with all of them)."""
    names = sorted(m.name for m in pkgutil.iter_modules(smartspot.cli.__path__))
    if command is not None and command != "main" and command in names:
        parser, subparsers = _empty_parser()
        _register(command, subparsers)
        if command in subparsers.choices:
            return parser
    parser, subparsers = _empty_parser()
    for name in names:
        if name != "main":
            _register(name, subparsers)
    return parser


def _empty_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(
        prog="smartspot",
        description=help_text("Smart Spot: safety hotspots worth a patrol's detour."),
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    return parser, subparsers


def _register(name: str, subparsers: Any) -> None:
    module = importlib.import_module(f"smartspot.cli.{name}")
    register = getattr(module, "register", None)
    if register is not None:
        register(subparsers)


def _command(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (the first argument that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    t = cli_translator()
    speak(t)  # before the parsers exist: argparse translates its --help line when building
    parser = build_parser(_command(words))
    args = parser.parse_args(words)
    try:
        result = args.func(args)
    except SmartspotError as error:
        print(t(msg("smartspot: error: {message}", message=error.message)), file=sys.stderr)
        return exit_code(error)
    except KeyboardInterrupt:
        print(t(msg("smartspot: interrupted")), file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`smartspot hotspots list | head`): stop quietly, as `yes | head`
        # does, and keep Python from complaining about the closed stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.BROKEN_PIPE
    except Exception as error:  # the last guard: one line, never a traceback
        text = msg(
            "smartspot: internal error: {kind}: {error}",
            kind=type(error).__name__,
            error=str(error),
        )
        print(t(text), file=sys.stderr)
        return ExitCode.INTERNAL
    return int(result or ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
