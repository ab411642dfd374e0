"""A password check behind the login throttle: what ``POST /auth/token`` and the OGC routes'
HTTP Basic credentials both go through.

The throttle is asked first (a blocked key answers ``429`` with ``Retry-After`` before any
password is hashed), then the bounded password checks run (``503`` when too many are queued),
and the verdict is counted. The throttle's counts are in the database: its calls run on a
worker thread, never on the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api.password_checks import TooManyLogins
from smartspot.i18n import msg
from smartspot.store.records import UserAccount

if TYPE_CHECKING:
    from api.deps import Services


def client_address(request: Request) -> str:
    """The caller's address (the proxy's view of it when uvicorn runs with
    ``--proxy-headers``)."""
    return request.client.host if request.client else "unknown"


async def throttled_check(
    services: Services, request: Request, name: str, password: str
) -> UserAccount | None:
    """The active account ``name`` when ``password`` is its own, else None (counted as a
    failure).

    Raises
    ------
    HTTPException
        429 while the name or the address is in back-off; 503 when too many password checks
        are waiting.
    """
    throttle = services.throttle
    decision = await run_in_threadpool(throttle.begin, name, client_address(request))
    if not decision.allowed:
        raise HTTPException(
            status_code=429,
            detail=msg(
                "too many failed logins; try again in {seconds} s", seconds=decision.retry_after_s
            ),
            headers={"Retry-After": str(decision.retry_after_s)},
        )
    try:
        user = await services.password_checks.authenticate(services.store.users, name, password)
    except TooManyLogins:
        await run_in_threadpool(throttle.abandoned, decision)
        raise HTTPException(
            status_code=503,
            detail=msg("too many logins at once; try again in a moment"),
            headers={"Retry-After": "1"},
        ) from None
    except BaseException:
        throttle.abandoned(decision)  # at once: the task may be being cancelled
        raise
    if user is None:
        await run_in_threadpool(throttle.failed, decision)
        return None
    await run_in_threadpool(throttle.succeeded, decision)
    return user
