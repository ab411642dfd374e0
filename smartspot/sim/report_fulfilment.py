"""The report's fulfilment parts: per kommune, the share of hotspots getting their desired
weekly visits (all, outlying, town) per policy, and which hotspots fell behind on the map."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from smartspot.i18n import N_, Translator, msg
from smartspot.sim.district import District

if TYPE_CHECKING:
    from smartspot.sim.runner import JobResult

CellFormat = Callable[[Mapping[str, Any], Translator], str]
_EMPTY: Mapping[str, Any] = {"mean": None, "ci": [None, None]}


def missed_most_weeks(district: District, runs: Sequence[JobResult]) -> list[bool]:
    """Per hotspot of ``district``: did it miss its desired visits in more than half of its
    weeks over ``runs`` (the map's red ring)?"""
    met = dict.fromkeys((h.id for h in district.hotspots), 0)
    weeks = dict.fromkeys(met, 0)
    for result in runs:
        for hotspot, entry in result.summary["visits"]["per_hotspot"].items():
            if hotspot in met:
                met[hotspot] += int(entry.get("weeks_met", 0))
                weeks[hotspot] += int(entry.get("weeks", 0))
    return [weeks[h.id] > 0 and met[h.id] * 2 < weeks[h.id] for h in district.hotspots]


def kommune_section(
    district: District,
    labels: Sequence[str],
    policies: Mapping[str, Mapping[str, Any]],
    head: str,
    t: Translator,
    cell: CellFormat,
) -> str:
    """The HTML table: per kommune and policy, the share of hotspot-weeks meeting their
    desired visits, with the outlying and town shares beneath."""
    rows = []
    for kode in district.kommuner:
        prefix = f"fulfilment_by_kommune.{kode}"
        hotspots = next(
            (policies[label][f"{prefix}.hotspots"]["mean"] for label in labels
             if f"{prefix}.hotspots" in policies[label]),
            None,
        )  # fmt: skip
        if not hotspots:
            continue
        name = district.kommune_name(kode)
        count = round(hotspots)
        for key, words in (
            ("share", msg("{kommune} ({hotspots} hotspots)", kommune=name, hotspots=count)),
            ("outlying.share", msg("outlying")),
            ("town.share", msg("town")),
        ):
            cells = "".join(
                f"<td>{cell(policies[label].get(f'{prefix}.{key}', _EMPTY), t)}</td>"
                for label in labels
            )
            style = "" if key == "share" else ' style="padding-left:2em;font-weight:normal"'
            rows.append(f"<tr><th{style}>{html.escape(t(words))}</th>{cells}</tr>")
    title = html.escape(t(N_("Hotspots getting their desired weekly visits, per kommune")))
    return f"<h2>{title}</h2><table><tr><th></th>{head}</tr>{''.join(rows)}</table>"
