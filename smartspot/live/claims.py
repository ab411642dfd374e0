"""Which hotspots are held, and by which car: each hotspot to at most one car.

A hotspot is held by a car whose pending or accepted proposal has it as a kept stop not yet
visited (one query on the stops table), or by a car standing in it right now (a stay in
progress). Planning leaves held hotspots out, except those held by the cars being planned
(their pending proposals are about to be replaced).
"""

from __future__ import annotations

from collections.abc import Iterable

from smartspot.store.port import Repository


def held(store: Repository) -> dict[str, str]:
    """Hotspot id → the car that holds it."""
    holders = store.proposals.held()
    for stay in store.stays.all():
        holders.setdefault(stay.hotspot, stay.call_sign)
    return holders


def held_by_others(store: Repository, planning: Iterable[str]) -> frozenset[str]:
    """The hotspots held by cars other than ``planning``."""
    mine = set(planning)
    return frozenset(h for h, car in held(store).items() if car not in mine)
