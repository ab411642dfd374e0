"""What the simulation's reports share: the page style, the policies in words, numbers and
confidence intervals in the reader's language, and figures as embedded PNG."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from smartspot.i18n import N_, Translator

#: The policies in words; the report shows these with the code a planner types (--policies).
POLICY_NAMES = {
    "none": N_("no Smart Spot"),
    "greedy": N_("greedy rule"),
    "optimiser": N_("optimiser"),
    "optimiser+idle": N_("optimiser with idle cars"),
}
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


def png(figure: Figure) -> str:
    """The figure as base64 PNG, for an ``<img src="data:image/png;base64,...">``."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def policy_label(label: str, t: Translator) -> str:
    """``greedy[detour_budget_min=10]`` → ``grådig regel (greedy[detour_budget_min=10])``."""
    base = label.partition("[")[0]
    return f"{t(POLICY_NAMES[base])} ({label})" if base in POLICY_NAMES else label


def pair_label(pair: str, t: Translator) -> str:
    """``optimiser-greedy`` → ``optimering (optimiser) − grådig regel (greedy)``."""
    first, _, second = pair.partition("-")
    if first.partition("[")[0] in POLICY_NAMES and second.partition("[")[0] in POLICY_NAMES:
        return f"{policy_label(first, t)} − {policy_label(second, t)}"
    return pair


def fmt(value: Any, t: Translator, digits: int = 1) -> str:
    """A number in the reader's locale; ``-`` for none or NaN, 3 digits below 1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) < 1 and value != 0:
        return t.number(value, 3)
    return t.number(value, digits)


def ci_cell(entry: Mapping[str, Any], t: Translator) -> str:
    """A mean with its confidence interval, as an HTML table cell's content."""
    low, high = entry["ci"]
    if low is None:
        return fmt(entry["mean"], t)
    # a semicolon between the bounds: a Danish decimal comma would make "1,5, 2,5" ambiguous
    return f"{fmt(entry['mean'], t)} <small>[{fmt(low, t)}; {fmt(high, t)}]</small>"
