"""The national benchmark's figures as Markdown for ``benchmarks/RESULTS.md``
(:mod:`benchmarks.national`)."""

from __future__ import annotations

from typing import Any


def counts(values: list[int]) -> dict[str, int]:
    """How many clears planned for 1, 2, … cars."""
    return {str(k): values.count(k) for k in sorted(set(values))}


def lost(ids: list[int]) -> int:
    """Events missing between the first and the last id seen."""
    return 0 if not ids else (max(ids) - min(ids) + 1) - len(set(ids))


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
        "/ max | SSE events (lost) | SSE lag p50 / p99 | cores: generator / server / database "
        "| errors |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for name in ("normal", "stress"):
        r = results[name]
        a, c, e, u = r["avl"], r["clears"], r["sse"], r["cores_used"]
        lines.append(
            f"| {name} | {r['fixes_per_s']:,.0f} ({r['target_fixes_per_s']:,.0f}) | "
            f"{a.get('p50_ms')} / {a.get('p99_ms')} ms | {c['requests']} | "
            f"{c['cars_planned']} | "
            f"{c.get('p50_ms')} / {c.get('p99_ms')} / {c.get('max_ms')} ms | "
            f"{e['events']} ({e['lost']}) | {e.get('p50_lag_ms')} / {e.get('p99_lag_ms')} ms | "
            f"{u.get('generator')} / {u.get('server')} / {u.get('database', '–')} | "
            f"{r['error_count']} |"
        )
    return "\n".join(lines)
