"""Follow-ups in files and the retention job: ``POST /followups/import`` (GeoJSON or CSV, all
or nothing, with the same report as ``smartspot followups import``) and ``POST
/followups/purge`` (``smartspot followups purge`` over HTTP), for analysts and admins.

Both keep to the caller's politikredse (:mod:`api.access`): every address of an import must lie
in one of them (else that feature is a rejected row), and the purge erases only theirs.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.access import within
from api.auth import FollowUpEditor
from api.deps import ServicesDep
from api.errors import JSON_PROBLEMS
from api.followup_schemas import ImportedOut, ImportRejectedOut, PurgeOut, rejected_rows
from api.language import request_translator
from api.responses import ErrorOut, FieldProblem
from api.routers.followups import announce
from smartspot.drafts import FeatureIn
from smartspot.errors import InvalidInputError
from smartspot.followup_io import features_from_csv, features_from_json
from smartspot.followups import FollowUp
from smartspot.geo.io import ImportLimits
from smartspot.i18n import Message, msg
from smartspot.imports import ImportRejectedError

router = APIRouter(prefix="/followups", tags=["followups"])


#: The bodies ``POST /followups/import`` reads, by Content-Type.
GEOJSON_TYPES = ("application/geo+json", "application/json")
CSV_TYPE = "text/csv"
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "a GeoJSON FeatureCollection of points (WGS84) with the follow-up "
        "properties, or CSV with a header row: lon, lat and the properties as columns "
        "(windows separated by ';'); at most the service's body limit (413 beyond)",
        "content": {
            "application/geo+json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {"type": "array", "items": {"type": "object"}},
                    },
                }
            },
            CSV_TYPE: {"schema": {"type": "string"}},
        },
    }
}
IMPORT_ANSWERS: dict[int | str, dict[str, Any]] = {
    415: {"description": "the body is neither GeoJSON nor CSV", "model": ErrorOut},
    422: {
        "description": "nothing was imported: ``rejected`` names every bad field of every bad "
        "feature (or the file as a whole is unreadable: ``field`` says why)",
        "model": ImportRejectedOut,
    },
}


def _features(content_type: str, body: bytes, limits: ImportLimits) -> list[FeatureIn]:
    """The file's features, unvalidated; 415 for another kind of body, 422 for one that
    cannot be read at all."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in (*GEOJSON_TYPES, CSV_TYPE):
        raise HTTPException(
            415,
            detail=msg(
                "send the file as {geojson} or {csv}, not {given}",
                geojson="application/geo+json",
                csv=CSV_TYPE,
                given=kind or "—",
            ),
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(msg("the file is not UTF-8 text"), field="body") from None
    if kind == CSV_TYPE:
        features = features_from_csv(text)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            problem = Message(error.msg, translate=error.msg in JSON_PROBLEMS)
            raise InvalidInputError(
                msg("the request body is not valid JSON ({error})", error=problem), field="body"
            ) from None
        features = features_from_json(data)
    if len(features) > limits.max_features:
        raise InvalidInputError(
            msg(
                "the file has {n} features; an import may have at most {most} — split the file",
                n=len(features),
                most=limits.max_features,
            ),
            field="features",
        )
    return features


@router.post(
    "/import",
    response_model=ImportedOut,
    status_code=201,
    responses=IMPORT_ANSWERS,
    openapi_extra=IMPORT_BODY,
)
async def import_followups(
    request: Request, principal: FollowUpEditor, services: ServicesDep
) -> ImportedOut | JSONResponse:
    """Register every follow-up of a GeoJSON or CSV file, all or nothing, with the same report
    as ``smartspot followups import``: one bad field anywhere and nothing is written (422,
    ``rejected`` lists every bad field of every bad feature, in the request's language). Each
    address must lie in one of the caller's politikredse."""
    body = await request.body()
    features = _features(request.headers.get("content-type", ""), body, ImportLimits())

    def register() -> list[FollowUp]:
        with services.store.transaction():  # the follow-ups and their events, or nothing
            created = services.followups.import_features(
                features, user=principal.name, within=within(principal)
            )
            for followup in created:
                announce(services, followup)
        return created

    try:
        created = await run_in_threadpool(register)
    except ImportRejectedError as rejected:
        translate = request_translator(request)
        report = ImportRejectedOut(
            detail=translate(rejected.message),
            field=rejected.field,
            errors=[
                FieldProblem(
                    field=f"{p.index}.{p.field}", message=translate(p.reason), type="import"
                )
                for p in rejected.problems
            ],
            rejected=rejected_rows(rejected, translate),
        )
        return JSONResponse(report.model_dump(mode="json"), status_code=422)
    return ImportedOut(imported=len(created), ids=[f.id for f in created])


@router.post("/purge", response_model=PurgeOut)
def purge(principal: FollowUpEditor, services: ServicesDep) -> PurgeOut:
    """The retention job: erase the name and phone number of the caller's politikredse's
    follow-ups closed at least the retention period ago (``SMARTSPOT_FOLLOWUP_RETENTION_DAYS``,
    default 90). The tasks, their outcomes and audit rows stay; ``audit verify`` still passes.
    ``smartspot followups purge`` runs the same as the nightly job."""
    result = services.followups.purge(within=within(principal))
    return PurgeOut(
        erased=list(result.erased), cutoff=result.cutoff, retention_days=result.retention_days
    )
