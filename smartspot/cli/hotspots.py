"""``smartspot hotspots add|update|close|list|show|history|import|export``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import Point

from smartspot.cli.common import open_store, service, store_options, user_of, user_option
from smartspot.cli.output import emit, help_text, human_list, human_value, labelled, local_time, say
from smartspot.domain import Category, Hotspot, HotspotStatus, Source
from smartspot.drafts import HotspotDraft, draft_from_properties, draft_properties
from smartspot.errors import InvalidInputError
from smartspot.geo.io import (
    ImportLimits,
    feature_collection,
    file_format,
    hotspot_feature,
    read_features,
    write_geojson,
    write_geopackage,
)
from smartspot.hotspots import HotspotFilter, ImportRejectedError
from smartspot.i18n import Message, msg, msg_n

#: option dest → contract property, for the fields add and update share
FIELD_OPTIONS = {
    "title": "title",
    "category": "category",
    "description": "description",
    "instruction": "instruction",
    "step": "steps",
    "minutes": "minutes_on_site",
    "priority": "priority",
    "window": "windows",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
    "visits_per_week": "visits_per_week",
    "source": "source",
    "source_ref": "source_ref",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hotspots", help=help_text("register, change, close, find and export")
    )
    commands = parser.add_subparsers(dest="hotspots_command", required=True, metavar="ACTION")
    common, who = store_options(), user_option()

    add = commands.add_parser("add", parents=[common, who], help=help_text("register a hotspot"))
    _field_options(add, required=True)
    _geometry_options(add)
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
    _field_options(update, required=False)
    _geometry_options(update)
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
    _filter_options(listing)
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
    _filter_options(exp)
    exp.set_defaults(func=run_export)


def _field_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--title", required=required)
    parser.add_argument("--category", required=required, choices=[c.value for c in Category])
    parser.add_argument(
        "--priority", required=required, type=int, help=help_text("1 (low) to 5 (high)")
    )
    parser.add_argument("--description", required=required, help=help_text("the unsafe behaviour"))
    parser.add_argument("--instruction", required=required, help=help_text("what the patrol does"))
    parser.add_argument(
        "--step", action="append", help=help_text("an instruction step (repeatable)")
    )
    parser.add_argument("--minutes", type=int, help=help_text("minutes on site (default 15)"))
    parser.add_argument(
        "--window",
        action="append",
        help=help_text('active window, e.g. "fri,sat 20:00-02:00" (repeatable)'),
    )
    parser.add_argument("--valid-from", help=help_text("ISO date (default today)"))
    parser.add_argument("--valid-to", help=help_text("ISO date, or 'none'"))
    parser.add_argument("--visits-per-week", type=float)
    parser.add_argument("--source", choices=[s.value for s in Source])
    parser.add_argument(
        "--source-ref", help=help_text("the external reference, e.g. a case number")
    )


def _geometry_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lon", type=float, help=help_text("longitude (WGS84) of a point hotspot"))
    parser.add_argument("--lat", type=float, help=help_text("latitude (WGS84) of a point hotspot"))
    parser.add_argument(
        "--geometry-file", type=Path, help=help_text("GeoJSON geometry or feature file")
    )
    parser.add_argument(
        "--geojson", help=help_text("GeoJSON geometry as text (a Point or a Polygon)")
    )


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--politikreds", help=help_text("e.g. 'Midt- og Vestjyllands Politi'"))
    parser.add_argument("--kommune", help=help_text("name or 4-digit code"))
    parser.add_argument("--status", choices=[s.value for s in HotspotStatus])
    parser.add_argument("--category", choices=[c.value for c in Category])
    parser.add_argument("--bbox", help=help_text("min lon,min lat,max lon,max lat (WGS84)"))
    parser.add_argument("--limit", type=int, default=10_000)
    parser.add_argument("--offset", type=int, default=0)


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for option, key in FIELD_OPTIONS.items():
        value = getattr(args, option, None)
        if value is not None:
            props[key] = value
    if str(props.get("valid_to", "")).lower() in ("none", "null"):
        props["valid_to"] = None
    if getattr(args, "always", False):
        props["windows"] = []
    return props


def _geometry(args: argparse.Namespace, *, required: bool) -> Any:
    given = [
        name
        for name, present in (
            ("--lon/--lat", args.lon is not None or args.lat is not None),
            ("--geometry-file", args.geometry_file is not None),
            ("--geojson", args.geojson is not None),
        )
        if present
    ]
    if len(given) > 1:
        raise InvalidInputError(
            msg("give one geometry, not {given}", given=" and ".join(given)), field="geometry"
        )
    if not given:
        if required:
            raise InvalidInputError(
                msg("give the place: --lon and --lat, --geojson or --geometry-file"),
                field="geometry",
            )
        return None
    if given[0] == "--lon/--lat":
        if args.lon is None or args.lat is None:
            raise InvalidInputError(msg("a point needs both --lon and --lat"), field="geometry")
        return Point(args.lon, args.lat)
    if args.geometry_file is not None:
        try:
            text = args.geometry_file.read_text(encoding="utf-8")
        except OSError as error:
            raise InvalidInputError(
                msg(
                    "cannot read {geometry_file}: {error}",
                    geometry_file=args.geometry_file,
                    error=error,
                ),
                field="geometry",
            ) from None
    else:
        text = args.geojson
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            msg("the geometry is not JSON: {error}", error=error), field="geometry"
        ) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise InvalidInputError(msg("the file must hold exactly one feature"), field="geometry")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    return data


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
    geometry = _geometry(args, required=True)
    with open_store(args) as store:
        hotspots = service(store)
        draft = draft_from_properties(_fields(args), today=hotspots.today())
        created = hotspots.register(draft, geometry, user=user_of(args))
    emit(
        hotspot_feature(created),
        as_json=args.json,
        text=msg("registered {hotspot}", hotspot=_line(created)),
    )
    return 0


def run_update(args: argparse.Namespace) -> int:
    changes = _fields(args)
    geometry = _geometry(args, required=False)
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


def _filter(args: argparse.Namespace) -> HotspotFilter:
    bbox = None
    if args.bbox:
        try:
            values = tuple(float(part) for part in args.bbox.split(","))
        except ValueError:
            values = ()
        if len(values) != 4:
            raise InvalidInputError(msg("--bbox is min lon,min lat,max lon,max lat"), field="bbox")
        bbox = values
    return HotspotFilter(
        politikreds=args.politikreds,
        kommune=args.kommune,
        status=HotspotStatus(args.status) if args.status else None,
        category=Category(args.category) if args.category else None,
        bbox=bbox,  # type: ignore[arg-type]
        limit=args.limit,
        offset=args.offset,
    )


def run_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        found = service(store).list(_filter(args))
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


def draft_properties_of(hotspot: Hotspot) -> dict[str, Any]:
    return draft_properties(HotspotDraft.of(hotspot))


def run_import(args: argparse.Namespace) -> int:
    limits = ImportLimits(max_bytes=int(args.max_mb * 1024 * 1024), max_features=args.max_features)
    features = read_features(args.path, limits=limits, fmt=args.format)
    with open_store(args) as store:
        try:
            result = service(store).import_features(
                features, user=user_of(args), update=args.update
            )
        except ImportRejectedError as rejected:
            report = [
                {
                    "index": p.index,
                    "id": p.id,
                    "title": p.title,
                    "field": p.field,
                    "reason": say(p.reason),
                }
                for p in rejected.problems
            ]
            if args.json:
                emit({"imported": 0, "rejected": report}, as_json=True)
            else:
                for problem in rejected.problems:
                    line = msg(
                        "{feature}: {field}: {reason}",
                        feature=problem.label(),
                        field=problem.field,
                        reason=problem.reason,
                    )
                    print(say(line), file=sys.stderr)
            raise
    created, updated = [h.id for h in result.created], [h.id for h in result.updated]
    text: Message = (
        msg_n("imported {n} hotspot", "imported {n} hotspots", len(created))
        if not created
        else msg_n(
            "imported {n} hotspot ({first} … {last})",
            "imported {n} hotspots ({first} … {last})",
            len(created),
            first=created[0],
            last=created[-1],
        )
    )
    if args.update:
        text = msg(
            "{imported}; {updated} updated, {unchanged} unchanged",
            imported=text,
            updated=len(updated),
            unchanged=len(result.unchanged),
        )
    emit(
        {
            "imported": len(created) + len(updated),
            "created": created,
            "updated": updated,
            "unchanged": list(result.unchanged),
            "ids": created + updated,
        },
        as_json=args.json,
        text=text,
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    kind = file_format(args.path, args.format)
    with open_store(args) as store:
        found = service(store).list(_filter(args))
    written = (
        write_geojson(found, args.path) if kind == "geojson" else write_geopackage(found, args.path)
    )
    emit(
        {"exported": written, "path": str(args.path), "format": kind},
        as_json=args.json,
        text=msg_n(
            "exported {n} hotspot to {path} ({kind})",
            "exported {n} hotspots to {path} ({kind})",
            written,
            path=args.path,
            kind=kind,
        ),
    )
    return 0
