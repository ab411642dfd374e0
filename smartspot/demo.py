"""The demo district: load every ``scenarios/*/hotspots.geojson`` into a store."""

from __future__ import annotations

from pathlib import Path

from smartspot.geo.io import read_features
from smartspot.hotspots import HotspotService

DEMO_USER = "demo"
DEMO_ACTION = "demo-import"


def demo_files(scenarios_dir: Path) -> list[Path]:
    """The demo hotspot files that exist, in name order."""
    return sorted(scenarios_dir.glob("*/hotspots.geojson"))


def load_demo_hotspots(service: HotspotService, scenarios_dir: Path) -> dict[str, int]:
    """Import every demo file in one transaction, all or nothing, audited as ``demo``.

    Returns
    -------
    Scenario name → number of hotspots registered. Empty when there are no demo files, or when
    the store already holds hotspots (loading twice would duplicate them).

    Raises
    ------
    ImportRejectedError
        When a demo file has a bad feature (the report names the file's features).
    """
    if service.count() > 0:
        return {}
    loaded: dict[str, int] = {}
    with service.store.transaction():
        for path in demo_files(scenarios_dir):
            result = service.import_features(
                read_features(path), user=DEMO_USER, action=DEMO_ACTION
            )
            loaded[path.parent.name] = len(result.created)
    return loaded
