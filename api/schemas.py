"""Request and response bodies (pydantic), with explicit mappers to and from the domain.

Geometry travels as GeoJSON (RFC 7946): WGS84 longitude first, polygons counter-clockwise.
Inside Smart Spot every geometry is EPSG:25832; the mappers here are the only place that
converts between the two for the web.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import numpy as np
import shapely
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from smartspot.domain import Category, Hotspot, HotspotStatus, Source
from smartspot.errors import InvalidInputError
from smartspot.geo.crs import to_wgs84
from smartspot.i18n import msg

COORD_DECIMALS = 7  # ~1 cm: more digits are noise


def _in_range(moment: datetime) -> datetime:
    """Moments Smart Spot can mean: 1970–2100 (a year 9999 or 0001 is a typing error)."""
    if not 1970 <= moment.year <= 2100:
        raise InvalidInputError(msg("year {year} is outside 1970–2100", year=str(moment.year)))
    return moment


def _day_in_range(day: date) -> date:
    if not 1970 <= day.year <= 2100:
        raise InvalidInputError(msg("year {year} is outside 1970–2100", year=str(day.year)))
    return day


Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
Day = Annotated[date, AfterValidator(_day_in_range)]


def refuse_nulls(data: Any, nullable: frozenset[str]) -> Any:
    """Refuse ``null`` for a field that cannot be empty: leaving a field out keeps it, but a
    ``null`` would silently clear it (or fail deep inside)."""
    if isinstance(data, dict):
        bad = sorted(k for k, v in data.items() if v is None and k not in nullable)
        if bad:
            raise InvalidInputError(
                msg(
                    "{fields} cannot be null; leave a field out to keep it as it is",
                    fields=", ".join(bad),
                )
            )
    return data


Lon = Annotated[float, Field(description="longitude, WGS84", allow_inf_nan=False)]
Lat = Annotated[float, Field(description="latitude, WGS84", allow_inf_nan=False)]
Position = tuple[Lon, Lat]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointGeometry(_Model):
    type: Literal["Point"]
    coordinates: Position


class PolygonGeometry(_Model):
    type: Literal["Polygon"]
    coordinates: Annotated[
        list[Annotated[list[Position], Field(min_length=4, max_length=5_000)]],
        Field(min_length=1, max_length=100),
    ]

    @field_validator("coordinates")
    @classmethod
    def _rings_closed(cls, rings: list[list[Position]]) -> list[list[Position]]:
        for number, ring in enumerate(rings):
            if ring[0] != ring[-1]:
                raise ValueError(
                    f"ring {number} is not closed: RFC 7946 rings end on their first position "
                    f"{list(ring[0])}"
                )
        return rings


Geometry = Annotated[PointGeometry | PolygonGeometry, Field(discriminator="type")]

ShortText = Annotated[str, Field(max_length=4_000)]


class HotspotPropertiesIn(_Model):
    """What an analyst types; kommune and politikreds are derived, never sent."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    category: Category
    description: ShortText
    instruction: ShortText
    steps: Annotated[list[ShortText], Field(max_length=50)] = []
    minutes_on_site: Annotated[int, Field(ge=1, le=120)] = 15
    priority: Annotated[int, Field(ge=1, le=5)]
    windows: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=50)] = []
    valid_from: Day | None = None
    valid_to: Day | None = None
    visits_per_week: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = 1.0
    source: Source = Source.ANALYSIS
    source_ref: Annotated[str, Field(max_length=200)] = ""


class HotspotChanges(_Model):
    """The properties to change; anything left out stays as it is."""

    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    category: Category | None = None
    description: ShortText | None = None
    instruction: ShortText | None = None
    steps: Annotated[list[ShortText], Field(max_length=50)] | None = None
    minutes_on_site: Annotated[int, Field(ge=1, le=120)] | None = None
    priority: Annotated[int, Field(ge=1, le=5)] | None = None
    windows: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=50)] | None = (
        None
    )
    valid_from: Day | None = None
    valid_to: Day | None = None
    visits_per_week: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] | None = None
    source: Source | None = None
    source_ref: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        return refuse_nulls(data, frozenset({"valid_to"}))


class HotspotIn(_Model):
    """A new hotspot as a GeoJSON Feature."""

    type: Literal["Feature"]
    geometry: Geometry
    properties: HotspotPropertiesIn

    def draft_properties(self) -> dict[str, Any]:
        """The properties as the contract's JSON values (to_domain goes through the drafts)."""
        return self.properties.model_dump(mode="json", exclude_none=True)

    def geometry_geojson(self) -> dict[str, Any]:
        return self.geometry.model_dump(mode="json")


class HotspotUpdate(_Model):
    """A change to a hotspot, based on the version the editor saw (optimistic concurrency)."""

    expected_version: Annotated[int, Field(ge=1, description="the version the change is based on")]
    properties: HotspotChanges = HotspotChanges()
    geometry: Geometry | None = None

    def changes(self) -> dict[str, Any]:
        found: dict[str, Any] = self.properties.model_dump(mode="json", exclude_unset=True)
        if self.geometry is not None:
            found["geometry"] = self.geometry.model_dump(mode="json")
        return found


class HotspotClose(_Model):
    reason: Annotated[str, Field(min_length=1, max_length=1_000)]
    expected_version: Annotated[int, Field(ge=1)] | None = None


class HotspotPropertiesOut(BaseModel):
    id: str
    title: str
    category: Category
    description: str
    instruction: str
    steps: list[str]
    minutes_on_site: int
    priority: int
    windows: list[str]
    valid_from: date
    valid_to: date | None
    visits_per_week: float
    source: Source
    source_ref: str
    kommunekode: str
    kommunenavn: str
    politikreds: str
    status: HotspotStatus
    close_reason: str
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any]
    properties: HotspotPropertiesOut


class Link(BaseModel):
    href: str
    rel: str
    type: str = "application/geo+json"


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    numberMatched: int | None = None  # OGC API Features names
    numberReturned: int | None = None
    links: list[Link] = []


def geometry_to_geojson(metric: BaseGeometry) -> dict[str, Any]:
    """An EPSG:25832 geometry as a WGS84 GeoJSON geometry dict (coordinates rounded)."""
    lonlat = shapely.transform(to_wgs84(metric), lambda xy: np.round(xy, COORD_DECIMALS))
    # Counter-clockwise exterior rings: RFC 7946's right-hand rule.
    return dict(mapping(shapely.orient_polygons(lonlat)))


def hotspot_properties(hotspot: Hotspot) -> HotspotPropertiesOut:
    """from_domain: the contract properties of one hotspot version."""
    return HotspotPropertiesOut(
        id=hotspot.id,
        title=hotspot.title,
        category=hotspot.category,
        description=hotspot.description,
        instruction=hotspot.instruction.text,
        steps=list(hotspot.instruction.steps),
        minutes_on_site=hotspot.instruction.minutes_on_site,
        priority=hotspot.priority,
        windows=[w.label() for w in hotspot.windows],
        valid_from=hotspot.valid_from,
        valid_to=hotspot.valid_to,
        visits_per_week=hotspot.visits_per_week,
        source=hotspot.source,
        source_ref=hotspot.source_ref,
        kommunekode=hotspot.location.kommunekode,
        kommunenavn=hotspot.location.kommunenavn,
        politikreds=hotspot.location.politikreds,
        status=hotspot.status,
        close_reason=hotspot.close_reason,
        version=hotspot.version,
        created_by=hotspot.created_by,
        created_at=hotspot.created_at,
        updated_by=hotspot.updated_by,
        updated_at=hotspot.updated_at,
    )


def hotspot_feature(hotspot: Hotspot) -> Feature:
    """from_domain: one hotspot version as a GeoJSON Feature."""
    return Feature(
        id=hotspot.id,
        geometry=geometry_to_geojson(hotspot.geometry),
        properties=hotspot_properties(hotspot),
    )


def feature_collection(
    hotspots: list[Hotspot],
    *,
    matched: int | None = None,
    links: list[Link] | None = None,
) -> FeatureCollection:
    features = [hotspot_feature(h) for h in hotspots]
    return FeatureCollection(
        features=features,
        numberMatched=matched,
        numberReturned=len(features),
        links=links or [],
    )


# -- users and tokens ----------------------------------------------------------------------


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str
    name: str


Districts = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]],
    Field(min_length=1, max_length=12),
]


class UserIn(_Model):
    name: Annotated[str, Field(min_length=2, max_length=64, pattern=r"^\S+$")]
    role: Literal["operator", "analyst", "planner", "admin"]
    password: Annotated[
        str,
        Field(
            min_length=12,
            max_length=200,
            description="at least 12 characters, not on the common-password list",
        ),
    ]
    districts: Districts | None = Field(
        default=None,
        description="the politikredse the user works in (full names or a unique start, "
        "'alle' for all); default: all for an admin, else the deployment's own",
    )


class UserChange(_Model):
    """A change to an account; a new role, password or active flag ends the account's
    current logins, new districts apply from the user's next request."""

    role: Literal["operator", "analyst", "planner", "admin"] | None = None
    active: bool | None = None
    password: Annotated[str, Field(min_length=12, max_length=200)] | None = None
    districts: Districts | None = None


class UserOut(BaseModel):
    name: str
    role: str
    districts: list[str] = Field(description="politikreds names; ['*'] for all")


class Account(BaseModel):
    name: str
    role: str
    active: bool
    districts: list[str] = Field(description="politikreds names; ['*'] for all")


class EventSession(BaseModel):
    """The event stream's login, set as an HttpOnly cookie (never in a URL)."""

    expires_in: int


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    version: str
