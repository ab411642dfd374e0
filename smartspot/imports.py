"""Importing hotspot files: new features are registered, ids the register knows are refused
or, with ``update=True``, made into new versions — all or nothing, every write audited.

The rules, so that an export followed by an import changes nothing and never duplicates:

* A feature without an ``id``, or with an id from elsewhere (``DEMO-MV-001``, a QGIS fid), is
  a new hotspot with a fresh id. When the file says ``status: closed`` it is registered and
  closed at once, with the file's ``close_reason``.
* A feature whose ``id`` is a hotspot of the register is *known*. By default the import is
  refused and the report names each known feature. With ``update=True`` each known feature
  becomes a new version: the file's ``version`` must be the current one (else someone changed
  it since the export), properties missing from the file keep their current value, and the
  status stays as it is unless the file says ``closed`` (a closed hotspot is never reopened).
  A feature equal to its current version (geometry within :data:`SAME_GEOMETRY_M`) is left as
  is, so no new version is written.
* An id in the register's own form (``HS-000042``) that the register does not hold is refused:
  the file comes from another register, and importing it would invent a different hotspot under
  that name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

from smartspot.domain import Hotspot, HotspotStatus, Location
from smartspot.drafts import (
    EDITABLE,
    FeatureIn,
    HotspotDraft,
    draft_properties,
    parse_properties,
)
from smartspot.errors import InvalidInputError, NotFoundError, SmartspotError, message_of
from smartspot.i18n import Message, msg

if TYPE_CHECKING:
    from smartspot.hotspots import HotspotService

#: Geometries closer than this (metres, Hausdorff) are the same place: export rounds to 6
#: decimals (about 0.1 m) and reprojects, so a round trip moves vertices by centimetres.
SAME_GEOMETRY_M = 0.5
OWN_ID = re.compile(r"^HS-\d{6}$")
CLOSED_BY_FILE = msg("closed in the imported file")


@dataclass(frozen=True, slots=True)
class RejectedFeature:
    """A line of an import report: which feature (by its index in the file, its ``id`` and
    its title, as far as the file gives them), which field, and why."""

    index: int
    field: str
    reason: Message
    id: str = ""
    title: str = ""

    def label(self) -> Message:
        """``feature 3 (id HS-000004, "Trekanten")``: the feature as a person finds it."""
        if self.id and self.title:
            return msg(
                'feature {index} (id {id}, "{title}")',
                index=self.index,
                id=self.id,
                title=self.title,
            )
        if self.id:
            return msg("feature {index} (id {id})", index=self.index, id=self.id)
        if self.title:
            return msg('feature {index} ("{title}")', index=self.index, title=self.title)
        return msg("feature {index}", index=self.index)


class ImportRejectedError(InvalidInputError):
    """An import with at least one bad feature: nothing was imported. ``problems`` lists every
    bad field of every bad feature."""

    def __init__(self, problems: Sequence[RejectedFeature], total: int) -> None:
        bad = len({p.index for p in problems})
        first = problems[0]
        super().__init__(
            msg(
                "import refused, nothing was imported: {bad} of {total} features are invalid "
                "(first: {feature}, {field}: {reason})",
                bad=bad,
                total=total,
                feature=first.label(),
                field=first.field,
                reason=first.reason,
            ),
            field=first.field,
        )
        self.problems = tuple(problems)
        self.total = total


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote: new hotspots, new versions of known ones, and the ids of known
    ones left as they were."""

    created: tuple[Hotspot, ...] = ()
    updated: tuple[Hotspot, ...] = ()
    unchanged: tuple[str, ...] = ()


@dataclass(slots=True)
class _Planned:
    """One checked feature and what to write for it."""

    draft: HotspotDraft
    metric: BaseGeometry
    location: Location
    status: HotspotStatus | None
    close_reason: str | Message
    current: Hotspot | None = None
    problems: list[RejectedFeature] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _status(value: Any) -> HotspotStatus | None:
    if value is None or value == "":
        return None
    try:
        return HotspotStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in HotspotStatus)
        raise InvalidInputError(
            msg("unknown status {value!r}; allowed: {allowed}", value=value, allowed=allowed)
        ) from None


def _version(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(msg("version must be a whole number, not {value!r}", value=value))
    return value


def same_place(a: BaseGeometry, b: BaseGeometry) -> bool:
    """Whether two EPSG:25832 geometries are the same place (see :data:`SAME_GEOMETRY_M`)."""
    return a.geom_type == b.geom_type and a.hausdorff_distance(b) <= SAME_GEOMETRY_M


def import_features(
    service: HotspotService,
    features: Sequence[FeatureIn],
    *,
    user: str,
    update: bool = False,
    action: str = "import",
) -> ImportResult:
    """Import ``features`` through ``service`` as the module docstring describes.

    Raises
    ------
    ImportRejectedError
        Listing every bad field of every bad feature (known ids without ``update``, stale
        versions, bad values, bad geometries); nothing is written.
    """
    today = service.today()
    problems: list[RejectedFeature] = []
    planned: list[_Planned] = []
    seen: dict[str, int] = {}
    with service.store.transaction():
        for feature in features:
            item = _check(service, feature, update=update, seen=seen, today=today)
            if not isinstance(item, _Planned):
                problems.extend(item)
            elif item.problems:
                problems.extend(item.problems)
            else:
                planned.append(item)
        if problems:
            raise ImportRejectedError(problems, total=len(features))
        return _write(service, planned, user=user, action=action)


def _check(
    service: HotspotService,
    feature: FeatureIn,
    *,
    update: bool,
    seen: dict[str, int],
    today: Any,
) -> _Planned | list[RejectedFeature]:
    props = feature.properties
    given_id, title = _text(props.get("id")), _text(props.get("title"))

    def problem(field_name: str, reason: Message) -> RejectedFeature:
        return RejectedFeature(feature.index, field_name, reason, given_id, title)

    found: list[RejectedFeature] = []
    current = _known(service, given_id)
    if given_id and given_id in seen:
        found.append(
            problem(
                "id", msg("the id is also on feature {index} of the file", index=seen[given_id])
            )
        )
    elif given_id:
        seen[given_id] = feature.index
    if current is None and OWN_ID.match(given_id):
        found.append(
            problem(
                "id",
                msg(
                    "the register holds no hotspot {id}: the file comes from another register; "
                    "remove the id to register the feature as a new hotspot",
                    id=given_id,
                ),
            )
        )
    if current is not None and not update:
        found.append(
            problem(
                "id",
                msg(
                    "hotspot {id} is already in the register (version {version}); import with "
                    "--update to make the file's values a new version of it",
                    id=given_id,
                    version=current.version,
                ),
            )
        )
    try:
        status = _status(props.get("status"))
    except InvalidInputError as error:
        found.append(problem("status", error.message))
        status = None
    close_reason = _text(props.get("close_reason"))

    merged = dict(props)
    if current is not None:
        # Properties the file leaves out keep their current value.
        base = draft_properties(HotspotDraft.of(current))
        merged = {**base, **{k: v for k, v in props.items() if k in EDITABLE}}
        found.extend(_version_problems(current, props.get("version"), problem))
        if status is HotspotStatus.OPEN and not current.is_open:
            found.append(
                problem(
                    "status",
                    msg("hotspot {id} is closed; closed hotspots stay closed", id=given_id),
                )
            )
    draft, field_problems = parse_properties(merged, today=today)
    found.extend(problem(p.field, p.reason) for p in field_problems)
    placed = None
    if feature.geometry is None:
        found.append(
            problem("geometry", feature.geometry_error or msg("the feature has no geometry"))
        )
    else:
        try:
            placed = service.place(feature.geometry)
        except SmartspotError as error:
            found.append(problem(getattr(error, "field", None) or "geometry", message_of(error)))
    if found or draft is None or placed is None:
        return found
    item = _Planned(draft, placed[0], placed[1], status, close_reason, current)
    if current is not None and not current.is_open and _changes(item):
        item.problems.append(
            problem("properties", msg("hotspot {id} is closed; it stays as is", id=given_id))
        )
    return item


def _known(service: HotspotService, given_id: str) -> Hotspot | None:
    if not given_id:
        return None
    try:
        return service.store.hotspots.get(given_id)
    except (NotFoundError, InvalidInputError):
        return None


def _version_problems(current: Hotspot, value: Any, problem: Any) -> list[RejectedFeature]:
    try:
        version = _version(value)
    except InvalidInputError as error:
        return [problem("version", error.message)]
    if version is None:
        return [
            problem(
                "version",
                msg(
                    "an update needs the version the file's values are based on (the exported "
                    "version column)"
                ),
            )
        ]
    if version != current.version:
        return [
            problem(
                "version",
                msg(
                    "the file holds version {version}, the register is at version {current}: "
                    "it was changed since the export; export it again",
                    version=version,
                    current=current.version,
                ),
            )
        ]
    return []


def _changes(item: _Planned) -> bool:
    current = item.current
    assert current is not None
    return item.draft != HotspotDraft.of(current) or not same_place(item.metric, current.geometry)


def _write(
    service: HotspotService, planned: Sequence[_Planned], *, user: str, action: str
) -> ImportResult:
    now = service.clock.now()
    created: list[Hotspot] = []
    updated: list[Hotspot] = []
    unchanged: list[str] = []
    for item in planned:
        current = item.current
        closing = item.status is HotspotStatus.CLOSED
        if current is None:
            hotspot = service.build_version(
                item.draft, item.metric, item.location, service.store.hotspots.next_id(), user, now
            )
            service.store.hotspots.add(hotspot, action=action)
            if closing:
                hotspot = _closed(hotspot, item.close_reason, user)
                service.store.hotspots.save_version(hotspot, expected_version=1, action=action)
            created.append(hotspot)
            continue
        closing = closing and current.is_open
        if not _changes(item) and not closing:
            unchanged.append(current.id)
            continue
        metric, location = item.metric, item.location
        if same_place(item.metric, current.geometry):
            metric, location = current.geometry, current.location
        new = service.build_version(item.draft, metric, location, current.id, user, now, current)
        if closing:
            new = _closed(new, item.close_reason, user, bump=False)
        service.store.hotspots.save_version(
            new,
            expected_version=current.version,
            action=f"{action}-close" if closing else f"{action}-update",
        )
        updated.append(new)
    return ImportResult(tuple(created), tuple(updated), tuple(unchanged))


def _closed(hotspot: Hotspot, reason: str | Message, user: str, *, bump: bool = True) -> Hotspot:
    # a close reason is stored text: the file's own, or the English default (the engineers' log)
    return dataclasses.replace(
        hotspot,
        status=HotspotStatus.CLOSED,
        close_reason=str(reason or CLOSED_BY_FILE),
        updated_by=user,
        version=hotspot.version + 1 if bump else hotspot.version,
    )


__all__ = [
    "SAME_GEOMETRY_M",
    "ImportRejectedError",
    "ImportResult",
    "RejectedFeature",
    "import_features",
    "same_place",
]
