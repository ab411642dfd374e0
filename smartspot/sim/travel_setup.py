"""The travel layer a scenario runs on, from its ``[travel]`` table."""

from __future__ import annotations

from smartspot.errors import InvalidInputError
from smartspot.sim.ports import TravelTimes
from smartspot.sim.scenario import Scenario


def travel_for(scenario: Scenario) -> TravelTimes:
    """Build the travel-time layer for ``scenario``.

    Raises
    ------
    InvalidInputError
        When the travel layer (``smartspot.travel``) is not available.
    """
    raise InvalidInputError(
        f"scenario {scenario.name}: the travel layer (smartspot.travel) is not installed yet",
        field="travel",
    )
