"""What a policy of the simulation means: which planning policy the desk runs with.

- ``none``: today's practice. No hotspot is registered at the desk, so a car that clears a
  call is never proposed anything and drives straight home (the baseline).
- ``greedy``: the district's planning policy with the optimiser's greedy baseline as solver
  (a dispatcher's rule of thumb: the best value per added minute while it fits).
- ``optimiser``: the district's planning policy exactly as the live service runs it.

All three drive the same live engine; only the solver (and for ``none`` the hotspots) differ.
"""

from __future__ import annotations

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.live.policy import PlanningPolicy

POLICIES = ("none", "greedy", "optimiser")


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
    raise InvalidInputError(
        msg(
            "unknown policy {name!r}; choose from {POLICIES}",
            name=name,
            POLICIES=", ".join(POLICIES),
        ),
        field="policy",
    )
