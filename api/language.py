"""The language of an answer: the request's ``Accept-Language``, else the configured default;
and the live engine's reasons rendered in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request

from smartspot.i18n import DEFAULT_LANGUAGE, Translator, negotiate, translator
from smartspot.live.views import proposal_view
from smartspot.reasons import Reason, message


def request_language(request: Request) -> str:
    """``da`` or ``en``, negotiated from the request's ``Accept-Language`` header."""
    settings = getattr(request.app.state, "settings", None)
    default = getattr(settings, "language", DEFAULT_LANGUAGE)
    return negotiate(request.headers.get("accept-language"), default)


def request_translator(request: Request) -> Translator:
    """The translator for the language this request is answered in."""
    return translator(request_language(request))


async def _request_translator(request: Request) -> Translator:
    # the dependency: on the event loop (no store read), not a hop to the threadpool and back
    return request_translator(request)


#: The reader's language (Accept-Language), for the reasons' words in proposal views.
Language = Annotated[Translator, Depends(_request_translator)]


def proposal_answer(proposal: Any, t: Translator) -> dict[str, Any]:
    """A stored proposal with every reason (its left-out hotspots' too) in ``t``'s words."""
    return localised_proposal(proposal_view(proposal), t)  # type: ignore[no-any-return]


def localised_reason(view: Any, t: Translator) -> Any:
    """A reason view (``{"code", "params", "text"}``) with its text in ``t``'s language."""
    if not isinstance(view, Mapping) or "code" not in view:
        return view
    try:
        reason = Reason.from_dict(view)
    except (KeyError, ValueError):  # a code this version does not know: keep the stored words
        return dict(view)
    return {**view, "text": t(message(reason))}


def localised_reasons(views: Mapping[str, Any], t: Translator) -> dict[str, Any]:
    """:func:`localised_reason` of each view of a map (hotspot id → reason view); a view
    object met again (:func:`smartspot.live.views.reason_views` shares them) is rendered
    once."""
    made: dict[int, tuple[Any, Any]] = {}
    out = {}
    for key, view in views.items():
        known = made.get(id(view))
        if known is None:
            known = made[id(view)] = (view, localised_reason(view, t))
        out[key] = known[1]
    return out


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
        out["left_out"] = localised_reasons(view["left_out"], t)
    return out


#: Event kinds whose data is a proposal view.
PROPOSAL_EVENTS = frozenset({"proposal", "no-proposal"})


def localised_event(kind: str, data: Any, t: Translator) -> Any:
    """An event's data for one reader: proposals get their reasons' words in ``t``'s language."""
    return localised_proposal(data, t) if kind in PROPOSAL_EVENTS else data
