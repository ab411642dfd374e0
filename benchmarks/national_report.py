"""The national benchmark's figures as Markdown for ``benchmarks/RESULTS.md``
(:mod:`benchmarks.national`)."""

from __future__ import annotations

from typing import Any

import numpy as np


def counts(values: list[int]) -> dict[str, int]:
    """How many clears planned for 1, 2, … cars."""
    return {str(k): values.count(k) for k in sorted(set(values))}


def lost(ids: list[int]) -> int:
    """Events missing between the first and the last id seen."""
    return 0 if not ids else (max(ids) - min(ids) + 1) - len(set(ids))


def spread(values: list[float]) -> dict[str, float]:
    """p50, p99 and max of milliseconds (numpy's linear percentiles, as the latencies')."""
    if not values:
        return {}
    found = np.array(values, dtype=float)
    return {
        "p50_ms": round(float(np.percentile(found, 50)), 1),
        "p99_ms": round(float(np.percentile(found, 99)), 1),
        "max_ms": round(float(found.max()), 1),
    }


def server_side(each: list[dict[str, Any]]) -> dict[str, Any]:
    """The server's side of the clears (``app_ms``, ``engine_ms``, ``before_ms``,
    ``after_ms``, ``gc_ms`` of each, from its ``Server-Timing`` header) and the desk's wait beyond the app (``client_ms`` −
    ``app_ms``: the client's own time, uvicorn's parsing and the loopback); only clears whose
    answer carried the header count."""
    timed = [c for c in each if "app_ms" in c]
    return {
        "timed": len(timed),
        "server": spread([c["app_ms"] for c in timed]),
        "engine": spread([c["engine_ms"] for c in timed if "engine_ms" in c]),
        "before_engine": spread([c["before_ms"] for c in timed if "before_ms" in c]),
        "after_engine": spread([c["after_ms"] for c in timed if "after_ms" in c]),
        "views": spread([c["views_ms"] for c in timed if "views_ms" in c]),
        "loop_late": spread([c["loop_ms"] for c in timed if "loop_ms" in c]),
        "gc": spread([c.get("gc_ms", 0.0) for c in timed]),
        "beyond_server": spread([c["client_ms"] - c["app_ms"] for c in timed]),
    }


def _three(found: dict[str, Any]) -> str:
    if not found or "p50_ms" not in found:
        return "–"
    return f"{found['p50_ms']} / {found['p99_ms']} / {found['max_ms']}"


def markdown(results: dict[str, Any]) -> str:
    """The first clears in a line and a table row per phase."""
    lines: list[str] = []
    first = results["first_clears"]["clears"]
    lines.append(
        f"first clear per politikreds ({results['first_clears']['districts']} districts, "
        f"cold): p50 {first.get('p50_ms')} ms, max {first.get('max_ms')} ms"
    )
    lines.append(
        "\n| phase | fixes/s (target) | AVL p50 / p99 | clears | cars per clear | clear p50 / p99 "
        "/ max (desk) | in the server (app) | in the engine | SSE events (lost) | SSE lag p50 / "
        "p99 | cores: desk / AVL / map / server / database | errors |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in ("normal", "stress"):
        r = results[name]
        a, c, e, u = r["avl"], r["clears"], r["sse"], r["cores_used"]
        lines.append(
            f"| {name} | {r['fixes_per_s']:,.0f} ({r['target_fixes_per_s']:,.0f}) | "
            f"{a.get('p50_ms')} / {a.get('p99_ms')} ms | {c['requests']} | "
            f"{c['cars_planned']} | "
            f"{c.get('p50_ms')} / {c.get('p99_ms')} / {c.get('max_ms')} ms | "
            f"{_three(c.get('server', {}))} | {_three(c.get('engine', {}))} | "
            f"{e['events']} ({e['lost']}) | {e.get('p50_lag_ms')} / {e.get('p99_lag_ms')} ms | "
            f"{u.get('generator')} / {u.get('avl', '–')} / {u.get('map', '–')} / "
            f"{u.get('server')} / {u.get('database', '–')} | "
            f"{r['error_count']} |"
        )
    return "\n".join(lines)
