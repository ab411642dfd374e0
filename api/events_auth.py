"""How the event stream logs in without a credential in any URL.

A browser's ``EventSource`` cannot send an ``Authorization`` header, and a token in the query
string ends up in access logs. So the map first calls ``POST /events/session`` with its bearer
token; the answer sets an HttpOnly, SameSite=Strict cookie, scoped to ``/events``, holding a
signed token with audience ``events`` (no other endpoint accepts it, and a bearer token is no
stream cookie). ``GET /events`` takes that cookie or an ``Authorization`` header (for scripts).
The account is checked again while the stream is open, so a deactivated user's stream ends
within one keep-alive interval.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import HTTPException, Request, Response

from api.auth import AccountCache, Principal, check_current, issue_token, read_token
from api.settings import Settings
from smartspot.i18n import msg

COOKIE = "smartspot_events"
COOKIE_PATH = "/events"
AUDIENCE = "events"
RECHECK_S = 5.0


def set_event_cookie(
    response: Response, principal: Principal, *, request: Request, settings: Settings
) -> int:
    """Set the stream's cookie on ``response``; returns its lifetime in seconds."""
    minutes = settings.token_minutes
    token = issue_token(
        principal.name,
        principal.role.value,
        secret=settings.secret_key,
        minutes=minutes,
        generation=principal.generation,
        audience=AUDIENCE,
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=minutes * 60,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return minutes * 60


def clear_event_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def stream_principal(request: Request, settings: Settings, accounts: AccountCache) -> Principal:
    """Who opens the stream: the bearer header, else the stream cookie (a 401 otherwise)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = read_token(header[7:], secret=settings.secret_key)
    elif cookie := request.cookies.get(COOKIE):
        principal = read_token(cookie, secret=settings.secret_key, audience=AUDIENCE)
    else:
        raise HTTPException(
            status_code=401,
            detail=msg(
                "log in first: POST /events/session with your bearer token sets the "
                "stream's cookie, or send Authorization: Bearer <token>"
            ),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return check_current(principal, accounts)


async def while_authorised(
    chunks: AsyncIterator[str],
    principal: Principal,
    accounts: AccountCache,
    *,
    every_s: float = RECHECK_S,
) -> AsyncIterator[str]:
    """Pass the stream's chunks on while the account still holds the login (checked before
    a chunk when ``every_s`` has passed since the last check; the keep-alive makes sure one
    comes); a revoked login gets a ``logout`` event and the stream ends. When the account's
    districts changed the stream ends too, so the browser reconnects with the new ones."""
    checked = time.monotonic()
    try:
        async for chunk in chunks:
            if time.monotonic() - checked >= every_s:
                try:
                    now = await anyio.to_thread.run_sync(check_current, principal, accounts)
                except HTTPException:
                    yield "event: logout\ndata: {}\n\n"
                    return
                if now.districts != principal.districts:
                    return  # the browser reconnects (Last-Event-ID) with the new districts
                checked = time.monotonic()
            yield chunk
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
