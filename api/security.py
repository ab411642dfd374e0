"""Security headers on every answer, and the API documentation behind a login.

* ``Content-Security-Policy``: scripts, styles, fonts and connections from this origin only
  (the map and the documentation page are self-hosted; no CDN), images also as ``data:`` /
  ``blob:`` and from the optional tile server; no plug-ins, no ``<base>``, and no framing
  (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for older browsers).
* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
* ``Strict-Transport-Security`` when the request came over TLS (``https``; behind a reverse
  proxy run uvicorn with ``--proxy-headers`` so it knows).

``/openapi.json`` wants a login unless ``SMARTSPOT_OPEN_DOCS`` is set; ``/docs`` is a viewer
(Swagger UI from npm, served by the app) that fetches the schema with the map's login.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import current_principal, oauth2_scheme

HSTS = "max-age=31536000; includeSubDomains"


def tile_source(tile_url: str) -> str:
    """The CSP source for a tile URL template (``{s}`` subdomains become ``*``)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "tiles-sub"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.replace("tiles-sub", "*")
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str = "") -> str:
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tile_source(tile_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """ASGI middleware that adds the security headers to every HTTP answer."""

    def __init__(self, app: ASGIApp, *, tile_url: str = "") -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(tile_url),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if over_tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _docs_reader(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> None:
    if not request.app.state.settings.open_docs:
        current_principal(request, token)


def docs_router(app: FastAPI, docs_page: Any) -> APIRouter:
    """``/openapi.json`` (login unless open) and ``/docs`` (the self-hosted viewer)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json", dependencies=[Depends(_docs_reader)])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @router.get("/docs")
    def docs() -> FileResponse:
        return FileResponse(docs_page, media_type="text/html")

    return router
