"""The live event stream: events published from worker threads reach every listener."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from fastapi.testclient import TestClient

from api.events import EventBus


def test_an_event_published_from_another_thread_reaches_each_listener() -> None:
    async def scenario() -> list[str]:
        bus = EventBus()
        first, second = bus.listen(keepalive_s=5), bus.listen(keepalive_s=5)
        assert "connected" in await anext(first)
        assert "connected" in await anext(second)
        assert bus.listeners == 2
        thread = threading.Thread(target=bus.publish, args=("proposal", {"id": "PR-1"}))
        thread.start()
        thread.join()
        got = [await asyncio.wait_for(anext(g), 5) for g in (first, second)]
        await first.aclose()
        await second.aclose()
        assert bus.listeners == 0
        return got

    for chunk in asyncio.run(scenario()):
        lines = dict(line.split(": ", 1) for line in chunk.strip().splitlines())
        assert lines["event"] == "proposal"
        assert json.loads(lines["data"]) == {"id": "PR-1"}


def test_a_quiet_stream_sends_keep_alive_comments() -> None:
    async def scenario() -> str:
        stream = EventBus().listen(keepalive_s=0.01)
        await anext(stream)
        chunk = await anext(stream)
        await stream.aclose()
        return chunk

    assert asyncio.run(scenario()) == ": keep-alive\n\n"


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_the_stream_needs_a_valid_token(client: TestClient, token: str | None) -> None:
    params = {} if token is None else {"access_token": token}
    assert client.get("/events", params=params).status_code == 401
