"""What a policy of the simulation means: which planning policy the desk runs with.

- ``none``: today's practice. No hotspot is registered at the desk, so a car that clears a
  call is never proposed anything and drives straight home (the baseline).
- ``greedy``: the district's planning policy with the optimiser's greedy baseline as solver
  (a dispatcher's rule of thumb: the best value per added minute while it fits).
- ``optimiser``: the district's planning policy exactly as the live service runs it.
- ``optimiser+idle``: the same with idle-car proposals on (a car standing at its post for the
  policy's ``idle_after_min``, :data:`IDLE_AFTER_MIN` when the district has them off, gets a
  round trip of its own; see :mod:`smartspot.live.idle`).

All drive the same live engine; only the solver, the idle setting (and for ``none`` the
hotspots) differ.
"""

from __future__ import annotations

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.live.policy import PlanningPolicy

POLICIES = ("none", "greedy", "optimiser", "optimiser+idle")
#: The idle threshold of ``optimiser+idle`` where the district's policy has none.
IDLE_AFTER_MIN = 40.0


def planning_for(name: str, district_policy: PlanningPolicy) -> PlanningPolicy:
    """The planning policy the desk uses under the simulation policy ``name``.

    Raises
    ------
    InvalidInputError
        For an unknown name.
    """
    if name == "greedy":
        return district_policy.with_changes(solver="greedy")
    if name in ("none", "optimiser"):
        return district_policy
    if name == "optimiser+idle":
        if district_policy.idle_after_min is not None:
            return district_policy
        return district_policy.with_changes(idle_after_min=IDLE_AFTER_MIN)
    raise InvalidInputError(
        msg(
            "unknown policy {name!r}; choose from {POLICIES}",
            name=name,
            POLICIES=", ".join(POLICIES),
        ),
        field="policy",
    )
