"""Work a route leaves for after its answer has been sent (pure ASGI middleware).

A route calls :func:`after_response` with a function; :class:`AfterResponse`, the outermost
middleware, calls it once the app has sent the whole answer, or failed to (a client gone
mid-answer still runs it). The clear uses it to turn the cyclic collector back on only then
(:class:`smartspot.optimise.pace.CollectorHold`): the young collection its planning postponed
(11.6-16.6 ms in the national runs, issue 10 §7) ran in the route's thread before the answer
was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

_KEY = "smartspot.after_response"


def after_response(request: Request, work: Callable[[], None]) -> bool:
    """Run ``work`` after this request's answer is sent; ``False`` (nothing registered) when
    the app runs without :class:`AfterResponse`, so the caller does it now."""
    pending = request.scope.get(_KEY)
    if pending is None:
        return False
    pending.append(work)
    return True


class AfterResponse:
    """Calls what the routes left with :func:`after_response`, after the answer (or its
    failure), in the order they were left; one failing does not stop the rest."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pending: list[Callable[[], None]] = []
        scope[_KEY] = pending
        try:
            await self.app(scope, receive, send)
        finally:
            for work in pending:
                try:
                    work()
                except Exception:  # pragma: no cover - the answer is already sent
                    log.exception("after-response work failed")
