"""The one place that turns errors into HTTP answers a person can act on.

Every answer is JSON ``{"detail": "...", ...}`` with a precise status, never a traceback.
``detail`` is for people, in the language of the request's ``Accept-Language`` (Danish by
default); ``field``, ``errors[].field`` and ``errors[].type`` are stable codes for programs.

=============================  ======  ==================================================
cause                          status  body
=============================  ======  ==================================================
malformed JSON body            400     ``detail``, ``position``
request fails the schema       422     ``detail`` (first problem in words), ``errors``
InvalidInputError              422     ``detail``, ``field``, ``errors`` (that one problem)
AuthError (credentials)        401     ``detail``; ``WWW-Authenticate: Bearer``
role may not do this           403     ``detail``
ForbiddenError (district)      403     ``detail`` (outside the user's politikredse)
NotFoundError                  404     ``detail``
ConflictError (stale version)  409     ``detail``
body over the size limit       413     ``detail``
StorageError (locked DB)       503     ``detail``; ``Retry-After``
anything else                  500     ``detail`` without internals (a bug to fix)
=============================  ======  ==================================================

:mod:`api.responses` documents these bodies in the OpenAPI schema.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from api.language import request_translator
from smartspot.errors import (
    AuthError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    SmartspotError,
    StorageError,
)
from smartspot.i18n import N_, Message, Translator, msg, negotiate, translator

log = logging.getLogger("smartspot.api")


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


#: Starlette's own answers (unknown path, wrong method), marked for the catalog.
HTTP_PHRASES = (N_("Not Found"), N_("Method Not Allowed"), N_("Unauthorized"), N_("Forbidden"))

#: The JSON parser's own words (CPython's ``json`` module), marked for the catalog.
JSON_PROBLEMS = (
    N_("Expecting value"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Expecting ',' delimiter"),
    N_("Expecting ':' delimiter"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
    N_("Invalid \\escape"),
    N_("Invalid \\uXXXX escape"),
    N_("Extra data"),
    N_("Illegal trailing comma before end of object"),
    N_("Illegal trailing comma before end of array"),
    N_("parse error"),
)

#: Pydantic's most common problems in words of our own (its own texts are English only).
_SCHEMA_TEXTS: dict[str, str] = {
    "missing": N_("required"),
    "extra_forbidden": N_("not a known field"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "bool_parsing": N_("must be true or false"),
    "string_type": N_("must be text"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be an object"),
    "model_attributes_type": N_("must be an object"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "string_too_short": N_("must be at least {min_length} characters"),
    "string_too_long": N_("must be at most {max_length} characters"),
    "too_short": N_("must have at least {min_length} items"),
    "too_long": N_("must have at most {max_length} items"),
    "enum": N_("must be one of {expected}"),
    "literal_error": N_("must be one of {expected}"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "datetime_parsing": N_("must be a date and time (ISO 8601)"),
    "datetime_from_date_parsing": N_("must be a date and time (ISO 8601)"),
    "string_pattern_mismatch": N_("does not have the expected form"),
}


def _schema_problem(item: Mapping[str, Any]) -> Message:
    """One schema problem in words; pydantic's English text when we have none of our own."""
    cause = (item.get("ctx") or {}).get("error")
    if isinstance(getattr(cause, "message", None), Message):  # our own check, in our words
        found: Message = cause.message  # type: ignore[union-attr]
        return found
    text = _SCHEMA_TEXTS.get(str(item.get("type")))
    if text is None:
        return Message(str(item.get("msg", "invalid")), translate=False)
    ctx = {
        k: v if isinstance(v, int | float) else str(v) for k, v in (item.get("ctx") or {}).items()
    }
    try:
        text.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return Message(str(item.get("msg", "invalid")), translate=False)
    return Message(text, ctx)


def _json_problem(text: str) -> Message:
    """The parser's problem in the reader's language when the catalog knows it."""
    return Message(text, translate=text in JSON_PROBLEMS)


def _validation_response(request: Request, error: RequestValidationError) -> JSONResponse:
    t = request_translator(request)
    errors = list(error.errors())
    for item in errors:
        if item.get("type") == "json_invalid":
            ctx = item.get("ctx") or {}
            return JSONResponse(
                status_code=400,
                content={
                    "detail": t(
                        msg(
                            "the request body is not valid JSON ({error})",
                            error=_json_problem(str(ctx.get("error", "parse error"))),
                        )
                    ),
                    "position": (item.get("loc") or [None, None])[-1],
                },
            )
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": "invalid"}
    where = _location(first.get("loc", ()))
    clean = [
        {
            "field": _location(e.get("loc", ())),
            "message": t(_schema_problem(e)),
            "type": e.get("type"),
        }
        for e in errors
    ]
    detail = msg("{field}: {problem}", field=where, problem=_schema_problem(first))
    return JSONResponse(status_code=422, content={"detail": t(detail), "errors": clean})


def _smartspot_response(error: SmartspotError, t: Translator) -> JSONResponse:
    text = t(error.message)
    if isinstance(error, InvalidInputError):
        problem = {"field": error.field or "body", "message": text, "type": "invalid"}
        return JSONResponse(
            status_code=422, content={"detail": text, "field": error.field, "errors": [problem]}
        )
    if isinstance(error, NotFoundError):
        return JSONResponse(status_code=404, content={"detail": text})
    if isinstance(error, ForbiddenError):
        return JSONResponse(status_code=403, content={"detail": text})
    if isinstance(error, ConflictError):
        return JSONResponse(status_code=409, content={"detail": text})
    if isinstance(error, StorageError):
        return JSONResponse(
            status_code=503,
            content={
                "detail": t(msg("the database is unavailable right now: {error}", error=error))
            },
            headers={"Retry-After": "2"},
        )
    if isinstance(error, AuthError):
        return JSONResponse(
            status_code=401, content={"detail": text}, headers={"WWW-Authenticate": "Bearer"}
        )
    return JSONResponse(status_code=400, content={"detail": text})


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""

    async def on_validation(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return _validation_response(request, error)

    async def on_smartspot(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, SmartspotError)
        return _smartspot_response(error, request_translator(request))

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        headers = dict(error.headers) if error.headers else None
        detail = error.detail
        if isinstance(detail, Message | str):
            # Starlette's own details are HTTP reason phrases, in the catalog below
            detail = request_translator(request)(detail)
        return JSONResponse(
            status_code=error.status_code, content={"detail": detail}, headers=headers
        )

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            status_code=500,
            content={
                "detail": request_translator(request)(
                    msg("internal error; it has been logged, please report it")
                )
            },
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
                    await self._refuse(
                        send, 400, self._t(scope)(msg("Content-Length is not a number"))
                    )
                    return
                if declared > self.max_bytes:
                    await self._refuse(send, 413, self._too_large(scope))
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
                await self._refuse(send, 413, self._too_large(scope))
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> AsgiMessage:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _t(scope: Scope) -> Translator:
        accept = next(
            (v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"accept-language"),
            None,
        )
        settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
        return translator(negotiate(accept, getattr(settings, "language", "da")))

    def _too_large(self, scope: Scope) -> str:
        return self._t(scope)(
            msg(
                "the request body is larger than the limit of {limit:,} bytes",
                limit=self.max_bytes,
            )
        )

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
