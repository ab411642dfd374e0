"""One feature of a follow-up import checked: every bad field named, as the hotspot import's
report does (:mod:`smartspot.imports`), and the place it lies in placed."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from shapely.geometry import Point

from smartspot.domain import Location
from smartspot.drafts import FeatureIn
from smartspot.errors import SmartspotError, message_of
from smartspot.followup_drafts import FollowUpDraft, parse_properties
from smartspot.followups import ID_FORM, FollowUpRules
from smartspot.i18n import msg
from smartspot.imports import RejectedFeature

Place = Callable[[Any], tuple[Point, Location]]


def check_feature(
    feature: FeatureIn,
    *,
    today: date,
    rules: FollowUpRules,
    place: Place,
    within: Collection[str] | None = None,
) -> tuple[list[RejectedFeature], tuple[FollowUpDraft, Point, Location] | None]:
    """The problems of one feature (none: the draft, its EPSG:25832 point and location).

    Parameters
    ----------
    feature
        A feature read from the file, not yet validated.
    today
        The local date (a due date before it is refused).
    rules
        The follow-up rules (default due period, minutes on site).
    place
        Validates a WGS84 point and places it (:meth:`FollowUpService.place`).
    within
        The politikredse the follow-up may lie in (None: anywhere in Denmark).
    """
    props = feature.properties
    given_id = str(props.get("id") or "").strip()
    case_ref = str(props.get("case_ref") or "").strip()

    def problem(field: str, reason: Any) -> RejectedFeature:
        return RejectedFeature(feature.index, field, reason, given_id, case_ref)

    found = []
    if ID_FORM.match(given_id):
        found.append(
            problem(
                "id",
                msg(
                    "{id} is a registered follow-up's id; a file registers new follow-ups "
                    "only: remove the id",
                    id=given_id,
                ),
            )
        )
    draft, field_problems = parse_properties(props, today=today, rules=rules)
    found.extend(problem(p.field, p.reason) for p in field_problems)
    placed = None
    if feature.geometry is None:
        found.append(
            problem("geometry", feature.geometry_error or msg("the feature has no geometry"))
        )
    else:
        try:
            placed = place(feature.geometry)
        except SmartspotError as error:
            found.append(problem(getattr(error, "field", None) or "geometry", message_of(error)))
    if placed is not None and within is not None and placed[1].politikreds not in within:
        found.append(
            problem(
                "geometry",
                msg(
                    "the address lies in {politikreds}, outside your districts ({mine})",
                    politikreds=placed[1].politikreds,
                    mine=", ".join(sorted(within)) or "—",
                ),
            )
        )
    if found or draft is None or placed is None:
        return found, None
    return [], (draft, placed[0], placed[1])
