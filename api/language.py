"""The language of an answer: the request's ``Accept-Language``, else the configured default."""

from __future__ import annotations

from fastapi import Request

from smartspot.i18n import DEFAULT_LANGUAGE, Translator, negotiate, translator


def request_language(request: Request) -> str:
    """``da`` or ``en``, negotiated from the request's ``Accept-Language`` header."""
    settings = getattr(request.app.state, "settings", None)
    default = getattr(settings, "language", DEFAULT_LANGUAGE)
    return negotiate(request.headers.get("accept-language"), default)


def request_translator(request: Request) -> Translator:
    """The translator for the language this request is answered in."""
    return translator(request_language(request))
