"""Texts for people in their language: gettext catalogs (managed with Babel) and Danish formats.

The core never picks a language. Code that says something to a person builds a
:class:`Message` (an English msgid and its parameters, marked for extraction with
:func:`msg`); the edge (CLI, API, report writer) renders it with a :class:`Translator` for the
language it chose: ``SMARTSPOT_LANGUAGE`` (default ``da``) for the CLI and the planner's
report, the browser's ``Accept-Language`` for the map. ``str(message)`` is the English text,
for logs and for engineers.

Catalogs live in ``smartspot/locale/<lang>/LC_MESSAGES/<domain>.po`` (``smartspot`` for the
Python code, ``map`` for the map's JavaScript and HTML); ``scripts/i18n.sh`` extracts, updates
and compiles them, and ``scripts/setup.d/40-i18n.sh`` compiles them at set-up. A missing or
stale ``.mo`` is compiled in memory from its ``.po``, so a checkout never shows English by
accident. Numbers, dates and times are formatted by Babel with the language's conventions
(Danish: decimal comma, 24-hour clock) in Copenhagen time.
"""

from __future__ import annotations

import decimal
import gettext
import io
import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent

LOCALE_DIR = Path(__file__).parent / "locale"
#: The catalog of the Python code, and the catalog of the map page.
DOMAIN = "smartspot"
MAP_DOMAIN = "map"
DEFAULT_LANGUAGE = "da"
#: Languages a person may choose; msgids are English, so English needs no catalog.
LANGUAGES = ("da", "en")
#: The Babel locale each language is formatted with (English with a 24-hour clock).
FORMAT_LOCALES = {"da": "da_DK", "en": "en_GB"}
TIMEZONE = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True, slots=True)
class Message:
    """A text for a person, not yet in any language.

    Parameters
    ----------
    msgid
        The English text with ``str.format`` fields, e.g. ``"hotspot {id} is closed"``; it is
        the key into the catalogs, so it must be a literal at the call site (see :func:`msg`).
    params
        The values of the fields. Numbers are formatted in the reader's conventions, nested
        :class:`Message` values are rendered in the same language.
    plural, n
        For texts that depend on a count: the English plural msgid and the count.
    translate
        False for a template that is no text of its own (see :func:`joined`).
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None
    translate: bool = True

    def __str__(self) -> str:
        return english().render(self)


def msg(msgid: str, /, **params: Any) -> Message:
    """Mark ``msgid`` for translation and bind its parameters (``pybabel`` keyword ``msg``)."""
    return Message(msgid, params)


def msg_n(singular: str, plural: str, n: int, /, **params: Any) -> Message:
    """A text with a singular and a plural form chosen by ``n`` (also available as ``{n}``)."""
    return Message(singular, {"n": n, **params}, plural=plural, n=n)


def joined(parts: Sequence[Message | str], separator: str = "; ") -> Message:
    """Several texts as one, e.g. every problem of a form (each part is rendered on its own)."""
    template = (
        separator.replace("{", "{{").replace("}", "}}").join(f"{{p{i}}}" for i in range(len(parts)))
    )
    return Message(template, {f"p{i}": part for i, part in enumerate(parts)}, translate=False)


def N_(msgid: str) -> str:
    """Mark a constant text for extraction without translating it (translate it at the edge)."""
    return msgid


_SPEC = re.compile(r"^(?P<group>,)?(?:\.(?P<digits>\d+))?(?P<kind>[fdg%])?$")


class _Formatter(string.Formatter):
    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message):
            return self.translator.render(value)
        if isinstance(getattr(value, "message", None), Message):  # a SmartspotError
            return self.translator.render(value.message)
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, datetime):
                return self.translator.moment(value)
            return format(value, format_spec)
        match = _SPEC.match(format_spec)
        if match is None:
            return format(value, format_spec)
        kind = match["kind"]
        digits = match["digits"]
        if kind == "%":
            pattern = "#,##0" + ("." + "0" * int(digits) if digits and int(digits) else "") + "%"
            return format_percent(value, format=pattern, locale=self.translator.locale)
        if kind is None and digits is None and isinstance(value, int):
            return self.translator.number(value, grouping=bool(match["group"]))
        places = int(digits) if digits is not None else (0 if kind == "d" else None)
        return self.translator.number(value, places, grouping=bool(match["group"]))


class Translator:
    """Renders :class:`Message` values and formats numbers and times in one language.

    Build one with :func:`translator`; it is immutable and safe to share between threads.
    """

    def __init__(self, language: str, catalog: gettext.NullTranslations) -> None:
        self.language = language
        self.catalog = catalog
        self.locale = Locale.parse(FORMAT_LOCALES.get(language, language))
        self._formatter = _Formatter(self)

    def gettext(self, text: str) -> str:
        """``text`` (an English msgid) in this language."""
        return self.catalog.gettext(text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def render(self, message: Message | str) -> str:
        """The text of ``message`` in this language, its fields filled in.

        A plain ``str`` is looked up as a msgid and returned as it is when no catalog knows it.
        """
        if isinstance(message, str):
            return self.gettext(message)
        if not message.translate:
            template = message.msgid
        elif message.plural is not None and message.n is not None:
            template = self.ngettext(message.msgid, message.plural, message.n)
        else:
            template = self.gettext(message.msgid)
        if not message.params:
            return template
        return self._formatter.vformat(template, (), dict(message.params))

    __call__ = render

    def number(self, value: float, places: int | None = None, *, grouping: bool = True) -> str:
        """``value`` with ``places`` decimals (``None``: up to six) in this language's style,
        e.g. Danish ``1.375,9``."""
        if places is None:
            pattern = ("#,##0" if grouping else "0") + ".######"
        else:
            pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
        if not math.isfinite(value) or abs(value) >= 1e15:
            return repr(value)  # NaN, infinity or absurd input: shown as it came
        try:
            return format_decimal(value, format=pattern, locale=self.locale)
        except (decimal.InvalidOperation, ValueError, OverflowError):
            return repr(value)

    def moment(self, moment: datetime, *, seconds: bool = False) -> str:
        """``moment`` in Copenhagen time, 24-hour clock (Danish: ``01.01.2026 13.03``).

        A naive datetime is taken to be UTC, as the store keeps it.
        """
        if moment.tzinfo is None:
            from datetime import UTC

            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(TIMEZONE)
        day = format_date(local, "short", locale=self.locale)
        clock = format_time(local, "medium" if seconds else "short", locale=self.locale)
        return f"{day} {clock}"

    def day(self, day: date) -> str:
        return format_date(day, "short", locale=self.locale)

    def moment_long(self, moment: datetime) -> str:
        """A date and time written out (Danish: ``1. jan. 2026 13.03.00``), Copenhagen time."""
        return format_datetime(moment, "medium", tzinfo=TIMEZONE, locale=self.locale)


def _read_catalog(language: str, domain: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po.exists():
        raise FileNotFoundError(f"no {domain} catalog for language {language!r} in {folder}")
    # not compiled yet (or older than its .po): compile in memory, as `pybabel compile` would
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def check_language(language: str) -> str:
    """``language`` normalised (``"DA"`` → ``"da"``); raises ``ValueError`` if unknown."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(
            f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}"
        )  # an edge's configuration error, shown to the person who set it
    return code


@cache
def translator(language: str = DEFAULT_LANGUAGE, domain: str = DOMAIN) -> Translator:
    """The :class:`Translator` for ``language`` (``da`` or ``en``), loaded once."""
    code = check_language(language)
    return Translator(code, _read_catalog(code, domain))


def english() -> Translator:
    return translator("en")


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The language to answer in, from an HTTP ``Accept-Language`` header.

    The highest-weighted language Smart Spot has wins; ``default`` when none matches.
    """
    if not accept_language:
        return default
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        name, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        code = name.strip().lower().split("-")[0]
        if code in LANGUAGES and weight > 0:
            choices.append((-weight, position, code))
    return min(choices)[2] if choices else default


@cache
def catalog_messages(language: str, domain: str) -> dict[str, str]:
    """Every translated msgid of ``domain`` in ``language`` as ``{msgid: text}`` (for the map).

    English answers each msgid with itself.
    """
    code = check_language(language)
    po = LOCALE_DIR / DEFAULT_LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        ids = [m.id for m in read_po(handle) if m.id and isinstance(m.id, str)]
    catalog = translator(code, domain)
    return {msgid: catalog.gettext(msgid) for msgid in ids}
