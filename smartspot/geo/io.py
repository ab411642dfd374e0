"""Hotspots in and out as GeoJSON (RFC 7946) and GeoPackage.

Export writes WGS84 longitude/latitude with 6 decimals (about 0.1 m) and polygons whose exterior
ring runs counter-clockwise (RFC 7946's right-hand rule). The GeoPackage has two layers in
EPSG:4326 with a declared geometry type, ``hotspot_points`` (Point) and ``hotspot_areas``
(Polygon), so QGIS opens each as what it is; ``valid_from``/``valid_to`` are Date fields and
``created_at``/``updated_at`` DateTime (UTC), whole numbers are Integer fields; list fields
(``steps``, ``windows``) are JSON text there, since GeoPackage has no list type.

Reading gives :class:`~smartspot.drafts.FeatureIn` records, unvalidated: the import
(:mod:`smartspot.imports`) checks them all and imports all or nothing.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from smartspot.domain import Hotspot
from smartspot.drafts import EDITABLE, FeatureIn, HotspotDraft, draft_properties
from smartspot.errors import InvalidInputError
from smartspot.geo.crs import WGS84, to_wgs84
from smartspot.i18n import msg

#: Export columns the store derives or keeps, after the editable ones (the GeoJSON contract).
DERIVED_COLUMNS = (
    "kommunekode",
    "kommunenavn",
    "politikreds",
    "status",
    "close_reason",
    "version",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
)

#: GeoPackage layer (and OGC API collection) per geometry type
LAYERS = {"Point": "hotspot_points", "Polygon": "hotspot_areas"}
LEGACY_LAYER = "hotspots"  # the one mixed layer of files exported before the split
DECIMALS = 6
LIST_FIELDS = ("steps", "windows")
FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How big an import file may be; larger ones are refused before they are parsed."""

    max_bytes: int = 20 * 1024 * 1024
    max_features: int = 10_000

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_features < 1:
            raise InvalidInputError(msg("import limits must be positive"))


def file_format(path: Path, given: str | None = None) -> str:
    """``geojson`` or ``gpkg``, from ``given`` or the file's suffix."""
    if given is not None:
        if given not in ("geojson", "gpkg"):
            raise InvalidInputError(
                msg("unknown format {given!r}; use geojson or gpkg", given=given), field="format"
            )
        return given
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise InvalidInputError(
            msg("cannot tell the format of {name}; name it .geojson or .gpkg", name=path.name),
            field="format",
        ) from None


# -- export ------------------------------------------------------------------------------------


def _round(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.round(coords, DECIMALS)


def wgs84_geometry(hotspot: Hotspot) -> BaseGeometry:
    """The hotspot's geometry in WGS84, 6 decimals, exterior ring counter-clockwise."""
    geometry = shapely.transform(to_wgs84(hotspot.geometry), _round)
    if isinstance(geometry, Polygon):
        geometry = orient(geometry, sign=1.0)
    return geometry


def hotspot_properties(hotspot: Hotspot) -> dict[str, Any]:
    """The contract properties of one hotspot version, derived fields included."""
    return {
        "id": hotspot.id,
        **draft_properties(HotspotDraft.of(hotspot)),
        "kommunekode": hotspot.location.kommunekode,
        "kommunenavn": hotspot.location.kommunenavn,
        "politikreds": hotspot.location.politikreds,
        "status": hotspot.status.value,
        "close_reason": hotspot.close_reason,
        "version": hotspot.version,
        "created_by": hotspot.created_by,
        "created_at": hotspot.created_at.isoformat(),
        "updated_by": hotspot.updated_by,
        "updated_at": hotspot.updated_at.isoformat(),
    }


def hotspot_feature(hotspot: Hotspot) -> dict[str, Any]:
    """One hotspot as an RFC 7946 Feature."""
    return {
        "type": "Feature",
        "id": hotspot.id,
        "geometry": mapping(wgs84_geometry(hotspot)),
        "properties": hotspot_properties(hotspot),
    }


def feature_collection(hotspots: Iterable[Hotspot]) -> dict[str, Any]:
    """Hotspots as an RFC 7946 FeatureCollection."""
    return {"type": "FeatureCollection", "features": [hotspot_feature(h) for h in hotspots]}


def write_geojson(hotspots: Iterable[Hotspot], path: Path) -> int:
    """Write a GeoJSON file; returns how many features it holds."""
    collection = feature_collection(hotspots)
    text = json.dumps(collection, ensure_ascii=False, indent=1)
    _write_text(path, text)
    return len(collection["features"])


def write_geopackage(hotspots: Sequence[Hotspot], path: Path) -> int:
    """Write a GeoPackage with the layers of :data:`LAYERS` in EPSG:4326 (replacing the file);
    both layers are written, an empty one too, so a QGIS project finds them every time."""
    import pyarrow as pa  # heavy; only export needs it (typed Date/DateTime columns)
    import pyogrio

    try:
        if path.exists():
            path.unlink()  # a GeoPackage is a database: replace it rather than append a layer
        for geom_type, layer in LAYERS.items():
            chosen = [h for h in hotspots if h.geometry.geom_type == geom_type]
            # GeoPackage 1.2: what GDAL 3.x and so every QGIS 3 reads without a warning.
            pyogrio.write_arrow(
                _arrow_table(chosen, pa),
                path,
                layer=layer,
                driver="GPKG",
                geometry_name="geom",
                geometry_type=geom_type,
                crs=WGS84,
                append=path.exists(),
                dataset_options={"VERSION": "1.2"} if not path.exists() else None,
            )
    except OSError as error:
        raise InvalidInputError(
            msg("cannot write {path}: {error}", path=path, error=error), field="path"
        ) from None
    return len(hotspots)


def _arrow_table(hotspots: Sequence[Hotspot], pa: Any) -> Any:
    """One layer's rows with typed columns, geometry as WKB marked for GDAL."""
    text, integer, number = pa.string(), pa.int32(), pa.float64()
    stamp = pa.timestamp("ms", tz="UTC")
    types = {
        "minutes_on_site": integer,
        "priority": integer,
        "version": integer,
        "visits_per_week": number,
        "valid_from": pa.date32(),
        "valid_to": pa.date32(),
        "created_at": stamp,
        "updated_at": stamp,
    }
    rows = []
    for hotspot in hotspots:
        props = hotspot_properties(hotspot)
        for key in LIST_FIELDS:
            props[key] = json.dumps(props[key], ensure_ascii=False)
        props["valid_from"], props["valid_to"] = hotspot.valid_from, hotspot.valid_to
        props["created_at"], props["updated_at"] = hotspot.created_at, hotspot.updated_at
        rows.append(props)
    columns = {
        name: pa.array([row[name] for row in rows], type=types.get(name, text))
        for name in _export_columns()
    }
    wkb = shapely.to_wkb([wgs84_geometry(h) for h in hotspots])
    columns["geom"] = pa.array(list(wkb), type=pa.binary())
    schema = pa.schema(
        [
            *(pa.field(name, types.get(name, text)) for name in _export_columns()),
            pa.field("geom", pa.binary(), metadata={"ARROW:extension:name": "geoarrow.wkb"}),
        ]
    )
    return pa.table(columns, schema=schema)


def _export_columns() -> list[str]:
    # Column order of the contract; an empty export still gets every column.
    return ["id", *EDITABLE, *DERIVED_COLUMNS]


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(
            msg("cannot write {path}: {error}", path=path, error=error), field="path"
        ) from None


# -- import ------------------------------------------------------------------------------------


def read_features(
    path: Path, *, limits: ImportLimits = ImportLimits(), fmt: str | None = None
) -> list[FeatureIn]:
    """Read a GeoJSON or GeoPackage file into unvalidated features.

    Raises
    ------
    InvalidInputError
        When the file is missing, too large, has too many features, or is not GeoJSON /
        GeoPackage at all. Problems with single features are left for the import report.
    """
    kind = file_format(path, fmt)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InvalidInputError(
            msg("cannot read {path}: {strerror}", path=path, strerror=error.strerror), field="path"
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
    features = _read_geojson(path) if kind == "geojson" else _read_geopackage(path)
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


def features_from_geojson(data: Any) -> list[FeatureIn]:
    """Features from a parsed GeoJSON FeatureCollection (or a single Feature)."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInputError(msg("expected a GeoJSON FeatureCollection"), field="type")
    crs = data.get("crs")
    if crs is not None and "CRS84" not in json.dumps(crs) and "4326" not in json.dumps(crs):
        raise InvalidInputError(
            msg(
                "GeoJSON must be WGS84 longitude/latitude (RFC 7946); this file declares {crs}",
                crs=crs,
            ),
            field="crs",
        )
    items = data.get("features")
    if not isinstance(items, list):
        raise InvalidInputError(
            msg("the FeatureCollection has no 'features' list"), field="features"
        )
    return [_feature(index, item) for index, item in enumerate(items)]


def _feature(index: int, item: Any) -> FeatureIn:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return FeatureIn(index, {}, None, msg("not a GeoJSON Feature object"))
    props = item.get("properties") or {}
    if not isinstance(props, dict):
        return FeatureIn(index, {}, None, msg("properties must be an object"))
    if props.get("id") in (None, "") and item.get("id") not in (None, ""):
        props = {**props, "id": item["id"]}  # RFC 7946 keeps the id beside the properties
    raw = item.get("geometry")
    if raw is None:
        return FeatureIn(index, props, None, msg("the feature has no geometry"))
    try:
        geometry = shape(raw)
    except Exception as error:  # shapely raises many kinds for malformed GeoJSON
        return FeatureIn(
            index,
            props,
            None,
            msg("unreadable geometry: {error}", error=str(error) or type(error).__name__),
        )
    return FeatureIn(index, props, geometry)


def _read_geojson(path: Path) -> list[FeatureIn]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInputError(
            msg("{name} is not readable GeoJSON: {error}", name=path.name, error=error),
            field="path",
        ) from None
    return features_from_geojson(data)


def _read_geopackage(path: Path) -> list[FeatureIn]:
    import pyogrio

    try:
        names = [str(name) for name, _ in pyogrio.list_layers(path)]
        ours = [name for name in (*LAYERS.values(), LEGACY_LAYER) if name in names]
        frames = [pyogrio.read_dataframe(path, layer=name) for name in ours or names[:1]]
    except Exception as error:  # GDAL reports unreadable files in several ways
        raise InvalidInputError(
            msg("{name} is not a readable GeoPackage: {error}", name=path.name, error=error),
            field="path",
        ) from None
    features: list[FeatureIn] = []
    for frame in frames:
        if frame.crs is not None and not frame.crs.equals(WGS84):
            frame = frame.to_crs(WGS84)
        records = frame.drop(columns=frame.geometry.name).to_dict("records")
        for geometry, record in zip(frame.geometry, records, strict=True):
            index = len(features)
            props = {str(key): _plain(value) for key, value in record.items()}
            for key in LIST_FIELDS:
                if isinstance(props.get(key), str):
                    # left as text when it is not JSON: the import report then names the field
                    with contextlib.suppress(json.JSONDecodeError):
                        props[key] = json.loads(props[key])
            for key in ("valid_from", "valid_to"):
                if isinstance(props.get(key), datetime):  # a Date field reads as midnight
                    props[key] = props[key].date().isoformat()
            for key in ("created_at", "updated_at"):
                if isinstance(props.get(key), datetime):
                    props[key] = props[key].isoformat()
            if geometry is None or geometry.is_empty:
                features.append(FeatureIn(index, props, None, msg("the feature has no geometry")))
            else:
                features.append(FeatureIn(index, props, geometry))
    return features


def _plain(value: Any) -> Any:
    """numpy scalars and pandas timestamps to Python, NaN/NaT to None."""
    if isinstance(value, np.generic):
        value = value.item()
    if hasattr(value, "to_pydatetime") and str(value) != "NaT":
        value = value.to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or (hasattr(value, "isoformat") and str(value) == "NaT"):
        return None
    return value
