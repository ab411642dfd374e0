"""The one place that turns errors into HTTP answers a person can act on.

Every answer is JSON ``{"detail": "...", ...}`` with a precise status, never a traceback:

=============================  ======  ==================================================
cause                          status  body
=============================  ======  ==================================================
malformed JSON body            400     ``detail``, ``position``
request fails the schema       422     ``detail`` (first problem in words), ``errors``
InvalidInputError              422     ``detail``, ``field``
AuthError (credentials)        401     ``detail``; ``WWW-Authenticate: Bearer``
role may not do this           403     ``detail``
NotFoundError                  404     ``detail``
ConflictError (stale version)  409     ``detail``
body over the size limit       413     ``detail``
StorageError (locked DB)       503     ``detail``; ``Retry-After``
anything else                  500     ``detail`` without internals (a bug to fix)
=============================  ======  ==================================================
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartspot.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SmartspotError,
    StorageError,
)

log = logging.getLogger("smartspot.api")


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation_response(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = list(error.errors())
    for item in errors:
        if item.get("type") == "json_invalid":
            ctx = item.get("ctx") or {}
            return JSONResponse(
                status_code=400,
                content={
                    "detail": f"the request body is not valid JSON ({ctx.get('error', 'parse error')})",
                    "position": (item.get("loc") or [None, None])[-1],
                },
            )
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    where = _location(first.get("loc", ()))
    clean = [
        {
            "field": _location(e.get("loc", ())),
            "message": str(e.get("msg", "")),
            "type": e.get("type"),
        }
        for e in errors
    ]
    return JSONResponse(
        status_code=422,
        content={"detail": f"{where}: {first.get('msg', 'invalid')}", "errors": clean},
    )


def _smartspot_response(error: SmartspotError) -> JSONResponse:
    if isinstance(error, InvalidInputError):
        return JSONResponse(status_code=422, content={"detail": str(error), "field": error.field})
    if isinstance(error, NotFoundError):
        return JSONResponse(status_code=404, content={"detail": str(error)})
    if isinstance(error, ConflictError):
        return JSONResponse(status_code=409, content={"detail": str(error)})
    if isinstance(error, StorageError):
        return JSONResponse(
            status_code=503,
            content={"detail": f"the database is unavailable right now: {error}"},
            headers={"Retry-After": "2"},
        )
    if isinstance(error, AuthError):
        return JSONResponse(
            status_code=401, content={"detail": str(error)}, headers={"WWW-Authenticate": "Bearer"}
        )
    return JSONResponse(status_code=400, content={"detail": str(error)})


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""

    async def on_validation(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return _validation_response(request, error)

    async def on_smartspot(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, SmartspotError)
        return _smartspot_response(error)

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        headers = dict(error.headers) if error.headers else None
        return JSONResponse(
            status_code=error.status_code, content={"detail": error.detail}, headers=headers
        )

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            status_code=500,
            content={"detail": "internal error; it has been logged, please report it"},
        )

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(SmartspotError, on_smartspot)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


class BodySizeLimit:
    """Pure ASGI middleware: refuse a request body over ``max_bytes`` with 413.

    Checks the declared ``Content-Length`` first and then counts the bytes actually received,
    so a chunked upload cannot slip past the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(send, 400, "Content-Length is not a number")
                    return
                if declared > self.max_bytes:
                    await self._refuse(send, 413, self._too_large())
                    return
        has_length = any(name == b"content-length" for name, _ in scope.get("headers", ()))
        if has_length:
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): read the body here, counting, and replay it.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            received += len(body)
            if received > self.max_bytes:
                await self._refuse(send, 413, self._too_large())
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"the request body is larger than the limit of {self.max_bytes:,} bytes"

    @staticmethod
    async def _refuse(send: Send, status: int, detail: str) -> None:
        import json

        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
