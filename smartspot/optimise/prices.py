"""A district's open hotspots priced at once: the value model of :mod:`smartspot.optimise.value`
in numpy over every candidate of a planning round, the reasons only where they are read.

A national clear prices every open hotspot of its district (Midt- og Vestjylland: ~2,200)
and needs the reasons of the few that become stops: one :func:`~smartspot.optimise.value.value_of`
a hotspot (its ``Situation``, its reasons as objects) was ~12 µs, ~26 ms of such a clear.
Here the values come from arrays (the same operations in the same order, so the same
floating-point values; ``tests/optimise/test_prices.py``), the random jitter from one draw of
the round's generator (numpy's vector draw gives the same numbers as as many single draws and
leaves the generator where they would), the reason a hotspot of no value is left out from
masks, and a hotspot's :class:`~smartspot.optimise.value.Valuation` with its reasons is made
by ``value_of`` itself when it is first read (:class:`Valuations`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartspot.domain import Category
from smartspot.optimise.value import Situation, Valuation, ValueSettings, value_of
from smartspot.reasons import Reason


@dataclass(frozen=True)
class Situations:
    """What the value depends on, a list entry per hotspot (as in ``Situation``, with the
    week's visits always counted); ``labels`` are the active windows as text."""

    priority: list[int]
    category: list[Category]
    visits_per_week: list[float]
    visits_last_week: list[int]
    since_last_visit_s: list[float | None]
    active_now: list[bool]
    opens_in_s: list[float | None]
    station_round_trip_s: list[float]
    visits_this_week: list[int]
    week_elapsed: float
    labels: list[str]

    def __len__(self) -> int:
        return len(self.priority)

    def situation(self, i: int) -> Situation:
        return Situation(
            self.priority[i], self.category[i], self.visits_per_week[i],
            self.visits_last_week[i], self.since_last_visit_s[i], self.active_now[i],
            self.opens_in_s[i], self.station_round_trip_s[i], self.visits_this_week[i],
            self.week_elapsed,
        )  # fmt: skip


def jitters(
    n: int, settings: ValueSettings, rng: np.random.Generator | None
) -> NDArray[np.float64]:
    """The jitter factor of ``n`` hotspots priced one after another with ``rng``."""
    if rng is None or not settings.jitter > 0:
        return np.ones(n)
    return rng.uniform(1 - settings.jitter, 1 + settings.jitter, size=n)


def _floats(values: list[float | None]) -> NDArray[np.float64]:
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


def values(
    s: Situations, settings: ValueSettings, jitter: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Per hotspot: the value (as ``value_of`` gives it), whether it is in a cool-down,
    whether its week's visits are all made, and whether it is inactive now."""
    priority = np.array(s.priority, dtype=np.float64)
    harm = np.array([settings.harm[c] for c in s.category], dtype=np.float64)
    target = np.array(s.visits_per_week, dtype=np.float64)
    done = np.array(s.visits_this_week, dtype=np.float64)
    since = _floats(s.since_last_visit_s)
    opens = _floats(s.opens_in_s)
    trip = np.array(s.station_round_trip_s, dtype=np.float64)
    active = np.array(s.active_now, dtype=bool)
    never = np.isnan(since)
    priority_harm = priority * harm
    interval = 7 * 86400 / target
    with np.errstate(invalid="ignore"):
        cooling = ~never & (since < settings.cooldown_min * 60)
        behind = np.maximum(0.0, target - done) / target
        stale = np.minimum(np.where(never, np.inf, since) / interval, settings.need_stale_cap)
        elapsed = min(1.0, max(0.0, s.week_elapsed))
        short = np.maximum(0.0, target * elapsed - done) / target
        outlying = np.isnan(trip) | (trip / 2 > settings.outlying_min * 60)
        served = done >= target
        soon = ~np.isnan(opens) & (opens <= settings.soon_min * 60)
    if settings.short_only:
        need_served = np.zeros(len(s))
    else:
        need_served = settings.need_served + settings.need_stale * stale
    late = settings.need_late * short * (1 + np.where(outlying, settings.need_outlying, 0.0))
    need_open = settings.need_base + settings.need_behind * behind + settings.need_stale * stale
    need = np.where(cooling, 0.0, np.where(served, need_served, need_open + late))
    activity = np.where(active, 1.0, np.where(soon, settings.soon_factor, 0.0))
    hours = np.minimum(trip / 3600, settings.opportunity_cap_hours)
    opportunity = np.where(
        np.isnan(trip),
        1.0 + settings.opportunity_per_hour * settings.opportunity_cap_hours,
        1.0 + settings.opportunity_per_hour * hours,
    )
    value = priority_harm * need * activity * opportunity * jitter
    return value, cooling, served, activity == 0


def zero_reason(s: Situations, i: int, cooling: bool, served: bool, inactive: bool) -> Reason:
    """Why hotspot ``i`` of no value is left out: the first zero-value reason ``value_of``
    gives it (cool-down, then the week served, then not active now), else ``not_active``."""
    if cooling:
        return Reason("cooldown", {"ago_s": round(s.since_last_visit_s[i] or 0.0)})
    if served:
        done, target = s.visits_this_week[i], float(s.visits_per_week[i])
        return Reason("week_served", {"done": done, "target": target})
    if inactive:
        return Reason("not_active_now", {"window": s.labels[i]})
    return Reason("not_active")


class Valuations(Mapping[str, Valuation]):
    """Hotspot id → its valuation, made by ``value_of`` (with the jitter already drawn for
    it) when first read; ``extra`` (the follow-ups') as given."""

    def __init__(
        self,
        ids: list[str],
        situations: Situations,
        settings: ValueSettings,
        jitter: NDArray[np.float64],
        extra: Mapping[str, Valuation] | None = None,
    ) -> None:
        self._index = {hotspot: i for i, hotspot in enumerate(ids)}
        self._situations = situations
        self._settings = settings
        self._jitter = jitter.tolist()
        self._made: dict[str, Valuation] = dict(extra or {})

    def add(self, key: str, valuation: Valuation) -> None:
        self._made[key] = valuation

    def __getitem__(self, key: str) -> Valuation:
        found = self._made.get(key)
        if found is None:
            i = self._index[key]  # KeyError for an unknown id, as a dict
            s = self._situations
            found = value_of(
                s.situation(i), self._settings, window_label=s.labels[i], jitter=self._jitter[i]
            )
            self._made[key] = found
        return found

    def __iter__(self) -> Iterator[str]:
        yield from self._index
        yield from (k for k in self._made if k not in self._index)

    def __len__(self) -> int:
        return len(self._index) + sum(1 for k in self._made if k not in self._index)
