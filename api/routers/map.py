"""The map's own data: simplified kommune and politikreds boundaries, and the live stream."""

from __future__ import annotations

import json
from typing import Any, Literal

import shapely
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from api.auth import Reader
from api.deps import ServicesDep
from api.events_auth import stream_principal, while_authorised
from api.schemas import geometry_to_geojson

router = APIRouter(tags=["map"])

SIMPLIFY_M = {"kommune": 150.0, "politikreds": 250.0}


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


@router.get("/config")
def map_config(principal: Reader, services: ServicesDep) -> dict[str, Any]:
    """What the map needs to start: its district, an optional tile URL."""
    return {"district": services.settings.district, "tile_url": services.settings.tile_url}


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
    ``Last-Event-ID`` and gets every event after it, from any worker."""
    principal = stream_principal(request, services.settings, services.accounts)
    resume = request.headers.get("last-event-id", "").strip()
    after = int(resume) if resume.isdigit() else None
    return StreamingResponse(
        while_authorised(services.events.listen(after=after), principal, services.accounts),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
