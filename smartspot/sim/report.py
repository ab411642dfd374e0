"""Writing a run or a comparison to a folder: ``summary.json``, the raw records as CSV, and
``report.html`` with plots a planner can take to a meeting (or print on A4).

The report is in the language of the :class:`~smartspot.i18n.Translator` it is given (Danish
by default), with that language's numbers; ``summary.json`` and the CSV files keep their
machine keys and plain numbers.
"""

from __future__ import annotations

import csv
import html
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import shapely

from smartspot.i18n import N_, Translator, msg, msg_n, translator
from smartspot.sim.district import District
from smartspot.sim.records import CallRecord, CarRecord, PlanRecord, VisitRecord, as_rows, columns
from smartspot.sim.report_followups import FOLLOWUP_CSV, followup_section
from smartspot.sim.report_format import STYLE, ci_cell, pair_label, policy_label
from smartspot.sim.report_fulfilment import kommune_section
from smartspot.sim.report_plots import km_plot, map_plot, response_plot
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
PULLED_EXTRA = ("pulled_extra_s", N_("Extra response of calls taken from a task (s)"))


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
        f"{html.escape(policy_label(label, t))}: {t.number(n, 0)}" for label, n in counts.items()
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
                policies=", ".join(html.escape(policy_label(p, t)) for p in by_label),
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
            f"<td>{ci_cell(policies[label][key], t)}</td>"
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
                    f"<tr><td>{html.escape(pair_label(pair, t))}</td><th>{html.escape(t(name))}</th>"
                    f"<td>{ci_cell(diffs[key], t)}</td></tr>"
                )
    kommune_rows = []
    for kode in district.kommuner:
        cells = "".join(
            "<td>{}</td>".format(
                ci_cell(
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
    head = "".join(f"<th>{html.escape(policy_label(label, t))}</th>" for label in by_label)
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
{kommune_section(district, list(by_label), policies, head, t, ci_cell)}
{followup_section(list(by_label), comparison, head, t, ci_cell)}
<div class="figures">
<h2>{words["response"]}</h2><img src="data:image/png;base64,{response_plot(by_label, t)}" alt="{words["response_alt"]}">
<h2>{words["visits"]}</h2><img src="data:image/png;base64,{map_plot(district, by_label, t)}" alt="{words["map_alt"]}">
<h2>{words["km"]}</h2><img src="data:image/png;base64,{km_plot(by_label, t)}" alt="{words["km_alt"]}">
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
