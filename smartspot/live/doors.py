"""A follow-up's door inside a hotspot: which one an AVL stay is about, and how its minutes are
shared, so that nothing is counted twice.

The rule (issue 14):

- A car whose accepted proposal still has a follow-up's stop to do, staying within the
  detection radius of that door, is at the door: the stay is the follow-up's attempt, even
  where the door lies inside a hotspot's polygon or radius (:func:`choose`).
- The same stay is also a visit to the hotspot around the door only for the time beyond the
  follow-up's minutes on site, and only when that rest is itself a visit (at least the
  district's ``min_stay_s``): the visit starts when the door's minutes end (:func:`split`).
  Whether the car was sent to the hotspot too does not change this: a car sent to both that
  stays just the door's minutes has done the door, and its hotspot stop is still to do.
- Any other car there (passing, or dosing the hotspot) makes a hotspot visit as before, and no
  attempt: a door counts only for the car sent to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import shapely

from smartspot.domain import Visit
from smartspot.followups import ID_FORM
from smartspot.live.context import LiveContext
from smartspot.plans import ProposalStatus
from smartspot.store.records import Stay


def is_door(target: str) -> bool:
    """Whether a stay's target is a follow-up's door (``TO-…``) rather than a hotspot."""
    return ID_FORM.match(target) is not None


def held_doors(ctx: LiveContext, call_sign: str) -> frozenset[str]:
    """The follow-ups whose stop the car's accepted proposal still has to do."""
    active = ctx.store.proposals.active(call_sign)
    if active is None or active.status is not ProposalStatus.ACCEPTED:
        return frozenset()
    return frozenset(s.hotspot for s in active.kept if not s.done and is_door(s.hotspot))


def choose(hits: Sequence[str], held: frozenset[str]) -> str | None:
    """What a fix inside the shapes ``hits`` (in index order) is a stay at: a door the car was
    sent to, else the first hotspot; a door the car was not sent to counts for nothing."""
    for target in hits:
        if target in held:
            return target
    for target in hits:
        if not is_door(target):
            return target
    return None


def split(
    stay: Stay,
    minutes_on_site: int,
    index: tuple[shapely.STRtree | None, list[str]],
    door: shapely.Point,
    *,
    min_stay_s: float,
) -> Visit | None:
    """The hotspot visit in a stay at a door that lies inside a hotspot: the time after the
    follow-up's ``minutes_on_site``, when it is a visit on its own; else None.

    ``index`` is the detection shapes at the car's radius and their ids
    (:meth:`smartspot.live.visits.OpenHotspots.index`); the first hotspot whose shape holds
    the door is the one visited.
    """
    tree, ids = index
    if tree is None:
        return None
    around = [ids[h] for h in sorted(tree.query(door, predicate="within").tolist())]
    spots = [target for target in around if not is_door(target)]
    if not spots:
        return None
    arrived = stay.first + timedelta(minutes=minutes_on_site)
    if (stay.last - arrived).total_seconds() < min_stay_s:
        return None
    return Visit(
        hotspot=spots[0],
        patrol=stay.call_sign,
        arrived_at=arrived,
        left_at=stay.last,
        detected=True,
    )
