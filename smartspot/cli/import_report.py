"""The report of a refused import, one printer for every ``import`` command (hotspots and
follow-ups): nothing was imported, and each bad field of each bad feature is named."""

from __future__ import annotations

import sys
from typing import Any

from smartspot.cli.output import emit, say
from smartspot.i18n import msg
from smartspot.imports import ImportRejectedError


def rejected_rows(rejected: ImportRejectedError, *, title: str = "title") -> list[dict[str, Any]]:
    """One row per bad field: the feature's index in the file, its id, its title under the key
    ``title`` (a follow-up's is its case reference), the field and why, in the reader's
    language."""
    return [
        {"index": p.index, "id": p.id, title: p.title, "field": p.field, "reason": say(p.reason)}
        for p in rejected.problems
    ]


def print_rejected(rejected: ImportRejectedError, *, as_json: bool, title: str = "title") -> None:
    """``{"imported": 0, "rejected": [...]}`` on stdout for scripts, else a line per bad field
    on stderr (the error itself follows, as for any refused command)."""
    if as_json:
        emit({"imported": 0, "rejected": rejected_rows(rejected, title=title)}, as_json=True)
        return
    for problem in rejected.problems:
        line = msg(
            "{feature}: {field}: {reason}",
            feature=problem.label(),
            field=problem.field,
            reason=problem.reason,
        )
        print(say(line), file=sys.stderr)
