"""Writing a run or a comparison to a folder: ``summary.json``, the raw records as CSV, and
``report.html`` with plots a planner can take to a meeting (or print on A4).

The report is in the language of the :class:`~smartspot.i18n.Translator` it is given (Danish
by default), with that language's numbers; ``summary.json`` and the CSV files keep their
machine keys and plain numbers.
"""

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

from smartspot.i18n import N_, Translator, msg, msg_n, translator
from smartspot.sim.district import District
from smartspot.sim.records import CallRecord, CarRecord, PlanRecord, VisitRecord, as_rows, columns
from smartspot.sim.report_followups import FOLLOWUP_CSV, followup_section
from smartspot.sim.report_fulfilment import kommune_section, missed_most_weeks
from smartspot.sim.runner import JobResult
from smartspot.sim.summary import MIN_REPLICATIONS

KEY_FIGURES = (
    ("fulfilment.share", N_("Hotspots getting their desired weekly visits")),
    ("fulfilment.outlying.share", N_("Outlying hotspots getting them")),
    ("fulfilment.town.share", N_("Town hotspots getting them")),
    ("fulfilment.mean_ratio", N_("Mean fulfilment (achieved ÷ desired, capped at 1)")),
    ("fulfilment.never_visited", N_("Hotspots never visited in a week")),
    ("urgent_response_s.mean", N_("Urgent response, mean (s)")),
    ("urgent_response_s.median", N_("Urgent response, median (s)")),
    ("urgent_response_s.p90", N_("Urgent response, p90 (s)")),
    ("calls.urgent", N_("Urgent calls")),
    ("visits.total", N_("Hotspot visits")),
    ("visits.outlying", N_("Visits to outlying hotspots")),
    ("visits.town", N_("Visits to town hotspots")),
    ("dosage_min.total", N_("Dosage (minutes on site)")),
    ("value", N_("Value collected")),
    ("extra_km", N_("Extra km on Smart Spot plans")),
    ("fleet_km", N_("Fleet km")),
    ("pulled_from_task.share", N_("Share of urgent calls answered by a car on a task")),
    ("proposals.accepted", N_("Proposals accepted")),
)
#: The policies in words; the report shows these with the code a planner types (--policies).
POLICY_NAMES = {
    "none": N_("no Smart Spot"),
    "greedy": N_("greedy rule"),
    "optimiser": N_("optimiser"),
    "optimiser+idle": N_("optimiser with idle cars"),
}
PULLED_EXTRA = ("pulled_extra_s", N_("Extra response of calls taken from a task (s)"))

#: Screen and A4 print: the tables and plots keep to the page, headings stay with what follows.
STYLE = """
body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{text-align:left;background:#f4f4f4}small{color:#555}img{max-width:100%}
.facts{border:1px solid #ccc;padding:.5em 1em;background:#fafafa}
.warning{border:2px solid #b00020;background:#fdecea;color:#5f0010;padding:.6em 1em;
font-weight:bold}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;margin:0;font-size:9.5pt;color:#000}
 h1{font-size:16pt;margin:0 0 .4em}h2{font-size:12pt;break-after:avoid;page-break-after:avoid}
 table,img,.facts,.warning{break-inside:avoid;page-break-inside:avoid}
 td,th{padding:2px 5px}img{max-height:120mm}
 .warning{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .figures{break-before:page;page-break-before:always}
}
"""


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
        FOLLOWUP_CSV,
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


def _response_plot(by_label: Mapping[str, Sequence[JobResult]], t: Translator) -> str:
    figure = Figure(figsize=(7, 3.6))
    axes = figure.subplots()
    for label, results in by_label.items():
        times = np.sort([c.response_s / 60 for r in results for c in r.records.calls if c.urgent])
        if len(times):
            axes.step(
                times,
                np.arange(1, len(times) + 1) / len(times),
                where="post",
                label=_policy(label, t),
            )
    axes.axvline(10, color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel(t(msg("urgent response time (minutes, received → first car on scene)")))
    axes.set_ylabel(t(msg("share of urgent calls")))
    axes.set_xlim(left=0)
    axes.legend()
    axes.grid(alpha=0.3)
    return _png(figure)


def _map_plot(
    district: District, by_label: Mapping[str, Sequence[JobResult]], t: Translator
) -> str:
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
            missed = missed_most_weeks(district, runs)  # behind their desired visits: red ring
            axes.scatter(
                *district.hotspot_xy.T,
                s=12 + 25 * visits,
                c=list(colours),
                alpha=0.75,
                edgecolors=["#b00020" if m else "black" for m in missed],
                linewidths=[1.6 if m else 0.3 for m in missed],
            )
        axes.scatter(*district.station_xy.T, marker="s", color="black", s=22, zorder=3)
        axes.set_title(
            t(
                msg(
                    "{policy}: visits per hotspot\n(orange: outlying, nearest station > "
                    "{minutes:g} min; red ring: desired visits missed in most weeks)",
                    policy=_policy(label, t),
                    minutes=district.scenario.policy.outlying_min,
                )
            )
        )
        axes.set_aspect("equal")
        axes.set_xticks([])
        axes.set_yticks([])
    return _png(figure)


def _km_plot(by_label: Mapping[str, Sequence[JobResult]], t: Translator) -> str:
    figure = Figure(figsize=(5.5, 3.6))
    axes = figure.subplots()
    for label, results in by_label.items():
        km = [r.summary["extra_km"] for r in results]
        visits = [r.summary["visits"]["total"] for r in results]
        axes.scatter(km, visits, label=_policy(label, t), alpha=0.7)
    axes.set_xlabel(t(msg("extra kilometres on Smart Spot plans (per run)")))
    axes.set_ylabel(t(msg("hotspot visits (per run)")))
    axes.legend()
    axes.grid(alpha=0.3)
    return _png(figure)


def _policy(label: str, t: Translator) -> str:
    """``greedy[detour_budget_min=10]`` → ``grådig regel (greedy[detour_budget_min=10])``."""
    base = label.partition("[")[0]
    return f"{t(POLICY_NAMES[base])} ({label})" if base in POLICY_NAMES else label


def _pair(pair: str, t: Translator) -> str:
    """``optimiser-greedy`` → ``optimering (optimiser) − grådig regel (greedy)``."""
    first, _, second = pair.partition("-")
    if first.partition("[")[0] in POLICY_NAMES and second.partition("[")[0] in POLICY_NAMES:
        return f"{_policy(first, t)} − {_policy(second, t)}"
    return pair


def _fmt(value: Any, t: Translator, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) < 1 and value != 0:
        return t.number(value, 3)
    return t.number(value, digits)


def _ci_cell(entry: Mapping[str, Any], t: Translator) -> str:
    low, high = entry["ci"]
    if low is None:
        return _fmt(entry["mean"], t)
    # a semicolon between the bounds: a Danish decimal comma would make "1,5, 2,5" ambiguous
    return f"{_fmt(entry['mean'], t)} <small>[{_fmt(low, t)}; {_fmt(high, t)}]</small>"


def _seeds(results: Sequence[JobResult]) -> list[int]:
    return sorted({int(r.job.seed) for r in results})


def _facts(district: District, by_label: Mapping[str, Sequence[JobResult]], t: Translator) -> str:
    """The first page's facts: what was run, how often, with which seeds."""
    counts = {label: len(runs) for label, runs in by_label.items()}
    fewest = min(counts.values())
    results = [r for runs in by_label.values() for r in runs]
    days = sorted({float(r.job.days) for r in results})
    seeds = _seeds(results)
    per_policy = ", ".join(
        f"{html.escape(_policy(label, t))}: {t.number(n, 0)}" for label, n in counts.items()
    )
    lines = [
        t(
            msg_n(
                "{n} replication per policy ({counts})",
                "{n} replications per policy ({counts})",
                fewest,
                counts=per_policy,
            )
        )
        if len(set(counts.values())) > 1
        else t(msg_n("{n} replication per policy", "{n} replications per policy", fewest)),
        t(
            msg_n(
                "seed: {seeds}",
                "seeds: {seeds}",
                len(seeds),
                seeds=", ".join(str(s) for s in seeds),
            )
        ),
        t(msg("simulated days per run: {days}", days=", ".join(t.number(d) for d in days))),
        t(
            msg(
                "policies: {policies}",
                policies=", ".join(html.escape(_policy(p, t)) for p in by_label),
            )
        ),
    ]
    facts = "".join(f"<li>{line}</li>" for line in lines)
    warning = ""
    if fewest < MIN_REPLICATIONS:
        warning = '<p class="warning" role="alert">{}</p>'.format(
            html.escape(
                t(
                    msg_n(
                        "Only {n} replication: too few to rely on. The confidence intervals are "
                        "wide and uncertain below {minimum} replications; run at least {minimum} "
                        "(e.g. --replications 10) before the figures are used for a decision.",
                        "Only {n} replications: too few to rely on. The confidence intervals are "
                        "wide and uncertain below {minimum} replications; run at least {minimum} "
                        "(e.g. --replications 10) before the figures are used for a decision.",
                        fewest,
                        minimum=MIN_REPLICATIONS,
                    )
                )
            )
        )
    return f'{warning}<ul class="facts">{facts}</ul>'


def write_report(
    district: District,
    results: Sequence[JobResult],
    comparison: Mapping[str, Any],
    out: Path,
    *,
    title: str,
    notes: Sequence[str] = (),
    t: Translator | None = None,
) -> Path:
    """Write ``report.html`` (plots inline) into ``out`` and return its path.

    Parameters
    ----------
    district, results, comparison
        The district, every run, and :func:`smartspot.sim.summary.compare` of them.
    out
        The folder to write into.
    title, notes
        The report's title and extra notes (already in the reader's language).
    t
        The language to write in (default Danish).
    """
    t = t or translator()
    by_label: dict[str, list[JobResult]] = defaultdict(list)
    for result in results:
        by_label[result.job.label].append(result)
    policies = comparison["policies"]
    rows = []
    for key, name in KEY_FIGURES:
        cells = "".join(
            f"<td>{_ci_cell(policies[label][key], t)}</td>"
            if key in policies[label]
            else "<td>–</td>"
            for label in by_label
        )
        rows.append(f"<tr><th>{html.escape(t(name))}</th>{cells}</tr>")
    diff_rows = []
    for pair, diffs in comparison.get("differences", {}).items():
        for key, name in (*KEY_FIGURES, PULLED_EXTRA):
            if key in diffs:
                diff_rows.append(
                    f"<tr><td>{html.escape(_pair(pair, t))}</td><th>{html.escape(t(name))}</th>"
                    f"<td>{_ci_cell(diffs[key], t)}</td></tr>"
                )
    kommune_rows = []
    for kode in district.kommuner:
        cells = "".join(
            "<td>{}</td>".format(
                _ci_cell(
                    policies[label].get(
                        f"urgent_response_s_by_kommune.{kode}.mean",
                        {"mean": None, "ci": [None, None]},
                    ),
                    t,
                )
            )
            for label in by_label
        )
        kommune_rows.append(
            f"<tr><th>{html.escape(district.kommune_name(kode))} ({kode})</th>{cells}</tr>"
        )
    head = "".join(f"<th>{html.escape(_policy(label, t))}</th>" for label in by_label)
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    area = shapely.area(district.polygon) / 1e6

    words = {
        key: html.escape(t(text))
        for key, text in (
            ("key", N_("Key figures")),
            (
                "pairs",
                N_(
                    "Paired differences (each policy against no Smart Spot, and optimiser against greedy)"
                ),
            ),
            ("policy", N_("policy")),
            ("figure", N_("figure")),
            ("mean_ci", N_("mean [95 % CI]")),
            ("kommune", N_("Mean urgent response per kommune (s)")),
            ("response", N_("Urgent response time")),
            ("response_alt", N_("response times")),
            ("visits", N_("Visits per hotspot")),
            ("map_alt", N_("map")),
            ("km", N_("Kilometres against visits")),
            ("km_alt", N_("km against visits")),
            ("notes", N_("Notes")),
            (
                "note_response",
                N_(
                    "Response time = call received → first car on scene, including call handling, turnout and queueing. Kilometres are the travel layer's driven kilometres along the same roads as the times."
                ),
            ),
            (
                "note_files",
                N_(
                    "Raw records: calls.csv, visits.csv, plans.csv, cars.csv, followups.csv; key figures: summary.json."
                ),
            ),
        )
    }
    intro = t(
        msg(
            "{politikreds}: {stations} stations, {hotspots} open hotspots ({outlying} outlying), "
            "{area:,.0f} km². Every policy saw the same calls (common random numbers). Figures "
            "are means over replications with confidence intervals (95 %, Student's t) in "
            "brackets, cut off where a figure cannot go (no negative counts, times or "
            "distances).",
            politikreds=district.scenario.politikreds,
            stations=len(district.stations),
            hotspots=len(district.hotspots),
            outlying=int(district.hotspot_outlying.sum()),
            area=area,
        )
    )
    page = f"""<!doctype html>
<html lang="{t.language}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head>
<body><h1>{html.escape(title)}</h1>
{_facts(district, by_label, t)}
<p>{html.escape(intro)}</p>
<h2>{words["key"]}</h2><table><tr><th></th>{head}</tr>{"".join(rows)}</table>
<h2>{words["pairs"]}</h2>
<table><tr><th>{words["policy"]}</th><th>{words["figure"]}</th><th>{words["mean_ci"]}</th></tr>{"".join(diff_rows)}</table>
<h2>{words["kommune"]}</h2><table><tr><th></th>{head}</tr>{"".join(kommune_rows)}</table>
{kommune_section(district, list(by_label), policies, head, t, _ci_cell)}
{followup_section(list(by_label), comparison, head, t, _ci_cell)}
<div class="figures">
<h2>{words["response"]}</h2><img src="data:image/png;base64,{_response_plot(by_label, t)}" alt="{words["response_alt"]}">
<h2>{words["visits"]}</h2><img src="data:image/png;base64,{_map_plot(district, by_label, t)}" alt="{words["map_alt"]}">
<h2>{words["km"]}</h2><img src="data:image/png;base64,{_km_plot(by_label, t)}" alt="{words["km_alt"]}">
</div>
<h2>{words["notes"]}</h2><ul>{notes_html}
<li>{words["note_response"]}</li>
<li>{words["note_files"]}</li></ul>
</body></html>"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_summary(data: Mapping[str, Any], out: Path) -> Path:
    path = out / "summary.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return path
