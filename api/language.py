"""The language of an answer: the request's ``Accept-Language``, else the configured default;
and the live engine's reasons rendered in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request

from smartspot.i18n import DEFAULT_LANGUAGE, Translator, negotiate, translator
from smartspot.reasons import Reason, message


def request_language(request: Request) -> str:
    """``da`` or ``en``, negotiated from the request's ``Accept-Language`` header."""
    settings = getattr(request.app.state, "settings", None)
    default = getattr(settings, "language", DEFAULT_LANGUAGE)
    return negotiate(request.headers.get("accept-language"), default)


def request_translator(request: Request) -> Translator:
    """The translator for the language this request is answered in."""
    return translator(request_language(request))


def localised_reason(view: Any, t: Translator) -> Any:
    """A reason view (``{"code", "params", "text"}``) with its text in ``t``'s language."""
    if not isinstance(view, Mapping) or "code" not in view:
        return view
    try:
        reason = Reason.from_dict(view)
    except (KeyError, ValueError):  # a code this version does not know: keep the stored words
        return dict(view)
    return {**view, "text": t(message(reason))}


def localised_proposal(view: Any, t: Translator) -> Any:
    """A proposal view (see ``smartspot.live.views.proposal_view``) with every reason's words
    in ``t``'s language; codes and parameters stay as they are. Views are stored in English (the
    event log serves every reader), so each answer is rendered for its own reader."""
    if not isinstance(view, Mapping):
        return view
    out = dict(view)
    stops = []
    for stop in view.get("stops") or []:
        stop = dict(stop)
        reasons = [localised_reason(r, t) for r in stop.get("reasons") or []]
        if reasons:
            stop["reasons"] = reasons
            stop["why"] = "; ".join(
                str(r.get("text", "")) for r in reasons if isinstance(r, Mapping)
            )
        stops.append(stop)
    if "stops" in view:
        out["stops"] = stops
    if "blocked" in view:
        out["blocked"] = localised_reason(view["blocked"], t)
    if isinstance(view.get("left_out"), Mapping):
        out["left_out"] = {k: localised_reason(r, t) for k, r in view["left_out"].items()}
    return out


#: Event kinds whose data is a proposal view.
PROPOSAL_EVENTS = frozenset({"proposal", "no-proposal"})


def localised_event(kind: str, data: Any, t: Translator) -> Any:
    """An event's data for one reader: proposals get their reasons' words in ``t``'s language."""
    return localised_proposal(data, t) if kind in PROPOSAL_EVENTS else data
