"""Printing results: JSON for scripts, plain lines for people, in the reader's language.

The language is ``$SMARTSPOT_LANGUAGE`` (``da`` by default, or ``en``); only this edge reads it.

Human output never shows Python reprs: lists become "a; b", missing values "–", and times are
Copenhagen local time on the 24-hour clock.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from smartspot.i18n import DEFAULT_LANGUAGE, Message, Translator, check_language, translator

LANGUAGE_ENV = "SMARTSPOT_LANGUAGE"
NONE = "–"


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
        print(labelled([(str(key), human_value(value)) for key, value in data.items()]))
    else:
        print(human_value(data))


def local_time(moment: datetime) -> str:
    """A moment in Copenhagen local time on the 24-hour clock, in the reader's conventions
    (Danish: ``14.03.2026 22.00``); naive moments are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return cli_translator().moment(moment)


def human_list(items: Sequence[Any], *, empty: str = NONE) -> str:
    """Items joined with "; " (``empty`` when there are none)."""
    return "; ".join(human_value(item) for item in items) if items else empty


def human_value(value: Any) -> str:
    """A value as a person reads it: no brackets, quotes or ``None``."""
    if value is None or value == "":
        return NONE
    if isinstance(value, list | tuple):
        return human_list(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {human_value(v)}" for k, v in value.items()) or NONE
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, float):
        return cli_translator().number(value)
    if isinstance(value, Message):
        return say(value)
    return str(value)


def labelled(rows: Sequence[tuple[str, str | Sequence[str]]]) -> str:
    """Rows of ``label  value``, labels padded to one column; a list value continues on the
    following lines under the first."""
    width = max((len(label) for label, _ in rows), default=0) + 2
    lines = []
    for label, value in rows:
        values = [value] if isinstance(value, str) else list(value) or [NONE]
        lines.append(f"  {label:<{width}}{values[0]}")
        lines.extend(f"  {'':<{width}}{more}" for more in values[1:])
    return "\n".join(lines)
