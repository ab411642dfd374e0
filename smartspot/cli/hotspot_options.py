"""The ``smartspot hotspots`` options: a hotspot's fields, its place and the list filter, as
argparse options and back as the service's inputs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from shapely.geometry import Point

from smartspot.cli.output import help_text
from smartspot.domain import Category, Hotspot, HotspotStatus, Source
from smartspot.errors import InvalidInputError
from smartspot.hotspots import HotspotFilter, HotspotService
from smartspot.i18n import msg
from smartspot.store.port import MAX_PAGE

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


def field_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
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


def geometry_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lon", type=float, help=help_text("longitude (WGS84) of a point hotspot"))
    parser.add_argument("--lat", type=float, help=help_text("latitude (WGS84) of a point hotspot"))
    parser.add_argument(
        "--geometry-file", type=Path, help=help_text("GeoJSON geometry or feature file")
    )
    parser.add_argument(
        "--geojson", help=help_text("GeoJSON geometry as text (a Point or a Polygon)")
    )


def filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--politikreds", help=help_text("e.g. 'Midt- og Vestjyllands Politi'"))
    parser.add_argument("--kommune", help=help_text("name or 4-digit code"))
    parser.add_argument("--status", choices=[s.value for s in HotspotStatus])
    parser.add_argument("--category", choices=[c.value for c in Category])
    parser.add_argument("--bbox", help=help_text("min lon,min lat,max lon,max lat (WGS84)"))
    parser.add_argument(
        "--limit", type=int, help=help_text("at most this many (one page); all when left out")
    )
    parser.add_argument("--offset", type=int, default=0)


def fields_of(args: argparse.Namespace) -> dict[str, Any]:
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


def geometry_of(args: argparse.Namespace, *, required: bool) -> Any:
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


def filter_of(args: argparse.Namespace) -> HotspotFilter:
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
        limit=MAX_PAGE if args.limit is None else args.limit,
        offset=args.offset,
    )


def matching(service: HotspotService, args: argparse.Namespace) -> list[Hotspot]:
    """The hotspots ``args`` ask for: one page with ``--limit`` or ``--offset``, else all."""
    where = filter_of(args)
    if args.limit is None and args.offset == 0:
        return service.every(where)
    return service.list(where)
