"""OGC API – Features (Part 1: Core), read-only, at ``/ogc``: the hotspot layers for QGIS and
GDAL's OAPIF driver. Two collections with one geometry type each, as the GeoPackage export has
them: ``hotspot_points`` (Point) and ``hotspot_areas`` (Polygon), the current version of every
hotspot, in CRS84 (WGS84 longitude/latitude), as GeoJSON. Each collection links its schema
(``describedby``, OGC API – Features Part 5 style) declaring the geometry type and the fields.

Logging in: a bearer token as everywhere else, or HTTP Basic with the user's name and password
for clients without bearer support (Debian's QGIS 3.22). Basic sends the password with every
request, so the service must run behind TLS when it is used (README). A successful Basic check
is remembered for :data:`BASIC_TTL_S` so a client's burst of requests does not pay argon2 each;
the password checks go through the same login throttle and bounded checker as ``/auth/token``,
and a remembered login ends as soon as the account changes (role, password, deactivation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from api.access import require, within
from api.auth import Permission, Principal, Role, check_current, read_token
from api.deps import ServicesDep
from api.login import throttled_check
from api.routers.hotspots import BboxQuery, parse_bbox
from api.schemas import feature_collection, hotspot_feature
from smartspot.domain import Hotspot
from smartspot.geo.io import LAYERS
from smartspot.hotspots import HotspotFilter
from smartspot.i18n import Message, msg
from smartspot.store.port import MAX_PAGE

router = APIRouter(prefix="/ogc", tags=["ogc"])

GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
DENMARK_BBOX = [7.9, 54.45, 15.3, 57.85]
BASIC_TTL_S = 60.0
REALM = 'Basic realm="Smart Spot OGC API", charset="UTF-8"'
#: collection id → (geometry type, title, description)
COLLECTIONS = {
    LAYERS["Point"]: ("Point", "Tryghedsopgaver – punkter", "Hotspots registered as a point"),
    LAYERS["Polygon"]: ("Polygon", "Tryghedsopgaver – områder", "Hotspots registered as an area"),
}
#: JSON schema of the properties (OGC API – Features Part 5 formats)
PROPERTY_SCHEMA: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "x-ogc-role": "id"},
    **{
        name: {"type": "string"}
        for name in (
            "title",
            "category",
            "description",
            "instruction",
            "source",
            "source_ref",
            "kommunekode",
            "kommunenavn",
            "politikreds",
            "status",
            "close_reason",
            "created_by",
            "updated_by",
        )
    },
    "steps": {"type": "array", "items": {"type": "string"}},
    "windows": {"type": "array", "items": {"type": "string"}},
    "minutes_on_site": {"type": "integer"},
    "priority": {"type": "integer", "minimum": 1, "maximum": 5},
    "version": {"type": "integer"},
    "visits_per_week": {"type": "number"},
    "valid_from": {"type": "string", "format": "date"},
    "valid_to": {"type": ["string", "null"], "format": "date"},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
}


def _unauthorized(detail: Message) -> HTTPException:
    return HTTPException(
        status_code=401, detail=detail, headers={"WWW-Authenticate": f"Bearer, {REALM}"}
    )


async def _basic(services: Any, request: Request, credentials: str) -> Principal:
    """The account named by Basic credentials, checked as ``/auth/token`` checks a login:
    through the login throttle and the bounded password checks. A success is remembered for
    :data:`BASIC_TTL_S`, as long as the account keeps its role, activity and generation."""
    try:
        name, sep, password = base64.b64decode(credentials, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        name, sep, password = "", "", ""
    if not sep:
        raise _unauthorized(msg("the Basic credentials are not base64 of user:password"))
    key = (
        "basic:"
        + hashlib.sha256(f"{services.settings.secret_key}\0{credentials}".encode()).hexdigest()
    )
    remembered = services.cache.get(key)
    if remembered is not None and remembered[1] > time.monotonic():
        return check_current(remembered[0], services.accounts)
    account = await throttled_check(services, request, name, password)
    if account is None:
        raise _unauthorized(msg("wrong user name or password"))
    principal = Principal(
        name=account.name,
        role=Role(account.role),
        generation=services.store.users.token_generation(account.name),
    )
    services.cache[key] = (principal, time.monotonic() + BASIC_TTL_S)
    return check_current(principal, services.accounts)  # with the account's districts


async def ogc_reader(request: Request, services: ServicesDep) -> Principal:
    """The caller, by bearer token or HTTP Basic; every role may read."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        token = read_token(value.strip(), secret=services.settings.secret_key)
        principal = check_current(token, services.accounts)
    elif scheme.lower() == "basic" and value:
        principal = await _basic(services, request, value.strip())
    else:
        raise _unauthorized(
            msg(
                "log in first: Authorization: Bearer <token> from /auth/token, or HTTP Basic "
                "with your user name and password"
            )
        )
    if not principal.may(Permission.READ):
        raise HTTPException(
            status_code=403, detail=msg("a {role} may not read", role=principal.role.value)
        )
    return principal


OgcReader = Annotated[Principal, Depends(ogc_reader)]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _json(body: dict[str, Any], media_type: str = "application/json") -> JSONResponse:
    return JSONResponse(body, media_type=media_type)


@router.get("", response_class=JSONResponse)
def landing(request: Request, principal: OgcReader) -> JSONResponse:
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
                    "href": f"{base}/api",
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


OPENAPI_MEDIA = "application/vnd.oai.openapi+json;version=3.0"


@router.get("/api", response_class=JSONResponse, responses={200: {"content": {OPENAPI_MEDIA: {}}}})
def api_definition(request: Request, principal: OgcReader) -> JSONResponse:
    """The OpenAPI definition of ``/ogc`` alone, readable with the same logins as the data
    (the service's full ``/openapi.json`` wants a bearer token)."""
    full: dict[str, Any] = request.app.openapi()
    paths = {path: item for path, item in full.get("paths", {}).items() if path.startswith("/ogc")}
    return _json(
        {**full, "paths": paths},
        media_type=OPENAPI_MEDIA,
    )


@router.get("/conformance", response_class=JSONResponse)
def conformance(principal: OgcReader) -> JSONResponse:
    return _json({"conformsTo": CONFORMANCE})


def _collection(base: str, collection_id: str) -> dict[str, Any]:
    geom_type, title, description = COLLECTIONS[collection_id]
    here = f"{base}/collections/{collection_id}"
    return {
        "id": collection_id,
        "title": title,
        "description": f"{description}: the current version of each (open and closed), with "
        "kommune and politikreds derived from the geometry",
        "itemType": "feature",
        "geometryType": geom_type,
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [DENMARK_BBOX], "crs": CRS84}},
        "links": [
            {"href": here, "rel": "self", "type": "application/json"},
            {"href": f"{here}/items", "rel": "items", "type": GEOJSON},
            {"href": f"{here}/schema", "rel": "describedby", "type": "application/schema+json"},
        ],
    }


def _known(collection_id: str) -> str:
    if collection_id not in COLLECTIONS:
        raise HTTPException(
            status_code=404,
            detail=msg(
                "no collection {collection!r}; there are {known}",
                collection=collection_id,
                known=", ".join(COLLECTIONS),
            ),
        )
    return collection_id


@router.get("/collections", response_class=JSONResponse)
def collections(request: Request, principal: OgcReader) -> JSONResponse:
    base = _base(request)
    return _json(
        {
            "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
            "collections": [_collection(base, name) for name in COLLECTIONS],
        }
    )


@router.get("/collections/{collection_id}", response_class=JSONResponse)
def collection(request: Request, collection_id: str, principal: OgcReader) -> JSONResponse:
    return _json(_collection(_base(request), _known(collection_id)))


@router.get("/collections/{collection_id}/schema", response_class=JSONResponse)
def collection_schema(request: Request, collection_id: str, principal: OgcReader) -> JSONResponse:
    """The features' JSON schema: one geometry type, typed properties."""
    geom_type = COLLECTIONS[_known(collection_id)][0]
    return _json(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": str(request.url),
            "type": "object",
            "title": COLLECTIONS[collection_id][1],
            "properties": {
                "geometry": {
                    "format": f"geometry-{geom_type.lower()}",
                    "x-ogc-role": "primary-geometry",
                },
                **PROPERTY_SCHEMA,
            },
        },
        media_type="application/schema+json",
    )


def _of_type(
    services: Any, geom_type: str, bbox: Any, within: frozenset[str] | None
) -> list[Hotspot]:
    """Every current hotspot of one geometry type (within ``bbox`` and the politikredse
    ``within``), in id order."""
    found: list[Hotspot] = []
    offset = 0
    while True:
        page = services.hotspots.list(
            HotspotFilter(bbox=bbox, limit=MAX_PAGE, offset=offset, within=within)
        )
        found.extend(h for h in page if h.geometry.geom_type == geom_type)
        if len(page) < MAX_PAGE:
            return found
        offset += MAX_PAGE


@router.get(
    "/collections/{collection_id}/items",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def items(
    request: Request,
    collection_id: str,
    principal: OgcReader,
    services: ServicesDep,
    bbox: BboxQuery = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Features of the caller's politikredse, ``limit`` at a time, with a ``next`` link while
    there are more."""
    geom_type = COLLECTIONS[_known(collection_id)][0]
    matching = _of_type(services, geom_type, parse_bbox(bbox), within(principal))
    found = matching[offset : offset + limit]
    body = feature_collection(found, matched=len(matching)).model_dump(mode="json")
    links = [{"href": str(request.url), "rel": "self", "type": GEOJSON}]
    if offset + len(found) < len(matching):
        nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
        links.append({"href": str(nxt), "rel": "next", "type": GEOJSON})
    body["links"] = links
    body["timeStamp"] = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return _json(body, media_type=GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{hotspot_id}",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def item(
    request: Request,
    collection_id: str,
    hotspot_id: str,
    principal: OgcReader,
    services: ServicesDep,
) -> Response:
    geom_type = COLLECTIONS[_known(collection_id)][0]
    hotspot = services.hotspots.show(hotspot_id)
    require(principal, hotspot.location.politikreds, what=hotspot_id)
    if hotspot.geometry.geom_type != geom_type:
        detail = (
            msg(
                "{id} is not in {collection}: it is registered as an area",
                id=hotspot_id,
                collection=collection_id,
            )
            if geom_type == "Point"
            else msg(
                "{id} is not in {collection}: it is registered as a point",
                id=hotspot_id,
                collection=collection_id,
            )
        )
        raise HTTPException(status_code=404, detail=detail)
    feature = hotspot_feature(hotspot).model_dump(mode="json")
    base = _base(request)
    feature["links"] = [
        {"href": str(request.url), "rel": "self", "type": GEOJSON},
        {
            "href": f"{base}/collections/{collection_id}",
            "rel": "collection",
            "type": "application/json",
        },
    ]
    return _json(feature, media_type=GEOJSON)
