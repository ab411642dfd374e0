"""Hotspots: list (bbox + paging), register, change (optimistic concurrency), close, history,
export. Reading is for every role; writing for analysts and admins."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from api.access import HotspotReader, HotspotWriter, named_or_mine, require
from api.auth import HotspotEditor, Principal, Reader
from api.deps import ServicesDep
from api.schemas import (
    Feature,
    FeatureCollection,
    HotspotClose,
    HotspotIn,
    HotspotUpdate,
    Link,
    feature_collection,
    hotspot_feature,
)
from smartspot.domain import Category, HotspotStatus
from smartspot.drafts import draft_from_properties
from smartspot.errors import InvalidInputError
from smartspot.hotspots import HotspotFilter
from smartspot.i18n import msg

router = APIRouter(prefix="/hotspots", tags=["hotspots"])

GEOJSON = "application/geo+json"
GPKG = "application/geopackage+sqlite3"
DEFAULT_PAGE = 100
MAX_PAGE = 10_000

BboxQuery = Annotated[
    str | None,
    Query(
        description="min lon,min lat,max lon,max lat (WGS84), e.g. 8.5,56.3,8.7,56.4",
        examples=["8.5,56.3,8.7,56.4"],
        max_length=200,
    ),
]


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``"minlon,minlat,maxlon,maxlat"`` → four finite floats (else InvalidInputError)."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidInputError(
            msg(
                "bbox {text!r} must be four numbers: min lon,min lat,max lon,max lat (WGS84)",
                text=text,
            ),
            field="bbox",
        )
    minlon, minlat, maxlon, maxlat = values
    if not (-180 <= minlon <= 180 and -180 <= maxlon <= 180):
        raise InvalidInputError(msg("bbox longitudes must be within -180..180"), field="bbox")
    if not (-90 <= minlat <= 90 and -90 <= maxlat <= 90):
        raise InvalidInputError(msg("bbox latitudes must be within -90..90"), field="bbox")
    return (minlon, minlat, maxlon, maxlat)


def _filter(
    principal: Principal,
    bbox: str | None,
    politikreds: str | None,
    kommune: str | None,
    status: HotspotStatus | None,
    category: Category | None,
    limit: int,
    offset: int,
) -> HotspotFilter:
    """The filter asked for, limited to the caller's politikredse (403 for another's)."""
    return HotspotFilter(
        within=named_or_mine(principal, politikreds),
        politikreds=politikreds or None,
        kommune=kommune or None,
        status=status,
        category=category,
        bbox=parse_bbox(bbox),
        limit=limit,
        offset=offset,
    )


def page_links(
    request: Request, *, offset: int, limit: int, returned: int, matched: int
) -> list[Link]:
    links = [Link(href=str(request.url), rel="self")]
    if offset + returned < matched:
        links.append(
            Link(href=str(request.url.include_query_params(offset=offset + limit)), rel="next")
        )
    if offset > 0:
        links.append(
            Link(
                href=str(request.url.include_query_params(offset=max(0, offset - limit))),
                rel="prev",
            )
        )
    return links


@router.get("", response_model=FeatureCollection, response_class=Response)
def list_hotspots(
    request: Request,
    principal: Reader,
    services: ServicesDep,
    bbox: BboxQuery = None,
    politikreds: Annotated[str | None, Query(max_length=100)] = None,
    kommune: Annotated[str | None, Query(max_length=100, description="code or name")] = None,
    status: HotspotStatus | None = None,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Current hotspot versions as a GeoJSON FeatureCollection, ordered by id, one page at a
    time (``links`` has ``next`` while there is more)."""
    where = _filter(principal, bbox, politikreds, kommune, status, category, limit, offset)
    found = services.hotspots.list(where)
    matched = services.hotspots.count(where)
    links = page_links(request, offset=offset, limit=limit, returned=len(found), matched=matched)
    body = feature_collection(found, matched=matched, links=links)
    return Response(body.model_dump_json(), media_type=GEOJSON)


@router.post("", response_model=Feature, status_code=201)
def create_hotspot(body: HotspotIn, principal: HotspotEditor, services: ServicesDep) -> Feature:
    """Register a hotspot from a GeoJSON Feature (Point or Polygon, WGS84). Its kommune and
    politikreds are derived from the geometry, which must lie in one of the caller's
    politikredse."""
    draft = draft_from_properties(body.draft_properties(), today=services.hotspots.today())
    _, where = services.hotspots.place(body.geometry_geojson())
    require(principal, where.politikreds, what=draft.title)
    hotspot = services.hotspots.register(draft, body.geometry_geojson(), user=principal.name)
    feature = hotspot_feature(hotspot)
    services.engine.announce("hotspot", feature.model_dump(mode="json"))
    return feature


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}, GPKG: {}}}},
)
def export_hotspots(
    principal: Reader,
    services: ServicesDep,
    format: Literal["geojson", "gpkg"] = "geojson",
    bbox: BboxQuery = None,
    politikreds: Annotated[str | None, Query(max_length=100)] = None,
    kommune: Annotated[str | None, Query(max_length=100)] = None,
    status: HotspotStatus | None = None,
    category: Category | None = None,
) -> Response:
    """Every matching hotspot as a GeoJSON or GeoPackage file (layer ``hotspots``, EPSG:4326)
    that QGIS opens as is."""
    from smartspot.geo import io

    where = _filter(principal, bbox, politikreds, kommune, status, category, MAX_PAGE, 0)
    found = services.hotspots.every(where)
    if format == "geojson":
        import json

        text = json.dumps(io.feature_collection(found), ensure_ascii=False)
        return Response(
            text,
            media_type=GEOJSON,
            headers={"Content-Disposition": 'attachment; filename="hotspots.geojson"'},
        )
    folder = Path(tempfile.mkdtemp(prefix="smartspot-export-"))
    path = folder / "hotspots.gpkg"
    io.write_geopackage(found, path)

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(
        path, media_type=GPKG, filename="hotspots.gpkg", background=BackgroundTask(cleanup)
    )


@router.get("/{hotspot_id}", response_model=Feature)
def get_hotspot(hotspot_id: str, principal: HotspotReader, services: ServicesDep) -> Feature:
    """The current version of one hotspot."""
    return hotspot_feature(services.hotspots.show(hotspot_id))


@router.patch("/{hotspot_id}", response_model=Feature)
def update_hotspot(
    hotspot_id: str, body: HotspotUpdate, principal: HotspotWriter, services: ServicesDep
) -> Feature:
    """Change a hotspot. ``expected_version`` is the version the editor saw; when someone
    else changed it since, the answer is 409 and nothing is written. A new geometry must lie
    in one of the caller's politikredse too."""
    changes = body.changes()
    if "geometry" in changes:
        _, where = services.hotspots.place(changes["geometry"])
        require(principal, where.politikreds, what=hotspot_id)
    hotspot = services.hotspots.update(
        hotspot_id, changes, expected_version=body.expected_version, user=principal.name
    )
    feature = hotspot_feature(hotspot)
    services.engine.announce("hotspot", feature.model_dump(mode="json"))
    return feature


@router.post("/{hotspot_id}/close", response_model=Feature)
def close_hotspot(
    hotspot_id: str, body: HotspotClose, principal: HotspotWriter, services: ServicesDep
) -> Feature:
    """Close a hotspot with a reason. It stays in the register with its whole history."""
    hotspot = services.hotspots.close(
        hotspot_id, body.reason, user=principal.name, expected_version=body.expected_version
    )
    feature = hotspot_feature(hotspot)
    services.engine.announce("hotspot", feature.model_dump(mode="json"))
    return feature


@router.get("/{hotspot_id}/history", response_model=FeatureCollection)
def hotspot_history(
    hotspot_id: str, principal: HotspotReader, services: ServicesDep
) -> FeatureCollection:
    """Every version of a hotspot, oldest first."""
    return feature_collection(services.hotspots.history(hotspot_id))
