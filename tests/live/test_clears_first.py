"""Clears before AVL batches in one process (smartspot/live/clears_first.py)."""

from __future__ import annotations

import threading

import pytest

from smartspot.live import clears_first
from smartspot.live.clears_first import ClearsFirst
from smartspot.live.engine import Vagtcentral
from smartspot.live.positions import Fix
from tests.live.conftest import HERNING, NOW, MakeEngine


def test_a_batch_waits_while_a_clear_is_in_progress_and_goes_when_it_is_done() -> None:
    gate = ClearsFirst()
    went = threading.Event()

    def batch() -> None:
        assert gate.wait(limit_s=30)
        went.set()

    with gate.clearing():
        worker = threading.Thread(target=batch)
        worker.start()
        assert not went.wait(0.2)  # still waiting for the clear
    worker.join(30)
    assert went.is_set()


def test_a_batch_waits_no_longer_than_its_limit_and_not_at_all_without_a_clear() -> None:
    gate = ClearsFirst()
    assert gate.wait(limit_s=0)  # no clear: at once
    with gate.clearing(), gate.clearing():  # two clears in progress
        assert not gate.wait(limit_s=0.01)  # gave up: runs beside them
    assert gate.wait(limit_s=0)


def test_a_clear_that_fails_still_lets_the_batches_go() -> None:
    gate = ClearsFirst()
    try:
        with gate.clearing():
            raise ValueError("planning failed")
    except ValueError:
        pass
    assert gate.wait(limit_s=0)


def test_the_engines_batch_waits_for_its_clear_then_stores_its_fixes(
    engine: Vagtcentral, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clears_first, "BATCH_WAIT_S", 60.0)  # the clear ends the wait, not this
    engine.add_patrol("MV-21", "st01", actor="op")
    stored: list[int] = []

    def batch() -> None:
        stored.append(engine.record_positions([Fix("MV-21", *HERNING, NOW)]).stored)

    with engine.clears_first.clearing():  # a clear of this process is planning
        worker = threading.Thread(target=batch)
        worker.start()
        worker.join(0.2)
        assert stored == []  # waiting for the clear
    worker.join(30)
    assert stored == [1]


def test_a_batch_waits_for_another_workers_clear_on_postgresql_only(
    make_engine: MakeEngine, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clears_first, "BATCH_WAIT_S", 60.0)  # the clear ends the wait, not this
    clearer, batcher = make_engine(), make_engine()  # two workers on one database
    batcher.add_patrol("MV-21", "st01", actor="op")
    stored: list[int] = []

    def batch() -> None:
        stored.append(batcher.record_positions([Fix("MV-21", *HERNING, NOW)]).stored)

    with clearer.clears_first.clearing():  # the OTHER worker's clear is planning
        worker = threading.Thread(target=batch)
        worker.start()
        worker.join(0.3)
        # PostgreSQL: held back by the store's clear gate; SQLite: one worker writes it only
        assert stored == ([] if backend == "postgis" else [1])
    worker.join(30)
    assert stored == [1]
