"""The report's follow-up section: per policy, the tryghedsopfølgninger done in person before
their due date, attempts per success, the share that fell back to the phone, and what the
policy did to urgent response times (against no Smart Spot, on the same calls)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from smartspot.i18n import N_, Translator
from smartspot.sim.records import FollowUpRecord

#: The follow-ups' raw records beside calls.csv & co.: file, record type, RunRecords field.
FOLLOWUP_CSV: tuple[str, type, str] = ("followups.csv", FollowUpRecord, "followups")

#: The section's rows: summary key (see :mod:`smartspot.sim.summary`) and its words.
FOLLOWUP_FIGURES = (
    ("followups.due", N_("Follow-ups due in the run")),
    ("followups.in_person_before_due.count", N_("Done in person before the due date")),
    ("followups.in_person_before_due.share", N_("Share done in person before the due date")),
    ("followups.attempts_per_success", N_("Attempts at the door per follow-up done in person")),
    ("followups.fell_to_phone.share", N_("Share that fell back to the phone")),
    ("followups.by_phone", N_("Done by phone")),
    ("followups.not_reached", N_("Not reached")),
    ("urgent_response_s.mean", N_("Urgent response, mean (s)")),
)
RESPONSE_EFFECT = ("urgent_response_s.mean", N_("Response-time effect against no Smart Spot (s)"))
MISSING = {"mean": None, "ci": [None, None]}


def followup_section(
    labels: Sequence[str],
    comparison: Mapping[str, Any],
    head: str,
    t: Translator,
    cell: Callable[[Mapping[str, Any], Translator], str],
) -> str:
    """The section's HTML: a heading, a table with a column per policy, and a note.

    Parameters
    ----------
    labels
        The run labels (the table's columns), in the order of ``head``.
    comparison
        :func:`smartspot.sim.summary.compare` of the runs.
    head
        The table's header cells (one per label).
    t
        The reader's language.
    cell
        Formats a ``{"mean", "ci"}`` entry (the report's own cells).
    """
    policies = comparison["policies"]
    differences = comparison.get("differences", {})
    rows = []
    for key, name in FOLLOWUP_FIGURES:
        cells = "".join(
            f"<td>{cell(policies[label].get(key, MISSING), t)}</td>" for label in labels
        )
        rows.append(f"<tr><th>{html.escape(t(name))}</th>{cells}</tr>")
    key, name = RESPONSE_EFFECT
    effect = []
    for label in labels:
        pair = differences.get(f"{label}-none")
        effect.append(
            "<td>–</td>" if pair is None else f"<td>{cell(pair.get(key, MISSING), t)}</td>"
        )
    rows.append(f"<tr><th>{html.escape(t(name))}</th>{''.join(effect)}</tr>")
    title = html.escape(t(N_("Follow-ups with citizens (tryghedsopfølgning)")))
    note = html.escape(
        t(
            N_(
                "Follow-ups due within the run, so each is closed: in person by a passing car, or by "
                "phone after the failed attempts or at the due date. Without Smart Spot no patrol is "
                "asked to call by, so all are phoned. A knock or a call reaches the citizen with the "
                "seed's 960 of 1,178 (0.815); the other assumptions are in the scenario's "
                "[followups] settings."
            )
        )
    )
    return (
        f"<h2>{title}</h2><table><tr><th></th>{head}</tr>{''.join(rows)}</table>"
        f"<p><small>{note}</small></p>"
    )
