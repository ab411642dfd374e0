"""``smartspot hotspots add|update|close|list|show|history|import|export`` (the options are in
:mod:`smartspot.cli.hotspot_options`, the files in :mod:`smartspot.cli.hotspot_files`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from smartspot.cli.common import open_store, service, store_options, user_of, user_option
from smartspot.cli.hotspot_files import draft_properties_of, run_export, run_import
from smartspot.cli.hotspot_options import (
    field_options,
    fields_of,
    filter_options,
    geometry_of,
    geometry_options,
    matching,
)
from smartspot.cli.output import emit, help_text, human_list, human_value, labelled, local_time, say
from smartspot.domain import Hotspot
from smartspot.drafts import draft_from_properties
from smartspot.errors import InvalidInputError
from smartspot.geo.io import (
    feature_collection,
    hotspot_feature,
)
from smartspot.i18n import msg


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hotspots", help=help_text("register, change, close, find and export")
    )
    commands = parser.add_subparsers(dest="hotspots_command", required=True, metavar="ACTION")
    common, who = store_options(), user_option()

    add = commands.add_parser("add", parents=[common, who], help=help_text("register a hotspot"))
    field_options(add, required=True)
    geometry_options(add)
    add.set_defaults(func=run_add)

    update = commands.add_parser(
        "update", parents=[common, who], help=help_text("change a hotspot")
    )
    update.add_argument("id", help=help_text("hotspot id, e.g. HS-000042"))
    version = update.add_mutually_exclusive_group(required=True)
    version.add_argument(
        "--expected-version", type=int, help=help_text("the version your change is based on")
    )
    version.add_argument(
        "--force", action="store_true", help=help_text("overwrite whatever is current (audited)")
    )
    field_options(update, required=False)
    geometry_options(update)
    update.add_argument("--always", action="store_true", help=help_text("clear the active windows"))
    update.set_defaults(func=run_update)

    close = commands.add_parser(
        "close", parents=[common, who], help=help_text("close with a reason")
    )
    close.add_argument("id")
    close.add_argument("--reason", required=True, help=help_text("why the hotspot is closed"))
    close.add_argument("--expected-version", type=int, default=None)
    close.set_defaults(func=run_close)

    listing = commands.add_parser("list", parents=[common], help=help_text("current versions"))
    filter_options(listing)
    listing.set_defaults(func=run_list)

    show = commands.add_parser(
        "show", parents=[common], help=help_text("one hotspot's current version")
    )
    show.add_argument("id")
    show.set_defaults(func=run_show)

    history = commands.add_parser(
        "history", parents=[common], help=help_text("every version and audit")
    )
    history.add_argument("id")
    history.set_defaults(func=run_history)

    imp = commands.add_parser(
        "import", parents=[common, who], help=help_text("GeoJSON/GeoPackage in")
    )
    imp.add_argument("path", type=Path)
    imp.add_argument("--format", choices=["geojson", "gpkg"], default=None)
    imp.add_argument("--max-mb", type=float, default=20.0, help=help_text("refuse larger files"))
    imp.add_argument(
        "--max-features", type=int, default=10_000, help=help_text("refuse more features")
    )
    imp.add_argument(
        "--update",
        action="store_true",
        help=help_text(
            "make each feature whose id the register knows a new version of it (the file's "
            "version column must be current); without it such features are refused"
        ),
    )
    imp.set_defaults(func=run_import)

    exp = commands.add_parser("export", parents=[common], help=help_text("GeoJSON/GeoPackage out"))
    exp.add_argument("path", type=Path, help=help_text("file to write: .geojson or .gpkg"))
    exp.add_argument("--format", choices=["geojson", "gpkg"], default=None)
    filter_options(exp)
    exp.set_defaults(func=run_export)


def _line(hotspot: Hotspot) -> str:
    return (
        f"{hotspot.id}  v{hotspot.version}  {hotspot.status.value:<6}  p{hotspot.priority}  "
        f"{hotspot.category.value:<17}  {hotspot.location.kommunenavn:<14}  {hotspot.title}"
    )


def _details(hotspot: Hotspot) -> str:
    """One hotspot for a person: a heading line, then one labelled line per field."""
    loc = hotspot.location
    steps = [f"{n}. {step}" for n, step in enumerate(hotspot.instruction.steps, start=1)]
    valid_to = hotspot.valid_to.isoformat() if hotspot.valid_to else say(msg("no end date"))
    source = hotspot.source.value + (f" ({hotspot.source_ref})" if hotspot.source_ref else "")

    def by(moment: Any, user: str) -> str:
        return say(msg("{moment} by {user}", moment=local_time(moment), user=user))

    rows: list[tuple[str, str | list[str]]] = [
        (say(msg("category")), hotspot.category.value),
        (say(msg("priority")), say(msg("{priority} of 5", priority=hotspot.priority))),
        (say(msg("place")), f"{loc.kommunenavn} ({loc.kommunekode}), {loc.politikreds}"),
        (say(msg("description")), hotspot.description),
        (say(msg("instruction")), hotspot.instruction.text),
        (say(msg("steps")), steps or say(msg("none"))),
        (
            say(msg("on site")),
            say(msg("{minutes} min", minutes=hotspot.instruction.minutes_on_site)),
        ),
        (
            say(msg("active")),
            human_list([w.label() for w in hotspot.windows], empty=say(msg("always"))),
        ),
        (say(msg("valid")), f"{hotspot.valid_from.isoformat()} – {valid_to}"),
        (say(msg("visits a week")), human_value(float(hotspot.visits_per_week))),
        (say(msg("source")), source),
        (say(msg("registered")), by(hotspot.created_at, hotspot.created_by)),
        (say(msg("changed")), by(hotspot.updated_at, hotspot.updated_by)),
    ]
    if hotspot.close_reason:
        rows.append((say(msg("closed because")), hotspot.close_reason))
    heading = say(
        msg(
            "{id}  {title}  (version {version}, {status})",
            id=hotspot.id,
            title=hotspot.title,
            version=hotspot.version,
            status=hotspot.status.value,
        )
    )
    return heading + "\n" + labelled(rows)


def run_add(args: argparse.Namespace) -> int:
    geometry = geometry_of(args, required=True)
    with open_store(args) as store:
        hotspots = service(store)
        draft = draft_from_properties(fields_of(args), today=hotspots.today())
        created = hotspots.register(draft, geometry, user=user_of(args))
    emit(
        hotspot_feature(created),
        as_json=args.json,
        text=msg("registered {hotspot}", hotspot=_line(created)),
    )
    return 0


def run_update(args: argparse.Namespace) -> int:
    changes = fields_of(args)
    geometry = geometry_of(args, required=False)
    if geometry is not None:
        changes["geometry"] = geometry
    if not changes:
        raise InvalidInputError(msg("nothing to change: give at least one field option"))
    with open_store(args) as store:
        updated = service(store).update(
            args.id,
            changes,
            expected_version=args.expected_version,
            user=user_of(args),
            force=args.force,
        )
    emit(
        hotspot_feature(updated),
        as_json=args.json,
        text=msg("updated {hotspot}", hotspot=_line(updated)),
    )
    return 0


def run_close(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        closed = service(store).close(
            args.id, args.reason, user=user_of(args), expected_version=args.expected_version
        )
    emit(
        hotspot_feature(closed),
        as_json=args.json,
        text=msg("closed {hotspot}", hotspot=_line(closed)),
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        found = matching(service(store), args)
    text = "\n".join(_line(h) for h in found) if found else say(msg("no hotspots match"))
    emit(feature_collection(found), as_json=args.json, text=text)
    return 0


def run_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        hotspot = service(store).show(args.id)
    emit(hotspot_feature(hotspot), as_json=args.json, text=_details(hotspot))
    return 0


def run_history(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        versions = service(store).history(args.id)
        audit = store.audit.entries(entity="hotspot", entity_id=args.id)
    actions = {(e.after or {}).get("version"): e for e in audit}
    lines = []
    previous: dict[str, Any] | None = None
    for hotspot in versions:
        entry = actions.get(hotspot.version)
        props = {**draft_properties_of(hotspot), "status": hotspot.status.value}
        changed = (
            ", ".join(
                f"{k}: {human_value(previous[k])} → {human_value(v)}"
                for k, v in props.items()
                if previous[k] != v
            )
            if previous
            else say(msg("registered"))
        )
        lines.append(
            f"v{hotspot.version}  {local_time(hotspot.updated_at)}  {hotspot.updated_by}  "
            f"{entry.action if entry else '?'}  {changed}"
            + (
                "  " + say(msg("reason: {reason}", reason=hotspot.close_reason))
                if hotspot.close_reason
                else ""
            )
        )
        previous = props
    data = {
        "id": args.id,
        "versions": [hotspot_feature(h) for h in versions],
        "audit": [
            {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action}
            for e in audit
        ],
    }
    emit(data, as_json=args.json, text="\n".join(lines))
    return 0
