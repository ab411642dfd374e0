"""The error answers every operation can give, as OpenAPI ``responses=`` tables.

The bodies are the ones :mod:`api.errors` writes; a client (and schemathesis) can check them
against these models. ``PUBLIC`` is for the routes without a login, ``SECURED`` for the rest.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    """Every error answer: ``detail`` in the request's language (Danish by default)."""

    detail: str = Field(description="what went wrong, in words for people")


class MalformedOut(ErrorOut):
    """400: the body is not valid JSON (``position`` locates the problem when known)."""

    position: int | str | None = Field(default=None, description="where in the body")


class FieldProblem(BaseModel):
    field: str = Field(description="dotted path of the field, e.g. properties.priority")
    message: str = Field(description="the problem in words")
    type: str | None = Field(description="stable problem code, e.g. missing, too_long")


class ValidationOut(ErrorOut):
    """422: the request fails the schema (``errors`` lists every problem) or a domain rule
    (``field`` names the field, ``errors`` holds that one problem)."""

    errors: list[FieldProblem] = Field(description="every problem found")
    field: str | None = Field(default=None, description="the field a domain rule refused")


def _answer(description: str, model: type[BaseModel] = ErrorOut) -> dict[str, Any]:
    return {"description": description, "model": model}


PUBLIC: dict[int | str, dict[str, Any]] = {
    400: _answer(
        "malformed request: the body is not JSON, or Content-Length is no number", MalformedOut
    ),
    413: _answer("the request body is larger than the configured limit"),
    422: _answer("the request fails the schema or a rule of the domain", ValidationOut),
    503: _answer(
        "the database is unavailable right now (busy or locked): retry after Retry-After seconds"
    ),
}

SECURED: dict[int | str, dict[str, Any]] = {
    **PUBLIC,
    401: _answer("no token, or an expired or revoked one (WWW-Authenticate: Bearer)"),
    403: _answer("this role may not do this, or the object lies outside the user's politikredse"),
    404: _answer("no such object (hotspot, car, callout, proposal, visit, user)"),
    409: _answer("the state forbids it: a stale version, or a step out of order"),
}
