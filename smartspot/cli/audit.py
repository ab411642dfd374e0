"""``smartspot audit verify`` and ``smartspot audit show OBJECT_ID``: does the record hold, and
who did what to one object, when (Copenhagen time).

``verify`` exits 0 when the chain, every object's rows and the guard triggers hold, else 8
with the first broken audit row named. ``--anchors FILE`` keeps heads outside the database:
each verified run appends ``seq hash time`` to FILE and checks every earlier line is still in
the chain, so even a chain recomputed from scratch is caught (keep FILE on another machine).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from smartspot.cli.common import open_store, store_options
from smartspot.cli.exit_codes import ExitCode
from smartspot.cli.output import emit, help_text, say
from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.i18n import msg

BROKEN = ExitCode.AUDIT_BROKEN
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help=help_text("check and read the audit log"))
    commands = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = commands.add_parser(
        "verify", parents=[store_options()], help=help_text("check that no record was changed")
    )
    verify.add_argument(
        "--anchors",
        type=Path,
        default=None,
        help=help_text("file of earlier heads to check and extend"),
    )
    verify.set_defaults(func=run_verify)
    show = commands.add_parser(
        "show", parents=[store_options()], help=help_text("who did what to one object, and when")
    )
    show.add_argument(
        "object_id", help=help_text("a hotspot, callout, proposal, visit, patrol or user")
    )
    show.set_defaults(func=run_show)


def read_anchors(path: Path) -> dict[int, str]:
    """``seq hash …`` lines of an anchors file (missing file: none yet)."""
    if not path.exists():
        return {}
    anchors = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts or line.startswith("#"):
            continue
        if len(parts) < 2 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise InvalidInputError(
                msg("{path}, line {number}: expected 'seq hash'", path=path, number=number)
            )
        anchors[int(parts[0])] = parts[1]
    return anchors


def run_verify(args: argparse.Namespace) -> int:
    anchors = read_anchors(args.anchors) if args.anchors is not None else None
    with open_store(args) as store:
        verdict = store.verify_audit(anchors=anchors)
        integrity = store.integrity_check()
    result: dict[str, Any] = {
        "ok": verdict.ok and integrity == "ok",
        "rows": verdict.rows,
        "objects": verdict.objects,
        "head": {"seq": verdict.head_seq, "hash": verdict.head_hash},
        "integrity_check": integrity,
    }
    if verdict.problem is not None:
        result["broken"] = {
            "seq": verdict.problem.seq,
            "kind": verdict.problem.kind,
            "message": str(verdict.problem),
        }
    if not result["ok"]:
        if args.json:
            emit(result, as_json=True)
        print(
            say(
                msg(
                    "smartspot: the record does not hold: {problem}",
                    problem=str(verdict.problem) if verdict.problem else integrity,
                )
            ),
            file=sys.stderr,
        )
        return BROKEN
    if args.anchors is not None and verdict.rows:
        with args.anchors.open("a", encoding="utf-8") as handle:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            handle.write(f"{verdict.head_seq} {verdict.head_hash} {stamp}\n")
    emit(
        result,
        as_json=args.json,
        text=msg(
            "the record holds: {rows} audit rows, {objects} objects, head {seq} {hash}",
            rows=verdict.rows,
            objects=verdict.objects,
            seq=verdict.head_seq,
            hash=verdict.head_hash[:16],
        ),
    )
    return 0


def local_time(text: str) -> str:
    """A stored UTC time as Copenhagen local time, e.g. ``2026-03-14 22:00:00 CET``."""
    return datetime.fromisoformat(text).astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M:%S %Z")


def run_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        entries = store.audit_of(args.object_id)
    if not entries:
        raise NotFoundError(msg("no audit rows for {object_id}", object_id=args.object_id))
    for entry in entries:
        entry["local_time"] = local_time(entry["at"])
    lines = [
        f"{e['local_time']}  {e['actor']}  {e['action']}  {e['entity']} {e['entity_id']}"
        for e in entries
    ]
    emit(entries, as_json=args.json, text="\n".join(lines))
    return 0
