"""The service's start-up (``api.app``): warming its districts before it takes requests."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from api.app import GC_THRESHOLDS, services_of, warm


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """The test process's own heap and thread switching as they were (warming changes both)."""
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    sys.setswitchinterval(interval)
    gc.set_threshold(*thresholds)


def test_warming_keeps_what_it_read_out_of_the_collectors_full_collections(
    app: FastAPI, unfrozen: None
) -> None:
    engine = services_of(app).engine
    warmed = warm(app)
    assert warmed == ["Midt- og Vestjyllands Politi", "Østjyllands Politi"]
    spots = engine.hotspots._spots  # the open hotspots the engine read while warming
    tracked = gc.get_objects()  # the collected generations; frozen objects are not in them
    assert gc.get_freeze_count() > 0
    assert not any(o is spots for o in tracked)
    assert not any(o is engine.round_trips._known for o in tracked)
    fresh: list[object] = [object()]  # made after the start-up: collected, less often
    assert any(o is fresh for o in gc.get_objects())
    assert gc.get_threshold() == GC_THRESHOLDS


def test_a_warmed_service_hands_the_interpreter_over_within_half_a_millisecond(
    app: FastAPI, unfrozen: None
) -> None:
    sys.setswitchinterval(0.005)  # CPython's default
    warm(app)
    assert sys.getswitchinterval() == pytest.approx(0.0005)
