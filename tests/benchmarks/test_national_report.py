"""The national benchmark's figures (benchmarks/national_report.py)."""

from __future__ import annotations

from benchmarks.national_report import lost, server_side, spread


def test_a_gap_between_event_ids_counts_as_lost_events() -> None:
    assert lost([]) == 0
    assert lost([5, 6, 7]) == 0
    assert lost([5, 7, 8, 11]) == 2 + 1
    assert lost([3, 3, 4]) == 0  # seen twice is not lost


def test_the_spread_is_p50_p99_and_max() -> None:
    assert spread([]) == {}
    found = spread([float(v) for v in range(1, 101)])
    assert found == {"p50_ms": 50.5, "p99_ms": 99.0, "max_ms": 100.0}


def test_the_server_side_counts_only_timed_clears_and_what_the_desk_waited_beyond() -> None:
    each = [
        {"client_ms": 50.0, "app_ms": 45.0, "engine_ms": 40.0, "gc_ms": 0.0, "after_ms": 3.0},
        {"client_ms": 90.0, "app_ms": 70.0, "engine_ms": 60.0, "gc_ms": 12.0, "after_ms": 7.0},
        {"client_ms": 500.0},  # no header: not timed, not in the server's spread
    ]
    found = server_side(each)
    assert found["timed"] == 2
    assert found["server"]["max_ms"] == 70.0
    assert found["engine"]["p50_ms"] == 50.0
    assert found["gc"]["max_ms"] == 12.0
    assert found["after_engine"]["p50_ms"] == 5.0
    assert found["before_engine"] == {}
    assert found["beyond_server"]["max_ms"] == 20.0
    assert found["beyond_server"]["p50_ms"] == 12.5
