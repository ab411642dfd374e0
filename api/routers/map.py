"""The map's own data: simplified kommune and politikreds boundaries, the offline base layer
(roads from the shipped OSM extracts, GeoNames towns), the favicon, and the live stream."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Literal

import shapely
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response, StreamingResponse

from api.access import event_filter
from api.auth import Reader
from api.deps import ServicesDep
from api.events_auth import stream_principal, while_authorised
from api.language import request_translator
from api.schemas import geometry_to_geojson
from smartspot.access import home_district
from smartspot.fulfilment import week_of
from smartspot.geo import basemap
from smartspot.resources import DATA_DIR

router = APIRouter(tags=["map"])

SIMPLIFY_M = {"kommune": 150.0, "politikreds": 250.0}
OSM_DIR = DATA_DIR / "osm"
FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"
BaseLevel = Literal["overview", "area", "street"]


def _boundaries(services: Any, level: str) -> str:
    key = f"boundaries:{level}"
    cached: str | None = services.cache.get(key)
    if cached is not None:
        return cached
    regions = services.regions
    features = []
    if level == "kommune":
        for kommune, polygon in zip(regions.kommuner, regions.polygons, strict=True):
            features.append(
                {
                    "type": "Feature",
                    "id": kommune.kode,
                    "geometry": geometry_to_geojson(
                        shapely.simplify(polygon, SIMPLIFY_M[level], preserve_topology=True)
                    ),
                    "properties": {
                        "kommunekode": kommune.kode,
                        "kommunenavn": kommune.navn,
                        "politikreds": kommune.politikreds,
                    },
                }
            )
    else:
        for name, polygon in sorted(regions.district_polygons.items()):
            features.append(
                {
                    "type": "Feature",
                    "id": name,
                    "geometry": geometry_to_geojson(
                        shapely.simplify(polygon, SIMPLIFY_M[level], preserve_topology=True)
                    ),
                    "properties": {"politikreds": name},
                }
            )
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    services.cache[key] = text
    return text


@router.get(
    "/boundaries/{level}",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def boundaries(
    level: Literal["kommune", "politikreds"], principal: Reader, services: ServicesDep
) -> Response:
    """Kommune or politikreds boundaries (DAGI 1:500 000, simplified for the map) as GeoJSON."""
    return Response(
        _boundaries(services, level),
        media_type="application/geo+json",
        headers={"Cache-Control": "private, max-age=3600"},
    )


def basemap_layers(services: Any) -> dict[str, str]:
    """The base layer's GeoJSON texts (a road layer per level, and ``towns``), built from the
    shipped data on first use and kept for the life of the app."""
    lock: threading.Lock = services.cache.setdefault("basemap:lock", threading.Lock())
    with lock:
        built: dict[str, str] | None = services.cache.get("basemap")
        if built is None:
            roads = basemap.read_roads(sorted(OSM_DIR.glob("*.osm.pbf")))
            built = {
                level.name: json.dumps(basemap.road_layer(roads, level), ensure_ascii=False)
                for level in basemap.LEVELS
            }
            towns = basemap.town_layer(DATA_DIR / "dk_places_geonames.csv")
            built["towns"] = json.dumps(towns, ensure_ascii=False)
            services.cache["basemap"] = built
        return built


def _geojson(text: str) -> Response:
    return Response(
        text, media_type="application/geo+json", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.get(
    "/basemap/roads/{level}",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def basemap_roads(level: BaseLevel, principal: Reader, services: ServicesDep) -> Response:
    """Roads and car ferries where the project has OpenStreetMap data (Samsø, Anholt, Tunø,
    Aarhus C) at one level of detail: ``overview`` (zoom ≤ 10: main roads), ``area`` (11–13:
    + local roads), ``street`` (≥ 14: + service roads and paths). © OpenStreetMap
    contributors, ODbL."""
    return _geojson(basemap_layers(services)[level])


@router.get(
    "/basemap/towns",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def basemap_towns(principal: Reader, services: ServicesDep) -> Response:
    """Danish towns of 500 or more inhabitants with their population, largest first.
    © GeoNames, CC BY 4.0."""
    return _geojson(basemap_layers(services)["towns"])


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return FileResponse(
        FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/config")
def map_config(principal: Reader, services: ServicesDep) -> dict[str, Any]:
    """What the map needs to start: the district it opens on (the user's own: the
    deployment's when it is one of theirs, else the first of theirs), the user's districts
    (``["*"]``: all), an optional online tile URL (without one, the map draws its offline base
    layer from ``/basemap``), and the calendar week running now on the service's clock
    (Monday to Monday, Copenhagen), whose fulfilment the map shows."""
    week = week_of(services.clock.now())
    return {
        "district": home_district(principal.districts, services.settings.district),
        "districts": sorted(principal.districts.names),
        "week": {
            "label": week.label,
            "since": week.start.isoformat(),
            "until": week.end.isoformat(),
        },
        "tile_url": services.settings.tile_url,
        "basemap_levels": {
            level.name: [level.min_zoom, level.max_zoom] for level in basemap.LEVELS
        },
    }


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(request: Request, services: ServicesDep) -> StreamingResponse:
    """Server-sent events for the map: ``hotspot``, ``patrol``, ``positions``, ``callout``,
    ``proposal``, ``no-proposal``, ``visit``. Log in with the cookie from
    ``POST /events/session`` (browsers) or an ``Authorization: Bearer`` header; a token in the
    URL is not accepted. Each event carries its persisted id; a reconnecting client sends
    ``Last-Event-ID`` and gets every event after it, from any worker. Only the events of the
    caller's politikredse are sent (of a ``positions`` batch, their cars' fixes)."""
    principal = stream_principal(request, services.settings, services.accounts)
    resume = request.headers.get("last-event-id", "").strip()
    after = int(resume) if resume.isdigit() else None
    select = event_filter(principal, services.belonging)
    return StreamingResponse(
        while_authorised(
            services.events.listen(after=after, t=request_translator(request), select=select),
            principal,
            services.accounts,
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
