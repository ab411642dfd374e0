"""The travel layer a scenario runs on, from its ``[travel]`` table.

The model itself is chosen by the travel layer's configuration (``smartspot.travel.config``): a
built road graph of the district when one is in ``data/roads/``, otherwise the calibrated
land-aware fallback with the islands' real OSM graphs laid over it. The scenario only says
whether car ferries run and how long a car waits for one.
"""

from __future__ import annotations

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.sim.scenario import Scenario
from smartspot.travel.port import TravelTimes

KNOWN_KEYS = frozenset({"ferries", "ferry_wait_min"})


def travel_options(scenario: Scenario) -> dict[str, object]:
    """The ``TravelOptions`` keyword arguments the scenario's ``[travel]`` table asks for.

    Raises
    ------
    InvalidInputError
        For an unknown key or a value of the wrong kind.
    """
    table = scenario.travel
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise InvalidInputError(
            msg(
                "scenario: travel: unknown key(s) {unknown}; allowed are {KNOWN_KEYS}",
                unknown=", ".join(unknown),
                KNOWN_KEYS=", ".join(sorted(KNOWN_KEYS)),
            ),
            field="travel",
        )
    options: dict[str, object] = {}
    if "ferries" in table:
        if not isinstance(table["ferries"], bool):
            raise InvalidInputError(
                msg("scenario: travel.ferries must be true or false"), field="travel"
            )
        options["ferries"] = table["ferries"]
    if "ferry_wait_min" in table:
        wait = table["ferry_wait_min"]
        if isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 <= wait <= 360:
            raise InvalidInputError(
                msg("scenario: travel.ferry_wait_min must be a number of minutes 0–360"),
                field="travel",
            )
        options["ferry_wait_s"] = float(wait) * 60.0
    return options


def travel_for(scenario: Scenario) -> TravelTimes:
    """Build the travel-time layer for ``scenario`` (graphs are cached per process)."""
    from smartspot.travel.config import district_config, travel_times
    from smartspot.travel.options import TravelOptions

    options = TravelOptions(**travel_options(scenario))  # type: ignore[arg-type]
    return travel_times(district_config(scenario.politikreds, options=options))
