"""The hotspot register: what an analyst does with hotspots, as one service.

Every command is one transaction in the store and one audit entry per hotspot written. The
kommune and politikreds are derived from the geometry by the geo core, never typed. Updates use
optimistic concurrency: a change names the version it was based on, and a stale one is refused,
so two analysts never silently overwrite each other.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from smartspot.clock import Clock
from smartspot.domain import Category, Hotspot, HotspotStatus, Location
from smartspot.drafts import (
    EDITABLE,
    FeatureIn,
    FieldProblem,
    HotspotDraft,
    draft_from_properties,
    draft_properties,
)
from smartspot.errors import ConflictError, InvalidInputError, NotFoundError
from smartspot.geo.crs import to_metric
from smartspot.geo.regions import Regions
from smartspot.geo.validate import GeometryRules, check_hotspot_geometry
from smartspot.i18n import msg
from smartspot.imports import ImportRejectedError, ImportResult, RejectedFeature, import_features
from smartspot.store.port import MAX_PAGE, HotspotQuery, Repository, every
from smartspot.windows import LOCAL_TZ

MAX_USER = 100


@dataclass(frozen=True, slots=True)
class HotspotFilter:
    """What to list; like :class:`HotspotQuery` but with a WGS84 ``bbox``
    ``(min lon, min lat, max lon, max lat)`` and the kommune by code or name; ``within``
    limits it to some politikredse (a user's districts; None: anywhere)."""

    politikreds: str | None = None
    kommune: str | None = None
    status: HotspotStatus | None = None
    category: Category | None = None
    bbox: tuple[float, float, float, float] | None = None
    limit: int = MAX_PAGE
    offset: int = 0
    within: frozenset[str] | None = None


def _check_user(user: str) -> str:
    if not isinstance(user, str) or not user.strip() or len(user) > MAX_USER:
        raise InvalidInputError(
            msg("the user must be a name of 1–{MAX_USER} characters", MAX_USER=MAX_USER),
            field="user",
        )
    return user.strip()


def geometry_from_geojson(geometry: Mapping[str, Any] | BaseGeometry) -> BaseGeometry:
    """A shapely geometry from a GeoJSON geometry object (or a shapely geometry as is)."""
    if isinstance(geometry, BaseGeometry):
        return geometry
    try:
        return shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as e:
        raise InvalidInputError(
            msg(
                'not a GeoJSON geometry ({name}: {e}); expected e.g. {{"type": "Point", "coordinates": [8.62, 56.37]}}',
                name=type(e).__name__,
                e=e,
            ),
            field="geometry",
        ) from None


class HotspotService:
    """Register, change, close and find hotspots.

    Parameters
    ----------
    store
        Where hotspots and the audit log live.
    regions
        The kommuner, to derive each hotspot's place.
    clock
        The time every write is stamped with.
    rules
        What a hotspot geometry may be.
    """

    def __init__(
        self,
        store: Repository,
        regions: Regions,
        clock: Clock,
        rules: GeometryRules | None = None,
    ) -> None:
        self.store = store
        self.regions = regions
        self.clock = clock
        self.rules = rules or GeometryRules()

    def today(self) -> date:
        return self.clock.now().astimezone(LOCAL_TZ).date()

    def place(self, geometry: BaseGeometry | Mapping[str, Any]) -> tuple[BaseGeometry, Location]:
        """Validate a WGS84 geometry; return it in EPSG:25832 with its derived location."""
        metric = check_hotspot_geometry(geometry_from_geojson(geometry), self.rules)
        placement = self.regions.locate(metric)
        return metric, Location(**placement.as_dict())

    def register(
        self,
        draft: HotspotDraft,
        geometry: BaseGeometry | Mapping[str, Any],
        *,
        user: str,
        action: str = "create",
    ) -> Hotspot:
        """Register a new hotspot (version 1) from a draft and its WGS84 geometry.

        Raises
        ------
        InvalidInputError
            For a bad geometry (invalid, outside Denmark, swapped lat/lon, in the sea, too
            large) or a bad field.
        """
        user = _check_user(user)
        metric, location = self.place(geometry)
        now = self.clock.now()
        with self.store.transaction():
            hotspot = self.build_version(
                draft, metric, location, self.store.hotspots.next_id(), user, now
            )
            self.store.hotspots.add(hotspot, action=action)
        return hotspot

    def update(
        self,
        hotspot_id: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None,
        user: str,
        force: bool = False,
    ) -> Hotspot:
        """Make a new version with ``changes`` (contract property names, plus ``geometry`` as
        WGS84 GeoJSON or shapely).

        ``expected_version`` is the version the change was based on; ``force=True`` overwrites
        whatever is current and is audited as ``update-forced``.

        Raises
        ------
        ConflictError
            When ``expected_version`` is stale, or the hotspot is closed.
        InvalidInputError
            For unknown fields, no changes, or bad values.
        """
        user = _check_user(user)
        unknown = sorted(set(changes) - {*EDITABLE, "geometry"})
        if unknown:
            raise InvalidInputError(
                msg(
                    "cannot change {unknown}; changeable are {EDITABLE}, geometry",
                    unknown=", ".join(unknown),
                    EDITABLE=", ".join(EDITABLE),
                ),
                field=unknown[0],
            )
        if expected_version is None and not force:
            raise InvalidInputError(
                msg("say which version the change is based on (expected_version), or force it"),
                field="expected_version",
            )
        with self.store.transaction():
            current = self.store.hotspots.get(hotspot_id)
            based_on = current.version if force else int(expected_version)  # type: ignore[arg-type]
            self._check_fresh(current, based_on)
            if not current.is_open:
                raise ConflictError(
                    msg(
                        "hotspot {hotspot_id} is closed; closed hotspots stay as is",
                        hotspot_id=hotspot_id,
                    )
                )
            props = {**draft_properties(HotspotDraft.of(current)), **changes}
            props = {k: v for k, v in props.items() if k != "geometry"}
            draft = draft_from_properties(props, today=self.today())
            metric, location = current.geometry, current.location
            if "geometry" in changes:
                metric, location = self.place(changes["geometry"])
            if draft == HotspotDraft.of(current) and metric.equals_exact(current.geometry, 1e-6):
                raise InvalidInputError(
                    msg("nothing to change: the values equal the current version")
                )
            now = self.clock.now()
            new = self.build_version(draft, metric, location, hotspot_id, user, now, current)
            self.store.hotspots.save_version(
                new, expected_version=current.version, action="update-forced" if force else "update"
            )
        return new

    def close(
        self,
        hotspot_id: str,
        reason: str,
        *,
        user: str,
        expected_version: int | None = None,
    ) -> Hotspot:
        """Close a hotspot with a reason: a new version with status closed; history stays."""
        user = _check_user(user)
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInputError(msg("closing a hotspot needs a reason"), field="close_reason")
        with self.store.transaction():
            current = self.store.hotspots.get(hotspot_id)
            if expected_version is not None:
                self._check_fresh(current, expected_version)
            if not current.is_open:
                raise ConflictError(
                    msg("hotspot {hotspot_id} is already closed", hotspot_id=hotspot_id)
                )
            closed = dataclasses.replace(
                current,
                status=HotspotStatus.CLOSED,
                close_reason=reason.strip(),
                updated_by=user,
                updated_at=self.clock.now(),
                version=current.version + 1,
            )
            self.store.hotspots.save_version(
                closed, expected_version=current.version, action="close"
            )
        return closed

    def show(self, hotspot_id: str) -> Hotspot:
        return self.store.hotspots.get(hotspot_id)

    def history(self, hotspot_id: str) -> builtins.list[Hotspot]:
        return self.store.hotspots.history(hotspot_id)

    def list(self, where: HotspotFilter | None = None) -> builtins.list[Hotspot]:
        """Current versions matching ``where``, ordered by id: one page (:meth:`every` for all)."""
        return self.store.hotspots.list(self._query(where or HotspotFilter()))

    def every(self, where: HotspotFilter | None = None) -> builtins.list[Hotspot]:
        """Every current version matching ``where``, however many (its paging ignored)."""
        return every(self.store.hotspots.list, self._query(where or HotspotFilter()))

    def count(self, where: HotspotFilter | None = None) -> int:
        """How many current versions match ``where`` (ignoring its paging)."""
        return self.store.hotspots.count(self._query(where or HotspotFilter()))

    def import_features(
        self,
        features: Sequence[FeatureIn],
        *,
        user: str,
        update: bool = False,
        action: str = "import",
    ) -> ImportResult:
        """Import file features, all or nothing (the rules: :mod:`smartspot.imports`).

        Raises
        ------
        ImportRejectedError
            Listing every bad field of every bad feature; nothing is written.
        """
        return import_features(self, features, user=_check_user(user), update=update, action=action)

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _check_fresh(current: Hotspot, expected_version: int) -> None:
        if current.version != expected_version:
            raise ConflictError(
                msg(
                    "hotspot {id} is at version {version}, but the change was based on version {expected_version}; reload it and apply the change again",
                    id=current.id,
                    version=current.version,
                    expected_version=expected_version,
                )
            )

    @staticmethod
    def build_version(
        draft: HotspotDraft,
        metric: BaseGeometry,
        location: Location,
        hotspot_id: str,
        user: str,
        now: Any,
        previous: Hotspot | None = None,
    ) -> Hotspot:
        return Hotspot(
            id=hotspot_id,
            title=draft.title,
            category=draft.category,
            description=draft.description,
            instruction=draft.instruction,
            priority=draft.priority,
            geometry=metric,  # type: ignore[arg-type]
            location=location,
            source=draft.source,
            valid_from=draft.valid_from,
            windows=draft.windows,
            valid_to=draft.valid_to,
            visits_per_week=draft.visits_per_week,
            source_ref=draft.source_ref,
            created_by=previous.created_by if previous else user,
            created_at=previous.created_at if previous else now,
            updated_by=user,
            updated_at=now,
            version=previous.version + 1 if previous else 1,
        )

    def _query(self, where: HotspotFilter) -> HotspotQuery:
        kommune = None
        if where.kommune is not None:
            kommune = self._kommune_code(where.kommune)
        if where.politikreds is not None:
            self.regions.kommuner_in(where.politikreds)  # NotFoundError naming the known ones
        bbox = None
        if where.bbox is not None:
            minlon, minlat, maxlon, maxlat = where.bbox
            if not (minlon < maxlon and minlat < maxlat):
                raise InvalidInputError(
                    msg("bbox is min lon, min lat, max lon, max lat (WGS84) with min < max"),
                    field="bbox",
                )
            # Densify before projecting: a lon/lat box's edges are curves in UTM.
            outline = shapely.segmentize(shapely.box(minlon, minlat, maxlon, maxlat), 0.01)
            bbox = tuple(float(v) for v in to_metric(outline).bounds)
        return HotspotQuery(
            politikreds=where.politikreds,
            kommune=kommune,
            status=where.status,
            category=where.category,
            bbox=bbox,  # type: ignore[arg-type]
            limit=where.limit,
            offset=where.offset,
            within=where.within,
        )

    def _kommune_code(self, kommune: str) -> str:
        if kommune.isdigit():
            return self.regions.kommune(kommune.zfill(4)).kode
        for candidate in self.regions.kommuner:
            if candidate.navn.casefold() == kommune.strip().casefold():
                return candidate.kode
        # Not found, as an unknown politikreds or kommune code is: one exit code, one status.
        raise NotFoundError(
            msg(
                "no kommune named {kommune!r}; give its name (e.g. Holstebro) or code (0661)",
                kommune=kommune,
            )
        )


__all__ = [
    "FeatureIn",
    "FieldProblem",
    "HotspotDraft",
    "HotspotFilter",
    "HotspotService",
    "ImportRejectedError",
    "ImportResult",
    "RejectedFeature",
]
