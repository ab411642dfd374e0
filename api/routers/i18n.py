"""The map's texts in the reader's language, from the ``map`` catalog (no login needed: the
login form itself needs them, and they hold nothing but the page's own words)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from api.language import request_language
from smartspot.i18n import LANGUAGES, MAP_DOMAIN, catalog_messages

router = APIRouter(tags=["i18n"])


def _answer(language: str) -> dict[str, Any]:
    return {"language": language, "messages": catalog_messages(language, MAP_DOMAIN)}


@router.get("/i18n.json")
def negotiated(request: Request) -> dict[str, Any]:
    """The map's texts in the language the browser's ``Accept-Language`` prefers (``da`` or
    ``en``; the configured default when it names neither): ``{"language", "messages":
    {English text: text in that language}}``."""
    return _answer(request_language(request))


@router.get("/i18n/{language}.json")
def in_language(
    language: Annotated[str, Path(pattern="^(" + "|".join(LANGUAGES) + ")$")],
) -> dict[str, Any]:
    """The map's texts in ``language`` (``da`` or ``en``)."""
    return _answer(language)
