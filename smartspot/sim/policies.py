"""Policies: what a car that has just cleared a call is asked to do on its way back.

- ``none``: nothing; the car drives straight home (today's practice, and the baseline).
- ``greedy``: the dispatcher's rule of thumb, the optimiser package's greedy baseline.
- ``optimiser``: the optimiser package's proposal (OR-Tools, warm-started from greedy).

The last two build the same problem the API builds, through the optimiser's own problem
builder and solvers; the simulation only turns the answer into stops a car can drive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from smartspot.errors import InvalidInputError

if TYPE_CHECKING:
    from smartspot.sim.dispatch import Car, Model

POLICIES = ("none", "greedy", "optimiser")


@dataclass(frozen=True, slots=True)
class Stop:
    """A proposed hotspot visit: service starts at ``start_s`` (simulation seconds) or later."""

    hotspot: int  # index into ``District.hotspots``
    start_s: float
    value: float


@dataclass(frozen=True, slots=True)
class Proposal:
    """An ordered plan for one car."""

    stops: tuple[Stop, ...]
    value: float


class Policy(Protocol):
    name: str

    def propose(self, model: Model, car: Car) -> Proposal | None:
        """A plan for ``car`` (at ``car.pos``, now ``model.env.now``), or ``None``."""
        ...


class NoSmartSpot:
    """Today's practice: the car goes straight home."""

    name = "none"

    def propose(self, model: Model, car: Car) -> Proposal | None:
        return None


def make_policy(name: str, model_settings: object | None = None) -> Policy:
    """The policy called ``name``.

    Raises
    ------
    InvalidInputError
        For an unknown name, or a policy whose optimiser is not installed yet.
    """
    if name == "none":
        return NoSmartSpot()
    if name in ("greedy", "optimiser"):
        try:
            from smartspot.sim.optimiser_policy import OptimiserPolicy
        except ImportError as error:
            raise InvalidInputError(
                f"policy {name!r} needs the optimiser package (smartspot.optimise): {error}",
                field="policy",
            ) from None
        return OptimiserPolicy(name)
    raise InvalidInputError(
        f"unknown policy {name!r}; choose from {', '.join(POLICIES)}", field="policy"
    )
