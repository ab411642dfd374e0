"""Printing results: JSON for scripts, plain lines for people, in the reader's language.

The language is ``$SMARTSPOT_LANGUAGE`` (``da`` by default, or ``en``); only this edge reads it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from smartspot.i18n import DEFAULT_LANGUAGE, Message, Translator, check_language, translator

LANGUAGE_ENV = "SMARTSPOT_LANGUAGE"


def language() -> str:
    """``$SMARTSPOT_LANGUAGE`` (``da`` when unset or unknown: Danish is the users' language)."""
    try:
        return check_language(os.environ.get(LANGUAGE_ENV, "") or DEFAULT_LANGUAGE)
    except ValueError:
        return DEFAULT_LANGUAGE


def cli_translator() -> Translator:
    """The translator for the command line's language."""
    return translator(language())


def say(text: Message | str) -> str:
    """``text`` in the command line's language."""
    return cli_translator().render(text)


def help_text(msgid: str, /, **params: Any) -> str:
    """An option's or command's ``--help`` text in the command line's language (marked for
    the catalog like :func:`smartspot.i18n.msg`; argparse's own words stay its own)."""
    return say(Message(msgid, params)).replace("%", "%%")


def emit(data: Any, *, as_json: bool, text: Message | str | None = None) -> None:
    """Print ``data`` as JSON when asked, else ``text`` (or a key: value listing)."""
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    if text is not None:
        print(say(text))
    elif isinstance(data, dict):
        for key, value in data.items():
            print(f"{key}: {value}")
    else:
        print(data)
