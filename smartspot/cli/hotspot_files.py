"""``smartspot hotspots import|export``: GeoJSON and GeoPackage files in and out, with the
import's all-or-nothing report."""

from __future__ import annotations

import argparse
from typing import Any

from smartspot.cli.common import open_store, service, user_of
from smartspot.cli.hotspot_options import matching
from smartspot.cli.import_report import print_rejected
from smartspot.cli.output import emit
from smartspot.domain import Hotspot
from smartspot.drafts import HotspotDraft, draft_properties
from smartspot.geo.io import (
    ImportLimits,
    file_format,
    read_features,
    write_geojson,
    write_geopackage,
)
from smartspot.hotspots import ImportRejectedError
from smartspot.i18n import Message, msg, msg_n


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
            print_rejected(rejected, as_json=args.json)
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
        found = matching(service(store), args)
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
