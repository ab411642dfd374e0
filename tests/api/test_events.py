"""The live event stream: the store's event log, tailed per listener, resumable by id."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.events import EventStream
from smartspot.store import postgres_listen
from smartspot.store.open import Store, open_store
from smartspot.store.postgres_listen import EventNotifications
from tests.pg_cluster import Cluster

# The routes' store work, on SQLite and on PostGIS (tests/conftest.py).
pytestmark = pytest.mark.both_backends

AT = datetime(2026, 3, 14, 21, 0, tzinfo=UTC)


def _fields(chunk: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in chunk.strip().splitlines())


def _append(store: Store, stream: EventStream, kind: str, data: dict[str, str]) -> None:
    with store.transaction():
        store.events.append(kind, data, at=AT)
        store.after_commit(stream.wake)


def test_an_event_written_from_another_thread_reaches_each_listener(database: str | Path) -> None:
    store = open_store(database, create=True)
    stream = EventStream(store, poll_s=5)  # the wake-up, not the poll, must deliver it

    async def scenario() -> list[str]:
        first, second = stream.listen(keepalive_s=5), stream.listen(keepalive_s=5)
        assert "connected" in await anext(first)
        assert "connected" in await anext(second)
        assert stream.listeners == 2
        pending = [asyncio.ensure_future(anext(g)) for g in (first, second)]
        await asyncio.sleep(0.05)
        thread = threading.Thread(target=_append, args=(store, stream, "proposal", {"id": "PR-1"}))
        thread.start()
        thread.join()
        got = [await asyncio.wait_for(p, 2) for p in pending]
        await first.aclose()
        await second.aclose()
        assert stream.listeners == 0
        return got

    for chunk in asyncio.run(scenario()):
        lines = _fields(chunk)
        assert (lines["id"], lines["event"]) == ("1", "proposal")
        assert json.loads(lines["data"]) == {"id": "PR-1"}
    store.close()


def test_a_listener_resumes_after_the_last_event_id_it_saw(database: str | Path) -> None:
    store = open_store(database, create=True)
    stream = EventStream(store, poll_s=0.01)
    for k in range(5):
        _append(store, stream, "visit", {"n": str(k)})

    async def scenario() -> list[str]:
        resumed = stream.listen(after=2, keepalive_s=5)
        await anext(resumed)
        got = [await asyncio.wait_for(anext(resumed), 2) for _ in range(3)]
        await resumed.aclose()
        return got

    assert [_fields(c)["id"] for c in asyncio.run(scenario())] == ["3", "4", "5"]
    store.close()


def test_events_written_by_another_process_arrive_by_polling(database: str | Path) -> None:
    mine = open_store(database, create=True)
    theirs = open_store(database)  # another worker on the same database
    stream = EventStream(mine, poll_s=0.02)

    async def scenario() -> str:
        listener = stream.listen(keepalive_s=5)
        await anext(listener)
        pending = asyncio.ensure_future(anext(listener))
        await asyncio.sleep(0.05)
        with theirs.transaction():
            theirs.events.append("patrol", {"call_sign": "MV-21"}, at=AT)
        chunk = await asyncio.wait_for(pending, 2)
        await listener.aclose()
        return chunk

    assert _fields(asyncio.run(scenario()))["event"] == "patrol"
    mine.close()
    theirs.close()


def test_a_quiet_stream_sends_keep_alive_comments(database: str | Path) -> None:
    store = open_store(database, create=True)

    async def scenario() -> str:
        listener = EventStream(store, poll_s=0.01).listen(keepalive_s=0.02)
        await anext(listener)
        chunk = await anext(listener)
        await listener.aclose()
        return chunk

    assert asyncio.run(scenario()) == ": keep-alive\n\n"
    store.close()


def test_on_postgresql_another_process_s_events_arrive_by_notify_not_by_polling(
    pg_cluster: Cluster,
) -> None:
    name = pg_cluster.new_database()
    mine, theirs = open_store(pg_cluster.url(name)), open_store(pg_cluster.url(name))
    stream = EventStream(mine, poll_s=60)  # a poll would come far too late
    notifications = EventNotifications(pg_cluster.url(name), stream.wake)
    notifications.start()
    assert notifications.listening

    async def scenario() -> list[str]:
        listener = stream.listen(keepalive_s=120)
        await anext(listener)
        got = []
        for n in range(3):
            pending = asyncio.ensure_future(anext(listener))
            await asyncio.sleep(0.05)
            with theirs.transaction():  # another worker's commit
                theirs.events.append("patrol", {"n": str(n)}, at=AT)
            got.append(await asyncio.wait_for(pending, 5))
        await listener.aclose()
        return got

    try:
        chunks = asyncio.run(scenario())
    finally:
        notifications.stop()
        mine.close()
        theirs.close()
        pg_cluster.drop_database(name)
    assert [_fields(c)["id"] for c in chunks] == ["1", "2", "3"]
    assert [json.loads(_fields(c)["data"])["n"] for c in chunks] == ["0", "1", "2"]


def test_stopping_the_postgresql_listener_does_not_wait_for_its_wait_to_time_out(
    pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_listen, "WAIT_S", 60.0)  # a wait far longer than the bound
    name = pg_cluster.new_database()
    notifications = EventNotifications(pg_cluster.url(name), lambda: None)
    notifications.start()
    assert notifications.listening
    stopping = threading.Thread(target=notifications.stop)
    stopping.start()
    stopping.join(timeout=10)  # without the wake-up on its own channel: 60 s
    try:
        assert not stopping.is_alive(), "stop() waited for the LISTEN wait to time out"
    finally:
        stopping.join()
        pg_cluster.drop_database(name)


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_the_stream_needs_a_valid_token(client: TestClient, token: str | None) -> None:
    params = {} if token is None else {"access_token": token}
    assert client.get("/events", params=params).status_code == 401
