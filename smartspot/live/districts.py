"""Every politikreds as the engine plans it, from the shipped data and a folder of policies:
shared by the API's services and the CLI's engine, so both plan and detect alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from smartspot.geo.coverage import kommune_points
from smartspot.geo.regions import Regions
from smartspot.geo.stations import load_stations
from smartspot.live.context import District
from smartspot.live.policy import PlanningPolicy, load_policies
from smartspot.resources import DATA_DIR


def load_districts(policy_dir: Path, regions: Regions) -> dict[str, District]:
    """Every politikreds with its policy (from ``policy_dir``'s ``<district>/policy.toml``,
    else the documented defaults), its stations and the coverage guard's kommune points.

    Raises
    ------
    InvalidInputError
        For a policy file that breaks the policy's rules, or two for one politikreds.
    """
    policies = load_policies(policy_dir)
    stations = load_stations(DATA_DIR / "police_stations.csv", regions)
    names = sorted({k.politikreds for k in regions.kommuner})
    found = {}
    for name in names:
        mine = [s for s in stations if s.location.politikreds == name]
        kommuner = {k.kode: k.navn for k in regions.kommuner_in(name)}
        labels, points = kommune_points(DATA_DIR / "dk_places_geonames.csv", kommuner)
        found[name] = District(
            politikreds=name,
            policy=policies.get(name) or PlanningPolicy(name),
            stations=np.array([[s.position.x, s.position.y] for s in mine]).reshape(-1, 2),
            kommune_names=labels,
            kommune_points=points,
        )
    return found
