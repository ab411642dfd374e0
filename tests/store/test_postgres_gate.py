"""The clear gate across processes on PostgreSQL (smartspot/store/postgres_gate.py): two store
instances on one database are two workers (nothing shared but the database)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from smartspot.store.postgres import PostgresStore
from smartspot.store.postgres_gate import CLEAR_GATE
from smartspot.store.sqlite import SqliteStore
from tests.pg_cluster import Cluster


@pytest.fixture
def url(pg_cluster: Cluster) -> Iterator[str]:
    name = pg_cluster.new_database()
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)


@pytest.fixture
def workers(url: str) -> Iterator[list[PostgresStore]]:
    stores = [PostgresStore(url, create=True) for _ in range(3)]
    yield stores
    for store in stores:
        store.close()


def released(store: PostgresStore) -> bool:
    """True once no clear holds the gate, asked for up to 10 s."""
    deadline = time.monotonic() + 10
    while not store.clear_gate.wait(0):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_batch_waits_while_another_workers_clear_is_in_progress(
    workers: list[PostgresStore],
) -> None:
    clearer, batcher, _ = workers
    went = threading.Event()
    answers: list[bool] = []

    def batch() -> None:
        answers.append(batcher.clear_gate.wait(30))
        went.set()

    with clearer.clear_gate.clearing():
        thread = threading.Thread(target=batch)
        thread.start()
        assert not went.wait(0.3)  # the other worker's clear holds it back
    thread.join(30)
    assert answers == [True]
    assert batcher.clear_gate.wait(0)  # nothing held after the clear


def test_a_batch_goes_after_its_limit_and_at_once_without_a_clear(
    workers: list[PostgresStore],
) -> None:
    clearer, batcher, _ = workers
    start = time.monotonic()
    assert batcher.clear_gate.wait(5)
    assert time.monotonic() - start < 1
    with clearer.clear_gate.clearing():
        start = time.monotonic()
        assert not batcher.clear_gate.wait(0.1)
        waited = time.monotonic() - start
    assert 0.1 <= waited < 2


def test_two_clears_hold_it_together_and_a_waiting_batch_never_holds_a_clear_back(
    workers: list[PostgresStore],
) -> None:
    # a batch waiting must not be a queued exclusive request: that would block the next
    # clear's shared one (PostgreSQL's lock queue)
    first, batcher, second = workers
    waited: list[bool] = []
    with first.clear_gate.clearing():
        thread = threading.Thread(target=lambda: waited.append(batcher.clear_gate.wait(3)))
        thread.start()
        time.sleep(0.05)  # the batch is waiting now
        start = time.monotonic()
        with second.clear_gate.clearing():
            assert time.monotonic() - start < 0.5  # not behind the waiting batch
        assert not batcher.clear_gate.wait(0)  # first's clear still in progress
    thread.join(10)
    assert waited == [True]
    with second.clear_gate.clearing():
        with first.clear_gate.clearing():
            pass
        assert not batcher.clear_gate.wait(0)  # second's clear still in progress
    assert batcher.clear_gate.wait(0)


def test_a_crashed_clear_releases_the_gate(url: str, workers: list[PostgresStore]) -> None:
    clearer, batcher, _ = workers
    stack = ExitStack()
    stack.enter_context(clearer.clear_gate.clearing())  # a clear that never ends ...
    assert not batcher.clear_gate.wait(0)
    pid = clearer.connection.info.backend_pid
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))  # ... its worker is gone
    assert released(batcher)
    stack.close()  # its release finds the connection gone: no error


def test_the_gate_is_the_clear_gate_lock(url: str, workers: list[PostgresStore]) -> None:
    batcher = workers[1]
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock_shared(%s)", (CLEAR_GATE,))
        assert not batcher.clear_gate.wait(0)
    assert released(batcher)  # its session ended (the server notices it a moment later)


def test_sqlite_has_nothing_to_wait_for(tmp_path: Path) -> None:
    one, two = (SqliteStore(tmp_path / "s.db", create=True) for _ in range(2))
    try:
        with one.clear_gate.clearing():
            start = time.monotonic()
            assert two.clear_gate.wait(5)  # one worker only: its own ClearsFirst is enough
            assert time.monotonic() - start < 0.5
    finally:
        one.close()
        two.close()
