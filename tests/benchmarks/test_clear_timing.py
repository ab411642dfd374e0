"""The national benchmark's per-clear server timings (benchmarks/clear_timing.py): the header a
clear's answer carries, filled in from the route's thread."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from benchmarks import clear_timing
from benchmarks.clear_timing import ServerTiming, header, parse


def test_a_header_reads_back_as_its_milliseconds() -> None:
    made = header({"app": 44.125, "engine": 36.3, "gc": 0.0})
    assert made == b"app;dur=44.12, engine;dur=36.30, gc;dur=0.00"
    assert parse(made.decode()) == {"app": 44.12, "engine": 36.3, "gc": 0.0}


def test_metrics_without_a_duration_or_with_other_params_are_read_as_far_as_they_go() -> None:
    found = parse('db;desc="store";dur=3.5, cache;desc=hit, miss;dur=abc, total;dur="7"')
    assert found == {"db": 3.5, "total": 7.0}
    assert parse(None) == {}
    assert parse("") == {}


@pytest.fixture
def watched() -> Iterator[None]:
    gc.callbacks.append(clear_timing._gc_watch)
    try:
        yield
    finally:
        gc.callbacks.remove(clear_timing._gc_watch)


def _app(collect: bool = False) -> FastAPI:
    app = FastAPI()

    @clear_timing._timed_clear
    def engine_clear(callout: str) -> dict[str, Any]:
        if collect:
            gc.collect()  # a full collection inside the clear, as the service's collector may
        time.sleep(0.002)  # at least 2 ms in the engine
        return {"callout": callout}

    @app.post("/callouts/{callout}/clear")
    def clear(callout: str) -> dict[str, Any]:  # a plain def: FastAPI's threadpool runs it
        return engine_clear(callout)

    @app.post("/callouts/{callout}/arrive")
    def arrive(callout: str) -> dict[str, Any]:
        return engine_clear(callout)

    return app


def test_a_clear_answer_carries_its_server_and_engine_time_from_the_routes_thread() -> None:
    with TestClient(ServerTiming(_app())) as client:
        answer = client.post("/callouts/c1/clear")
    assert answer.json() == {"callout": "c1"}
    timings = parse(answer.headers["server-timing"])
    assert set(timings) == {"app", "before", "engine", "after", "loop", "gc", "gc1", "gc2"}
    # the engine's time (its 2 ms sleep at least) came back from the threadpool; the app's
    # is its own before and after it, and the engine's
    assert 2.0 <= timings["engine"] <= timings["app"]
    parts = timings["before"] + timings["engine"] + timings["after"]
    assert parts == pytest.approx(timings["app"], abs=0.02)  # each rounded to 0.01 ms


def test_other_answers_carry_no_timing() -> None:
    with TestClient(ServerTiming(_app())) as client:
        answer = client.post("/callouts/c1/arrive")
    assert answer.status_code == 200
    assert "server-timing" not in answer.headers


def test_a_collection_during_the_clear_is_counted_as_a_full_one(watched: None) -> None:
    with TestClient(ServerTiming(_app(collect=True))) as client:
        timings = parse(client.post("/callouts/c1/clear").headers["server-timing"])
    assert timings["gc"] > 0
    assert timings["gc2"] > 0
    assert timings["gc2"] <= timings["gc"]


def test_the_loops_lateness_is_the_worst_tick_that_ended_during_the_clear() -> None:
    ticks = clear_timing._TICKS
    kept = list(ticks)
    ticks.clear()
    try:
        ticks.extend([(10.0, 0.050), (10.1, 0.002), (10.2, 0.007), (10.3, 0.001), (11.0, 0.3)])
        assert clear_timing._loop_late(10.05, 10.35) == pytest.approx(7.0)
        assert clear_timing._loop_late(10.5, 10.9) == 0.0  # no tick ended then
    finally:
        ticks.clear()
        ticks.extend(kept)
