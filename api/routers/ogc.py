"""OGC API – Features (Part 1: Core), read-only, at ``/ogc``: the hotspot layer for QGIS and
GDAL's OAPIF driver. One collection, ``hotspots``: the current version of every hotspot, in
CRS84 (WGS84 longitude/latitude), as GeoJSON. Logging in works as everywhere else (QGIS: an
"API header" authentication with ``Authorization: Bearer …``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.auth import Reader
from api.deps import ServicesDep
from api.routers.hotspots import BboxQuery, parse_bbox
from api.schemas import feature_collection, hotspot_feature
from smartspot.hotspots import HotspotFilter

router = APIRouter(prefix="/ogc", tags=["ogc"])

GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
DENMARK_BBOX = [7.9, 54.45, 15.3, 57.85]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _json(body: dict[str, Any], media_type: str = "application/json") -> JSONResponse:
    return JSONResponse(body, media_type=media_type)


@router.get("", response_class=JSONResponse)
def landing(request: Request, principal: Reader) -> JSONResponse:
    """The landing page: links to the API definition, conformance and the collections."""
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    return _json(
        {
            "title": "Smart Spot",
            "description": "Tryghedsopgaver (safety hotspots) with their handling instructions",
            "links": [
                {"href": base, "rel": "self", "type": "application/json", "title": "this document"},
                {
                    "href": f"{root}/openapi.json",
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi+json;version=3.0",
                    "title": "the API definition",
                },
                {"href": f"{root}/docs", "rel": "service-doc", "type": "text/html"},
                {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json"},
                {"href": f"{base}/collections", "rel": "data", "type": "application/json"},
            ],
        }
    )


@router.get("/conformance", response_class=JSONResponse)
def conformance(principal: Reader) -> JSONResponse:
    return _json({"conformsTo": CONFORMANCE})


def _collection(base: str) -> dict[str, Any]:
    return {
        "id": "hotspots",
        "title": "Tryghedsopgaver",
        "description": "Current version of every hotspot (open and closed), with kommune and "
        "politikreds derived from the geometry",
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [DENMARK_BBOX], "crs": CRS84}},
        "links": [
            {"href": f"{base}/collections/hotspots", "rel": "self", "type": "application/json"},
            {"href": f"{base}/collections/hotspots/items", "rel": "items", "type": GEOJSON},
        ],
    }


@router.get("/collections", response_class=JSONResponse)
def collections(request: Request, principal: Reader) -> JSONResponse:
    base = _base(request)
    return _json(
        {
            "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
            "collections": [_collection(base)],
        }
    )


@router.get("/collections/hotspots", response_class=JSONResponse)
def hotspot_collection(request: Request, principal: Reader) -> JSONResponse:
    return _json(_collection(_base(request)))


@router.get(
    "/collections/hotspots/items",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def items(
    request: Request,
    principal: Reader,
    services: ServicesDep,
    bbox: BboxQuery = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Features, ``limit`` at a time, with a ``next`` link while there are more."""
    where = HotspotFilter(bbox=parse_bbox(bbox), limit=limit, offset=offset)
    found = services.hotspots.list(where)
    matched = services.hotspots.count(where)
    body = feature_collection(found, matched=matched).model_dump(mode="json")
    links = [{"href": str(request.url), "rel": "self", "type": GEOJSON}]
    if offset + len(found) < matched:
        nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
        links.append({"href": str(nxt), "rel": "next", "type": GEOJSON})
    body["links"] = links
    body["timeStamp"] = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return _json(body, media_type=GEOJSON)


@router.get(
    "/collections/hotspots/items/{hotspot_id}",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def item(request: Request, hotspot_id: str, principal: Reader, services: ServicesDep) -> Response:
    feature = hotspot_feature(services.hotspots.show(hotspot_id)).model_dump(mode="json")
    base = _base(request)
    feature["links"] = [
        {"href": str(request.url), "rel": "self", "type": GEOJSON},
        {"href": f"{base}/collections/hotspots", "rel": "collection", "type": "application/json"},
    ]
    return _json(feature, media_type=GEOJSON)
