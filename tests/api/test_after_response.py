"""What a route leaves for after its answer runs after the answer is sent, also when the app
fails, and a route without the middleware is told to do it itself."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.after_response import AfterResponse, after_response
from smartspot.optimise.pace import CollectorHold


def _app(events: list[str], *, fail: bool = False) -> Any:
    def route(request: Request) -> PlainTextResponse:
        after_response(request, lambda: events.append("work"))
        if fail:
            raise RuntimeError("broken")
        return PlainTextResponse("answer")

    inner = Starlette(routes=[Route("/", route)])

    async def app(scope: Any, receive: Any, send: Any) -> None:
        async def sent(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                events.append("body")
            await send(message)

        await inner(scope, receive, sent)

    return AfterResponse(app)


async def _call(app: Any) -> None:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        pass

    await app(scope, receive, send)


def test_the_work_runs_after_the_answer_is_sent() -> None:
    import asyncio

    events: list[str] = []
    asyncio.run(_call(_app(events)))
    assert events == ["body", "work"]


def test_the_work_runs_when_the_route_fails() -> None:
    import asyncio

    events: list[str] = []
    with pytest.raises(RuntimeError):
        asyncio.run(_call(_app(events, fail=True)))
    assert events == ["body", "work"]  # the 500 answer, then the work


def test_without_the_middleware_the_route_is_told_to_do_it_now() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    assert after_response(request, lambda: None) is False


def test_a_held_pause_resumes_the_collector_once_however_often_released() -> None:
    assert gc.isenabled()
    hold = CollectorHold()
    assert not gc.isenabled()
    other = CollectorHold()  # a second clear at the same time
    hold.release()
    hold.release()  # the second release does not end the other's pause
    assert not gc.isenabled()
    other.release()
    assert gc.isenabled()
