"""Writing a run or a comparison to a folder: ``summary.json``, the raw records as CSV, and
``report.html`` with plots a planner can take to a meeting."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from matplotlib.figure import Figure

from smartspot.sim.district import OUTLYING_KM, District
from smartspot.sim.records import CallRecord, CarRecord, PlanRecord, VisitRecord, as_rows, columns
from smartspot.sim.runner import JobResult

KEY_FIGURES = (
    ("urgent_response_s.mean", "Urgent response, mean (s)"),
    ("urgent_response_s.median", "Urgent response, median (s)"),
    ("urgent_response_s.p90", "Urgent response, p90 (s)"),
    ("calls.urgent", "Urgent calls"),
    ("visits.total", "Hotspot visits"),
    ("visits.outlying", "Visits to outlying hotspots"),
    ("visits.town", "Visits to town hotspots"),
    ("dosage_min.total", "Dosage (minutes on site)"),
    ("value", "Value collected"),
    ("extra_km", "Extra km on Smart Spot plans"),
    ("fleet_km", "Fleet km"),
    ("pulled_from_task.share", "Share of urgent calls answered by a car on a task"),
    ("proposals.accepted", "Proposals accepted"),
)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def write_records(results: Sequence[JobResult], out: Path) -> list[str]:
    """Write calls, visits, plans and cars of every run as CSV; returns the file names."""
    written = []
    kinds: tuple[tuple[str, type, str], ...] = (
        ("calls.csv", CallRecord, "calls"),
        ("visits.csv", VisitRecord, "visits"),
        ("plans.csv", PlanRecord, "plans"),
        ("cars.csv", CarRecord, "cars"),
    )
    for name, kind, attribute in kinds:
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["run", "policy", "seed", *columns(kind)])
            writer.writeheader()
            for result in results:
                for row in as_rows(list(getattr(result.records, attribute))):
                    writer.writerow(
                        {
                            "run": result.job.label,
                            "policy": result.job.policy,
                            "seed": result.job.seed,
                            **row,
                        }
                    )
        written.append(name)
    return written


def _response_plot(by_label: Mapping[str, Sequence[JobResult]]) -> str:
    figure = Figure(figsize=(7, 3.6))
    axes = figure.subplots()
    for label, results in by_label.items():
        times = np.sort([c.response_s / 60 for r in results for c in r.records.calls if c.urgent])
        if len(times):
            axes.step(times, np.arange(1, len(times) + 1) / len(times), where="post", label=label)
    axes.axvline(10, color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel("urgent response time (minutes, received → first car on scene)")
    axes.set_ylabel("share of urgent calls")
    axes.set_xlim(left=0)
    axes.legend()
    axes.grid(alpha=0.3)
    return _png(figure)


def _map_plot(district: District, by_label: Mapping[str, Sequence[JobResult]]) -> str:
    labels = [label for label in by_label if label != "none"] or list(by_label)
    figure = Figure(figsize=(4.2 * len(labels), 4.8))
    axes_list = np.atleast_1d(figure.subplots(1, len(labels)))
    kommune_polys = [
        poly
        for k, poly in zip(district.regions.kommuner, district.regions.polygons, strict=True)
        if k.politikreds == district.scenario.politikreds
    ]
    for axes, label in zip(axes_list, labels, strict=True):
        for poly in kommune_polys:
            for part in getattr(poly, "geoms", [poly]):
                x, y = part.exterior.xy
                axes.fill(x, y, color="#eef2e6", edgecolor="#8a9a7a", linewidth=0.5)
        runs = by_label[label]
        counts: defaultdict[str, float] = defaultdict(float)
        for result in runs:
            for visit in result.records.visits:
                counts[visit.hotspot] += 1 / max(1, len(runs))
        if len(district.hotspots):
            visits = np.array([counts[h.id] for h in district.hotspots])
            colours = np.where(district.hotspot_outlying, "#d95f02", "#1b9e77")
            axes.scatter(
                *district.hotspot_xy.T,
                s=12 + 25 * visits,
                c=list(colours),
                alpha=0.75,
                edgecolors="black",
                linewidths=0.3,
            )
        axes.scatter(*district.station_xy.T, marker="s", color="black", s=22, zorder=3)
        axes.set_title(f"{label}: visits per hotspot\n(orange: outlying > {OUTLYING_KM:g} km)")
        axes.set_aspect("equal")
        axes.set_xticks([])
        axes.set_yticks([])
    return _png(figure)


def _km_plot(by_label: Mapping[str, Sequence[JobResult]]) -> str:
    figure = Figure(figsize=(5.5, 3.6))
    axes = figure.subplots()
    for label, results in by_label.items():
        km = [r.summary["extra_km"] for r in results]
        visits = [r.summary["visits"]["total"] for r in results]
        axes.scatter(km, visits, label=label, alpha=0.7)
    axes.set_xlabel("extra kilometres on Smart Spot plans (per run)")
    axes.set_ylabel("hotspot visits (per run)")
    axes.legend()
    axes.grid(alpha=0.3)
    return _png(figure)


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) < 1 and value != 0:
        return f"{value:.3f}"
    return f"{value:,.{digits}f}"


def _ci_cell(entry: Mapping[str, Any]) -> str:
    low, high = entry["ci"]
    if low is None:
        return _fmt(entry["mean"])
    return f"{_fmt(entry['mean'])} <small>[{_fmt(low)}, {_fmt(high)}]</small>"


def write_report(
    district: District,
    results: Sequence[JobResult],
    comparison: Mapping[str, Any],
    out: Path,
    *,
    title: str,
    notes: Sequence[str] = (),
) -> Path:
    """Write ``report.html`` (plots inline) into ``out`` and return its path."""
    by_label: dict[str, list[JobResult]] = defaultdict(list)
    for result in results:
        by_label[result.job.label].append(result)
    policies = comparison["policies"]
    rows = []
    for key, name in KEY_FIGURES:
        cells = "".join(
            f"<td>{_ci_cell(policies[label][key])}</td>" if key in policies[label] else "<td>–</td>"
            for label in by_label
        )
        rows.append(f"<tr><th>{html.escape(name)}</th>{cells}</tr>")
    diff_rows = []
    for pair, diffs in comparison.get("differences", {}).items():
        for key, name in (
            *KEY_FIGURES,
            ("pulled_extra_s", "Extra response of calls taken from a task (s)"),
        ):
            if key in diffs:
                diff_rows.append(
                    f"<tr><td>{html.escape(pair)}</td><th>{html.escape(name)}</th>"
                    f"<td>{_ci_cell(diffs[key])}</td></tr>"
                )
    kommune_rows = []
    for kode in district.kommuner:
        cells = "".join(
            "<td>{}</td>".format(
                _ci_cell(
                    policies[label].get(
                        f"urgent_response_s_by_kommune.{kode}.mean",
                        {"mean": None, "ci": [None, None]},
                    )
                )
            )
            for label in by_label
        )
        kommune_rows.append(
            f"<tr><th>{html.escape(district.kommune_name(kode))} ({kode})</th>{cells}</tr>"
        )
    head = "".join(f"<th>{html.escape(label)}</th>" for label in by_label)
    n_runs = max(len(v) for v in by_label.values())
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    area = shapely.area(district.polygon) / 1e6
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
th{{text-align:left;background:#f4f4f4}}small{{color:#666}}img{{max-width:100%}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{html.escape(district.scenario.politikreds)}: {len(district.stations)} stations,
{len(district.hotspots)} open hotspots ({int(district.hotspot_outlying.sum())} outlying),
{area:,.0f} km². {n_runs} replication(s) per policy; every policy saw the same calls
(common random numbers). Figures are means over replications with 95 % confidence intervals
in brackets.</p>
<h2>Key figures</h2><table><tr><th></th>{head}</tr>{"".join(rows)}</table>
<h2>Paired differences (each policy against no Smart Spot, and optimiser against greedy)</h2>
<table><tr><th>policy</th><th>figure</th><th>mean [95 % CI]</th></tr>{"".join(diff_rows)}</table>
<h2>Urgent response time</h2><img src="data:image/png;base64,{_response_plot(by_label)}" alt="response times">
<h2>Visits per hotspot</h2><img src="data:image/png;base64,{_map_plot(district, by_label)}" alt="map">
<h2>Kilometres against visits</h2><img src="data:image/png;base64,{_km_plot(by_label)}" alt="km vs visits">
<h2>Mean urgent response per kommune (s)</h2><table><tr><th></th>{head}</tr>{"".join(kommune_rows)}</table>
<h2>Notes</h2><ul>{notes_html}
<li>Response time = call received → first car on scene, including call handling, turnout and
queueing. Kilometres are straight-line legs × the scenario's circuity.</li>
<li>Raw records: calls.csv, visits.csv, plans.csv, cars.csv; key figures: summary.json.</li></ul>
</body></html>"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_summary(data: Mapping[str, Any], out: Path) -> Path:
    path = out / "summary.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return path
