"""Follow-ups in and out: GeoJSON features (with or without the personal fields) and the CSV and
GeoJSON files an import reads.

A feature carries ``name`` and ``phone`` only when asked to (``personal=True``: the analyst's
and admin's view, and the export an analyst makes); every other view gets ``personal`` =
``withheld`` (or ``erased``) in their place, so a reader knows the data exists without seeing it.

A CSV has a header row with ``lon`` and ``lat`` (WGS84) and the contract properties of
:mod:`smartspot.followup_drafts` as further columns; ``windows`` separated by ``;``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import Point

from smartspot.drafts import FeatureIn
from smartspot.errors import InvalidInputError
from smartspot.followups import Attempt, FollowUp
from smartspot.geo.crs import metric_to_lonlat
from smartspot.geo.io import ImportLimits, features_from_geojson, read_features
from smartspot.i18n import msg

DECIMALS = 6
#: CSV columns read as numbers (the others stay text: a phone number is no number).
NUMBER_COLUMNS = ("minutes_on_site", "priority")


def lonlat(followup: FollowUp) -> tuple[float, float]:
    lon, lat = metric_to_lonlat(np.array([followup.position.x]), np.array([followup.position.y]))[0]
    return round(float(lon), DECIMALS), round(float(lat), DECIMALS)


def properties(followup: FollowUp, *, personal: bool) -> dict[str, Any]:
    """The contract properties of one version, derived fields included; ``name`` and
    ``phone`` only with ``personal`` (else ``personal`` says withheld or erased)."""
    props: dict[str, Any] = {
        "id": followup.id,
        "kind": "followup",
        "case_ref": followup.case_ref,
        "category": followup.category.value,
        "task": followup.task,
        "address": followup.address,
        "due_by": followup.due_by.isoformat(),
        "windows": [w.label() for w in followup.windows],
        "minutes_on_site": followup.minutes_on_site,
        "priority": followup.priority,
        "status": followup.status.value,
        "queue": followup.queue.value,
        "queue_reason": None if followup.queue_reason is None else followup.queue_reason.value,
        "attempts": followup.attempts,
        "failed_attempts": followup.failed_attempts,
        "kommunekode": followup.location.kommunekode,
        "kommunenavn": followup.location.kommunenavn,
        "politikreds": followup.location.politikreds,
        "closed_at": None if followup.closed_at is None else followup.closed_at.isoformat(),
        "close_reason": followup.close_reason,
        "version": followup.version,
        "created_by": followup.created_by,
        "created_at": followup.created_at.isoformat(),
        "updated_by": followup.updated_by,
        "updated_at": followup.updated_at.isoformat(),
    }
    if followup.erased:
        props["personal"] = "erased"
    elif personal and followup.citizen is not None:
        props |= {
            "personal": "shown",
            "name": followup.citizen.name,
            "phone": followup.citizen.phone,
        }
    else:
        props["personal"] = "withheld"
    return props


def feature(followup: FollowUp, *, personal: bool) -> dict[str, Any]:
    """One follow-up as an RFC 7946 Feature (a WGS84 point)."""
    lon, lat = lonlat(followup)
    return {
        "type": "Feature",
        "id": followup.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties(followup, personal=personal),
    }


def feature_collection(followups: Iterable[FollowUp], *, personal: bool) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [feature(f, personal=personal) for f in followups],
    }


def attempt_record(attempt: Attempt) -> dict[str, Any]:
    """One attempt as JSON (no personal data: attempts hold none but the crew's note)."""
    return {
        "number": attempt.number,
        "patrol": attempt.patrol,
        "at": attempt.at.isoformat(),
        "outcome": None if attempt.outcome is None else attempt.outcome.value,
        "left": None if attempt.left is None else attempt.left.value,
        "note": attempt.note,
        "detected": attempt.detected,
        "recorded_by": attempt.recorded_by,
    }


def read_import(path: Path, *, limits: ImportLimits | None = None) -> list[FeatureIn]:
    """Features from a ``.csv`` or ``.geojson`` file (see the module docstring).

    Raises
    ------
    InvalidInputError
        When the file is missing, too large, not CSV or GeoJSON, or a CSV lacks lon/lat.
    """
    limits = limits or ImportLimits()
    if path.suffix.lower() != ".csv":
        return read_features(path, limits=limits, fmt="geojson")
    try:
        size = path.stat().st_size
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(
            msg("cannot read {path}: {error}", path=path, error=error), field="path"
        ) from None
    if size > limits.max_bytes:
        raise InvalidInputError(
            msg(
                "{name} is {e6:.1f} MB; an import may be at most {e62:.1f} MB — split the file",
                name=path.name,
                e6=size / 1e6,
                e62=limits.max_bytes / 1e6,
            ),
            field="path",
        )
    features = features_from_csv(text)
    if len(features) > limits.max_features:
        raise InvalidInputError(
            msg(
                "{name} has {n_features} features; an import may have at most {max_features} — split the file",
                name=path.name,
                n_features=len(features),
                max_features=limits.max_features,
            ),
            field="path",
        )
    return features


def features_from_csv(text: str) -> list[FeatureIn]:
    """Rows of CSV text as features: a point from ``lon``/``lat``, the rest as properties."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [c.strip() for c in reader.fieldnames or []]
    if "lon" not in columns or "lat" not in columns:
        raise InvalidInputError(
            msg(
                "the CSV needs columns lon and lat (WGS84) besides the properties; it has {columns}",
                columns=", ".join(columns) or "none",
            ),
            field="columns",
        )
    features = []
    for index, raw in enumerate(reader):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        props: dict[str, Any] = {k: v for k, v in row.items() if k not in ("lon", "lat") and v}
        for column in NUMBER_COLUMNS:
            if column in props:
                props[column] = _number(props[column])
        try:
            point = Point(float(row["lon"].replace(",", ".")), float(row["lat"].replace(",", ".")))
        except ValueError:
            features.append(
                FeatureIn(
                    index,
                    props,
                    None,
                    msg(
                        "lon {lon!r} and lat {lat!r} must be numbers",
                        lon=row["lon"],
                        lat=row["lat"],
                    ),
                )
            )
            continue
        features.append(FeatureIn(index, props, point))
    return features


def features_from_json(data: Any) -> list[FeatureIn]:
    """Features from parsed GeoJSON (for the API's import route)."""
    return features_from_geojson(data)


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text  # left for the field check to refuse with its own words
