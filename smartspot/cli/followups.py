"""``smartspot followups add|list|show|attempt|close|import|purge``: tryghedsopfølgninger.

The CLI is the analyst's and the nightly job's tool, run by someone with the database file in
hand: ``show`` prints the whole record, name and phone included; ``list`` never does (a list
is for overview and ends up in terminals and logs). ``purge`` is the nightly retention job::

    # crontab: erase the personal data of follow-ups closed 90 days ago, at 03:15 each night
    15 3 * * *  smartspot followups purge --db /var/lib/smartspot/smartspot.db
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from smartspot.cli.common import open_store, store_options, user_of, user_option
from smartspot.cli.import_report import print_rejected
from smartspot.cli.output import emit, help_text, human_list, labelled, local_time, say
from smartspot.clock import SystemClock
from smartspot.errors import InvalidInputError
from smartspot.followup_drafts import draft_from_properties
from smartspot.followup_io import attempt_record, feature, feature_collection, read_import
from smartspot.followup_rules import queue_reason_message
from smartspot.followup_service import FollowUpService
from smartspot.followups import (
    AttemptOutcome,
    FollowUp,
    FollowUpCategory,
    FollowUpRules,
    FollowUpStatus,
    LeftBehind,
    Queue,
)
from smartspot.geo.io import ImportLimits
from smartspot.geo.regions import cached_regions
from smartspot.i18n import msg, msg_n
from smartspot.imports import ImportRejectedError
from smartspot.resources import DATA_DIR
from smartspot.store.open import Store
from smartspot.store.port import FollowUpQuery

if TYPE_CHECKING:
    from smartspot.live.engine import Vagtcentral

CLOSING = [s.value for s in FollowUpStatus if s is not FollowUpStatus.OPEN]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "followups", help=help_text("tryghedsopfølgninger: register, work, close, purge")
    )
    commands = parser.add_subparsers(dest="followups_command", required=True, metavar="ACTION")
    common, who = store_options(), user_option()

    add = commands.add_parser("add", parents=[common, who], help=help_text("register a follow-up"))
    add.add_argument(
        "--case-ref", required=True, help=help_text("journal number, e.g. 4100-76543-00123-26")
    )
    add.add_argument("--category", required=True, choices=[c.value for c in FollowUpCategory])
    add.add_argument("--task", required=True, help=help_text("what the patrol does on site"))
    add.add_argument("--name", required=True, help=help_text("the citizen's name"))
    add.add_argument("--phone", help=help_text("the citizen's phone number"))
    add.add_argument("--address", help=help_text("street address of the point"))
    add.add_argument("--lon", type=float, required=True, help=help_text("longitude (WGS84)"))
    add.add_argument("--lat", type=float, required=True, help=help_text("latitude (WGS84)"))
    add.add_argument("--due-by", help=help_text("ISO date (default: in 14 days)"))
    add.add_argument(
        "--window",
        action="append",
        help=help_text('preferred hours, e.g. "mon-fri 16:00-20:00" (repeatable)'),
    )
    add.add_argument("--minutes", type=int, help=help_text("minutes on site (default 10)"))
    add.add_argument("--priority", type=int, help=help_text("1 (low) to 5 (high), default 3"))
    add.add_argument(
        "--phone-queue", action="store_true", help=help_text("a phone follow-up from the start")
    )
    add.set_defaults(func=run_add)

    listing = commands.add_parser(
        "list", parents=[common], help=help_text("current versions, no personal data")
    )
    listing.add_argument("--politikreds", help=help_text("e.g. 'Midt- og Vestjyllands Politi'"))
    listing.add_argument("--status", choices=[s.value for s in FollowUpStatus])
    listing.add_argument("--queue", choices=[q.value for q in Queue])
    listing.add_argument("--limit", type=int, default=10_000)
    listing.add_argument("--offset", type=int, default=0)
    listing.set_defaults(func=run_list)

    show = commands.add_parser(
        "show", parents=[common], help=help_text("the whole record and its attempts")
    )
    show.add_argument("id")
    show.set_defaults(func=run_show)

    attempt = commands.add_parser(
        "attempt", parents=[common, who], help=help_text("record an attempt at the door")
    )
    attempt.add_argument("id")
    attempt.add_argument("--patrol", required=True, help=help_text("call sign of the car"))
    attempt.add_argument("--outcome", required=True, choices=[o.value for o in AttemptOutcome])
    attempt.add_argument(
        "--left", choices=[x.value for x in LeftBehind], help=help_text("when no one was home")
    )
    attempt.add_argument("--note", default="")
    attempt.add_argument(
        "--max-failed-attempts",
        type=int,
        default=FollowUpRules().max_failed_attempts,
        help=help_text("failed attempts before the phone queue (default 2)"),
    )
    attempt.set_defaults(func=run_attempt)

    close = commands.add_parser(
        "close", parents=[common, who], help=help_text("close with the outcome")
    )
    close.add_argument("id")
    close.add_argument("--status", required=True, choices=CLOSING)
    close.add_argument("--reason", default="", help=help_text("why (required to cancel)"))
    close.set_defaults(func=run_close)

    imp = commands.add_parser(
        "import", parents=[common, who], help=help_text("CSV or GeoJSON in, all or nothing")
    )
    imp.add_argument("path", type=Path)
    imp.add_argument("--max-mb", type=float, default=20.0, help=help_text("refuse larger files"))
    imp.add_argument(
        "--max-features", type=int, default=10_000, help=help_text("refuse more features")
    )
    imp.set_defaults(func=run_import)

    purge = commands.add_parser(
        "purge",
        parents=[common],
        help=help_text("erase names and phone numbers after the retention period (nightly)"),
    )
    purge.add_argument(
        "--retention-days",
        type=int,
        default=FollowUpRules().retention_days,
        help=help_text("days after closing (default 90)"),
    )
    purge.set_defaults(func=run_purge)


def followup_service(store: Store, rules: FollowUpRules | None = None) -> FollowUpService:
    return FollowUpService(store, cached_regions(DATA_DIR), SystemClock(), rules)


def _field_named(error: InvalidInputError) -> InvalidInputError:
    """The error with its field in front (``geometry: …``), as the draft's own problems read
    and as an import's report and the API name them."""
    if not error.field:
        return error
    return InvalidInputError(
        msg("{field}: {reason}", field=error.field, reason=error.message), field=error.field
    )


def _announce(engine: Vagtcentral, followup: FollowUp) -> None:
    """Tell the map, as the API's routes do: the operator's view, never the citizen."""
    engine.announce("followup", feature(followup, personal=False))


def _line(followup: FollowUp) -> str:
    queue = "" if followup.queue is Queue.VISIT else f"  [{say(msg('phone queue'))}]"
    return (
        f"{followup.id}  v{followup.version}  {followup.status.value:<14}  p{followup.priority}  "
        f"{followup.category.value:<16}  {followup.location.kommunenavn:<14}  "
        f"{followup.due_by.isoformat()}  {followup.case_ref}{queue}"
    )


def _details(followup: FollowUp, attempts: list[dict[str, Any]]) -> str:
    loc = followup.location
    if followup.erased:
        name = phone = say(msg("erased"))
    else:
        name = followup.citizen.name if followup.citizen else ""
        phone = (followup.citizen.phone if followup.citizen else "") or say(msg("none"))
    reason = queue_reason_message(followup)
    rows: list[tuple[str, str | list[str]]] = [
        (say(msg("case")), followup.case_ref),
        (say(msg("category")), followup.category.value),
        (say(msg("task")), followup.task),
        (say(msg("citizen")), name),
        (say(msg("phone")), phone),
        (say(msg("address")), followup.address or say(msg("none"))),
        (say(msg("place")), f"{loc.kommunenavn} ({loc.kommunekode}), {loc.politikreds}"),
        (say(msg("due by")), followup.due_by.isoformat()),
        (
            say(msg("preferred hours")),
            human_list([w.label() for w in followup.windows], empty=say(msg("any time"))),
        ),
        (say(msg("on site")), say(msg("{minutes} min", minutes=followup.minutes_on_site))),
        (say(msg("priority")), say(msg("{priority} of 5", priority=followup.priority))),
        (say(msg("queue")), followup.queue.value + (f" ({say(reason)})" if reason else "")),
        (
            say(msg("attempts")),
            [
                f"{a['number']}. {a['at']}  {a['patrol']}  {a['outcome'] or '?'}"
                + (f" ({a['left']})" if a["left"] else "")
                for a in attempts
            ]
            or say(msg("none")),
        ),
        (
            say(msg("registered")),
            say(
                msg(
                    "{moment} by {user}",
                    moment=local_time(followup.created_at),
                    user=followup.created_by,
                )
            ),
        ),
    ]
    if followup.close_reason:
        rows.append((say(msg("closed because")), say(followup.close_reason)))
    heading = say(
        msg(
            "{id}  (version {version}, {status})",
            id=followup.id,
            version=followup.version,
            status=followup.status.value,
        )
    )
    return heading + "\n" + labelled(rows)


def run_add(args: argparse.Namespace) -> int:
    from smartspot.cli.engine import cli_engine  # the engine's imports only when used

    props: dict[str, Any] = {
        "case_ref": args.case_ref,
        "category": args.category,
        "task": args.task,
        "name": args.name,
        "phone": args.phone,
        "address": args.address,
        "due_by": args.due_by,
        "windows": args.window or [],
        "minutes_on_site": args.minutes,
        "priority": args.priority,
        "queue": Queue.PHONE.value if args.phone_queue else None,
    }
    with open_store(args) as store:
        engine = cli_engine(store)
        service = engine.followups
        draft = draft_from_properties(props, today=service.today(), rules=service.rules)
        try:
            created = engine.register_followup(
                draft, Point(args.lon, args.lat), actor=user_of(args)
            )
        except InvalidInputError as error:
            raise _field_named(error) from None
        _announce(engine, created)
    emit(
        feature(created, personal=False),
        as_json=args.json,
        text=msg("registered {followup}", followup=_line(created)),
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    query = FollowUpQuery(
        politikreds=args.politikreds,
        status=FollowUpStatus(args.status) if args.status else None,
        queue=Queue(args.queue) if args.queue else None,
        limit=args.limit,
        offset=args.offset,
    )
    with open_store(args) as store:
        found = followup_service(store).list(query)
    text = "\n".join(_line(f) for f in found) if found else say(msg("no follow-ups match"))
    emit(feature_collection(found, personal=False), as_json=args.json, text=text)
    return 0


def run_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        service = followup_service(store)
        followup = service.show(args.id)
        attempts = [attempt_record(a) for a in service.attempts(args.id)]
    data = {**feature(followup, personal=True), "attempts": attempts}
    emit(data, as_json=args.json, text=_details(followup, attempts))
    return 0


def run_attempt(args: argparse.Namespace) -> int:
    from smartspot.cli.engine import cli_engine  # the engine's imports only when used

    rules = FollowUpRules(max_failed_attempts=args.max_failed_attempts)
    with open_store(args) as store:
        engine = cli_engine(store, followup_rules=rules)
        after = engine.record_attempt(
            args.id,
            patrol=args.patrol,
            outcome=AttemptOutcome(args.outcome),
            left=LeftBehind(args.left) if args.left else None,
            note=args.note,
            actor=user_of(args),
        )
        _announce(engine, after)
    emit(
        feature(after, personal=False),
        as_json=args.json,
        text=msg("recorded {followup}", followup=_line(after)),
    )
    return 0


def run_close(args: argparse.Namespace) -> int:
    from smartspot.cli.engine import cli_engine  # the engine's imports only when used

    with open_store(args) as store:
        engine = cli_engine(store)
        closed = engine.close_followup(
            args.id, FollowUpStatus(args.status), reason=args.reason, actor=user_of(args)
        )
        _announce(engine, closed)
    emit(
        feature(closed, personal=False),
        as_json=args.json,
        text=msg("closed {followup}", followup=_line(closed)),
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    limits = ImportLimits(max_bytes=int(args.max_mb * 1024 * 1024), max_features=args.max_features)
    features = read_import(args.path, limits=limits)
    with open_store(args) as store:
        try:
            created = followup_service(store).import_features(features, user=user_of(args))
        except ImportRejectedError as rejected:
            print_rejected(rejected, as_json=args.json, title="case_ref")
            raise
    ids = [f.id for f in created]
    text = (
        msg_n("imported {n} follow-up", "imported {n} follow-ups", len(ids))
        if not ids
        else msg_n(
            "imported {n} follow-up ({first} … {last})",
            "imported {n} follow-ups ({first} … {last})",
            len(ids),
            first=ids[0],
            last=ids[-1],
        )
    )
    emit({"imported": len(ids), "ids": ids}, as_json=args.json, text=text)
    return 0


def run_purge(args: argparse.Namespace) -> int:
    rules = FollowUpRules(retention_days=args.retention_days)
    with open_store(args) as store:
        result = followup_service(store, rules).purge()
    emit(
        {
            "erased": list(result.erased),
            "cutoff": result.cutoff.isoformat(),
            "retention_days": result.retention_days,
        },
        as_json=args.json,
        text=msg_n(
            "erased the name and phone number of {n} follow-up closed before {cutoff}",
            "erased the names and phone numbers of {n} follow-ups closed before {cutoff}",
            len(result.erased),
            cutoff=local_time(result.cutoff),
        ),
    )
    return 0
