"""The simulation report's figures: urgent response times, visits per hotspot on the
district's map, and extra kilometres against visits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from smartspot.i18n import Translator, msg
from smartspot.sim.district import District
from smartspot.sim.report_format import png, policy_label
from smartspot.sim.report_fulfilment import missed_most_weeks
from smartspot.sim.runner import JobResult


def response_plot(by_label: Mapping[str, Sequence[JobResult]], t: Translator) -> str:
    """The share of urgent calls answered within each response time, per policy."""
    figure = Figure(figsize=(7, 3.6))
    axes = figure.subplots()
    for label, results in by_label.items():
        times = np.sort([c.response_s / 60 for r in results for c in r.records.calls if c.urgent])
        if len(times):
            axes.step(
                times,
                np.arange(1, len(times) + 1) / len(times),
                where="post",
                label=policy_label(label, t),
            )
    axes.axvline(10, color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel(t(msg("urgent response time (minutes, received → first car on scene)")))
    axes.set_ylabel(t(msg("share of urgent calls")))
    axes.set_xlim(left=0)
    axes.legend()
    axes.grid(alpha=0.3)
    return png(figure)


def map_plot(district: District, by_label: Mapping[str, Sequence[JobResult]], t: Translator) -> str:
    """Visits per hotspot on the district's map, one panel per policy with Smart Spot."""
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
                    policy=policy_label(label, t),
                    minutes=district.scenario.policy.outlying_min,
                )
            )
        )
        axes.set_aspect("equal")
        axes.set_xticks([])
        axes.set_yticks([])
    return png(figure)


def km_plot(by_label: Mapping[str, Sequence[JobResult]], t: Translator) -> str:
    """Extra kilometres against hotspot visits, one point per run."""
    figure = Figure(figsize=(5.5, 3.6))
    axes = figure.subplots()
    for label, results in by_label.items():
        km = [r.summary["extra_km"] for r in results]
        visits = [r.summary["visits"]["total"] for r in results]
        axes.scatter(km, visits, label=policy_label(label, t), alpha=0.7)
    axes.set_xlabel(t(msg("extra kilometres on Smart Spot plans (per run)")))
    axes.set_ylabel(t(msg("hotspot visits (per run)")))
    axes.legend()
    axes.grid(alpha=0.3)
    return png(figure)
