"""Writing a settings sweep to a folder: ``sweep.json`` (every point with its intervals, the
frontiers and the verdict per district), ``sweep.csv`` (one row per point), ``runs.csv`` (one
row per run: the paired figures behind every interval) and ``sweep.html`` with the frontier
plot per district, in the translator's language (Danish by default)."""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from smartspot.i18n import N_, Translator, msg, translator
from smartspot.sim.report_format import STYLE, ci_cell, fmt, png
from smartspot.sim.summary import flatten
from smartspot.sim.sweep import (
    MEAN,
    OUTLYING_SHARE,
    P90,
    SHARE,
    Goal,
    Run,
    SweepPoint,
    Verdict,
    frontier,
    verdict,
)

COLUMNS = (
    "scenario",
    "label",
    "replications",
    "share",
    "share_low",
    "share_high",
    "outlying_share",
    "outlying_low",
    "outlying_high",
    "mean_change_pct",
    "mean_low",
    "mean_high",
    "p90_change_pct",
    "p90_low",
    "p90_high",
    "idle_accepted",
    "visits",
    "meets_goal",
    "frontier_mean",
    "frontier_p90",
)


#: ``runs.csv``: each run's own figures (the summary keys the sweep reads).
RUN_COLUMNS = {
    "share": SHARE,
    "outlying_share": OUTLYING_SHARE,
    "urgent_mean_s": MEAN,
    "urgent_p90_s": P90,
    "idle_accepted": "proposals.idle_accepted",
    "visits": "visits.total",
}


def write_runs(runs: Sequence[Run], out: Path, *, append: bool = False) -> Path:
    """``runs.csv`` in ``out``: one row per run (scenario, label, seed, settings and the
    figures the sweep pairs), so any two settings can be paired seed by seed afterwards;
    ``append`` adds the rows to the file (a sweep writes each run as it ends, so a stopped
    sweep keeps what it ran)."""
    path = out / "runs.csv"
    fresh = not append or not path.is_file()
    with path.open("w" if fresh else "a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if fresh:
            writer.writerow(["scenario", "label", "seed", "settings", *RUN_COLUMNS])
        for run in runs:
            flat = flatten(run.summary)
            writer.writerow(
                [
                    run.scenario,
                    run.label,
                    run.seed,
                    json.dumps(dict(run.settings)),
                    *(flat.get(key, "") for key in RUN_COLUMNS.values()),
                ]
            )
    return path


def read_runs(path: Path) -> list[Run]:
    """The runs a ``runs.csv`` holds (what :func:`write_runs` wrote), each with a summary of
    the figures the sweep pairs."""
    runs = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            summary: dict[str, Any] = {}
            for column, key in RUN_COLUMNS.items():
                if row.get(column) in (None, ""):
                    continue
                *parents, leaf = key.split(".")
                place = summary
                for parent in parents:
                    place = place.setdefault(parent, {})
                place[leaf] = float(row[column])
            settings = tuple(json.loads(row["settings"]).items())
            runs.append(Run(row["scenario"], row["label"], settings, int(row["seed"]), summary))
    return runs


def merge_runs(*groups: Sequence[Run]) -> list[Run]:
    """Runs of several sweeps as one: a (district, label, seed) met again is the same run
    (``none`` of a seed is run by every sweep) and kept once, the first time."""
    seen: dict[tuple[str, str, int], Run] = {}
    for group in groups:
        for run in group:
            seen.setdefault((run.scenario, run.label, run.seed), run)
    return list(seen.values())


def _row(point: SweepPoint, goal: Goal, on_mean: set[str], on_p90: set[str]) -> dict[str, Any]:
    def three(entry: Mapping[str, Any]) -> tuple[Any, Any, Any]:
        low, high = entry["ci"]
        return entry["mean"], low, high

    return dict(
        zip(
            COLUMNS,
            (
                point.scenario,
                point.label,
                point.share["n"],
                *three(point.share),
                *three(point.outlying),
                *three(point.mean_pct),
                *three(point.p90_pct),
                point.extra["idle_accepted"]["mean"],
                point.extra["visits"]["mean"],
                point.meets(goal),
                point.label in on_mean,
                point.label in on_p90,
            ),
            strict=True,
        )
    )


def _plot(points: Sequence[SweepPoint], goal: Goal, t: Translator) -> str:
    """Fulfilment against the change in mean and in p90 urgent response, side by side; the
    frontier joined, the goal's corner shaded."""
    figure = Figure(figsize=(10, 4.2))
    panels = figure.subplots(1, 2, sharey=True)
    for axes, cost, limit, name in (
        (panels[0], "mean_pct", goal.mean_pct, N_("change in mean urgent response (%)")),
        (panels[1], "p90_pct", goal.p90_pct, N_("change in p90 urgent response (%)")),
    ):
        figures = [getattr(p, cost) for p in points]
        xs = [f["mean"] for f in figures]
        errors = [
            [f["mean"] - f["ci"][0] if f["ci"][0] is not None else 0.0 for f in figures],
            [f["ci"][1] - f["mean"] if f["ci"][1] is not None else 0.0 for f in figures],
        ]
        shares = [p.share["mean"] for p in points]
        outlying = [p.outlying["mean"] for p in points]
        idle = [bool(dict(p.settings).get("idle_after_min")) for p in points]
        axes.errorbar(xs, shares, xerr=errors, fmt="none", ecolor="#bbb", elinewidth=0.8, zorder=1)
        axes.scatter(
            [x for x, i in zip(xs, idle, strict=True) if not i],
            [s for s, i in zip(shares, idle, strict=True) if not i],
            marker="o", color="#1f77b4", label=t(msg("all hotspots, no idle proposals")),
            zorder=3,
        )  # fmt: skip
        axes.scatter(
            [x for x, i in zip(xs, idle, strict=True) if i],
            [s for s, i in zip(shares, idle, strict=True) if i],
            marker="s", color="#d62728", label=t(msg("all hotspots, with idle proposals")),
            zorder=3,
        )  # fmt: skip
        axes.scatter(
            xs, outlying, marker="x", color="#555", label=t(msg("outlying hotspots")), zorder=2
        )
        best = frontier(points, cost)
        axes.plot(
            [getattr(p, cost)["mean"] for p in best],
            [p.fulfilment for p in best],
            color="#2ca02c",
            linewidth=1.5,
            label=t(msg("frontier (weaker of the two shares)")),
            zorder=2,
        )
        axes.axhline(goal.share, color="grey", linestyle=":", linewidth=1)
        axes.axvline(limit, color="grey", linestyle=":", linewidth=1)
        axes.axvspan(min([*xs, 0.0]) - 1, limit, ymin=0, ymax=1, color="#2ca02c", alpha=0.04)
        axes.set_xlabel(t(name))
        axes.grid(alpha=0.3)
    panels[0].set_ylabel(t(msg("share of hotspots getting their desired weekly visits")))
    panels[0].set_ylim(0, 1.02)
    panels[0].legend(fontsize=7, loc="lower right")
    return png(figure)


def _verdict_text(found: Verdict, goal: Goal, t: Translator) -> str:
    if found.closest is None:
        return t(msg("no sweep points"))
    point = found.closest
    figures = {
        "label": point.label,
        "share": fmt(point.share["mean"], t, 3),
        "outlying": fmt(point.outlying["mean"], t, 3),
        "mean": fmt(point.mean_pct["mean"], t, 2),
        "p90": fmt(point.p90_pct["mean"], t, 2),
    }
    if found.reached:
        return t(
            msg(
                "Goal reached by {n} setting(s); best {label}: {share} of hotspots and "
                "{outlying} of the outlying ones got their desired visits, mean urgent "
                "response {mean} %, p90 {p90} %.",
                n=len(found.reached),
                **figures,
            )
        )
    return t(
        msg(
            "Goal not reached (≥ {share_goal} of all and of the outlying hotspots, mean "
            "urgent response ≤ +{mean_goal} %, p90 ≤ +{p90_goal} %). Closest: {label}: "
            "{share} of hotspots and {outlying} of the outlying ones, mean {mean} %, p90 {p90} %.",
            share_goal=fmt(goal.share, t, 2),
            mean_goal=fmt(goal.mean_pct, t, 1),
            p90_goal=fmt(goal.p90_pct, t, 1),
            **figures,
        )
    )


def write_sweep(
    grouped: Mapping[str, Sequence[SweepPoint]],
    out: Path,
    *,
    goal: Goal,
    facts: Mapping[str, Any],
    t: Translator | None = None,
) -> dict[str, Any]:
    """Write ``sweep.json``, ``sweep.csv`` and ``sweep.html`` into ``out``; returns what
    ``sweep.json`` holds (``facts`` first: what was run)."""
    t = t or translator()
    document: dict[str, Any] = {**facts, "goal": asdict(goal), "districts": {}}
    rows = []
    sections = []
    for scenario, points in grouped.items():
        on_mean = {p.label for p in frontier(points, "mean_pct")}
        on_p90 = {p.label for p in frontier(points, "p90_pct")}
        found = verdict(points, goal)
        document["districts"][scenario] = {
            "points": [p.to_dict() for p in points],
            "frontier_mean": [p.label for p in frontier(points, "mean_pct")],
            "frontier_p90": [p.label for p in frontier(points, "p90_pct")],
            **found.to_dict(),
        }
        rows += [_row(p, goal, on_mean, on_p90) for p in points]
        table = "".join(
            f"<tr><th>{html.escape(p.label)}</th><td>{ci_cell(p.share, t)}</td>"
            f"<td>{ci_cell(p.outlying, t)}</td><td>{ci_cell(p.mean_pct, t)}</td>"
            f"<td>{ci_cell(p.p90_pct, t)}</td><td>{fmt(p.extra['idle_accepted']['mean'], t)}</td>"
            f"<td>{'✔' if p.meets(goal) else ''}{' ◆' if p.label in on_mean else ''}</td></tr>"
            for p in sorted(points, key=lambda p: -p.fulfilment)
        )
        sections.append(
            f"<h2>{html.escape(scenario)}</h2><p class='facts'>"
            f"{html.escape(_verdict_text(found, goal, t))}</p>"
            f"<img src='data:image/png;base64,{_plot(points, goal, t)}' alt='frontier'>"
            f"<table><tr><th>{html.escape(t(msg('setting')))}</th>"
            f"<th>{html.escape(t(msg('share meeting desired visits')))}</th>"
            f"<th>{html.escape(t(msg('outlying share')))}</th>"
            f"<th>{html.escape(t(msg('mean urgent response vs none (%)')))}</th>"
            f"<th>{html.escape(t(msg('p90 urgent response vs none (%)')))}</th>"
            f"<th>{html.escape(t(msg('idle proposals accepted')))}</th>"
            f"<th>{html.escape(t(msg('goal ✔ / frontier ◆')))}</th></tr>{table}</table>"
        )
    (out / "sweep.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    with (out / "sweep.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    title = t(msg("Smart Spot settings sweep"))
    intro = t(
        msg(
            "Each setting against no Smart Spot on the same calls (paired replications, common "
            "random numbers): means with their 95 % CI (confidence interval, Student's t) in "
            "brackets. "
            "{runs} runs, {replications} replications of {days} days, seeds {seeds}.",
            runs=facts.get("runs", 0),
            replications=facts.get("replications", 0),
            days=facts.get("days", 0),
            seeds=", ".join(map(str, facts.get("seeds", []))),
        )
    )
    page = f"""<!doctype html>
<html lang="{t.language}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>
<p>{html.escape(intro)}</p>{"".join(sections)}</body></html>"""
    (out / "sweep.html").write_text(page, encoding="utf-8")
    return document
