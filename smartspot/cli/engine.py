"""The live engine for CLI commands that change live work (a follow-up's attempt, say), so the
command does exactly what the API's route does: the same :class:`Vagtcentral` methods in one
transaction, the same event on the map's stream (read by the service from the store's log).

The CLI plans nothing, so the travel model is the straight line and the policies are the
shipped scenarios' (``scenarios/<district>/policy.toml``, as the service's default).
"""

from __future__ import annotations

from smartspot.clock import SystemClock
from smartspot.followups import FollowUpRules
from smartspot.geo.regions import cached_regions
from smartspot.geo.stations import load_stations
from smartspot.live.context import LiveContext
from smartspot.live.districts import load_districts
from smartspot.live.engine import Vagtcentral
from smartspot.live.events import EventLog
from smartspot.resources import DATA_DIR, SCENARIOS_DIR
from smartspot.store.open import Store
from smartspot.travel.straight import StraightLineTravelTimes


def cli_engine(store: Store, *, followup_rules: FollowUpRules | None = None) -> Vagtcentral:
    """A :class:`Vagtcentral` on ``store`` with the wall clock.

    Parameters
    ----------
    store
        The open database (the command closes it).
    followup_rules
        The follow-up rules (default: the documented defaults).
    """
    regions = cached_regions(DATA_DIR)
    stations = load_stations(DATA_DIR / "police_stations.csv", regions)
    ctx = LiveContext(
        store=store,
        clock=SystemClock(),
        regions=regions,
        travel=StraightLineTravelTimes(),
        districts=load_districts(SCENARIOS_DIR, regions),
        bases={s.id: s.position for s in stations},
        events=EventLog(store),  # no listener in this process: the service reads the log
    )
    return Vagtcentral(ctx, followup_rules=followup_rules)
