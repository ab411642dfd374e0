"""The demo fleet: a few patrol cars at the demo districts' stations, driving about, so the
map shows live cars when ``smartspot serve --demo`` runs. Demo only: a real vagtcentral's cars
come from its AVL feed through ``POST /patrols/positions``."""

from __future__ import annotations

import threading
from datetime import datetime

import numpy as np

from smartspot.geo.crs import metric_to_lonlat
from smartspot.live.engine import Vagtcentral
from smartspot.live.positions import Fix

DEMO_DISTRICTS = {"Midt- og Vestjyllands Politi": "MV", "Østjyllands Politi": "OJ"}
CARS_PER_DISTRICT = 6
STEP_DEG = 0.0015  # ~100 m a tick
HOME_SPREAD_DEG = 0.03


def seed_demo_fleet(engine: Vagtcentral, now: datetime, *, seed: int = 7) -> list[str]:
    """Add the demo cars with a first position near their station, unless cars exist."""
    if engine.ctx.store.patrols.list():
        return []
    rng = np.random.default_rng(seed)
    added: list[str] = []
    fixes: list[Fix] = []
    for district, prefix in DEMO_DISTRICTS.items():
        bases = [
            (name, point)
            for name, point in sorted(engine.ctx.bases.items())
            if engine.ctx.politikreds_of(point) == district
        ]
        for k in range(min(CARS_PER_DISTRICT, len(bases))):
            station, position = bases[k]
            call_sign = f"{prefix}-{21 + k}"
            engine.add_patrol(call_sign, station, actor="demo")
            lon, lat = metric_to_lonlat(np.array([position.x]), np.array([position.y]))[0]
            fixes.append(
                Fix(
                    call_sign,
                    round(float(lon + rng.uniform(-HOME_SPREAD_DEG, HOME_SPREAD_DEG)), 6),
                    round(float(lat + 0.6 * rng.uniform(-HOME_SPREAD_DEG, HOME_SPREAD_DEG)), 6),
                    now,
                )
            )
            added.append(call_sign)
    engine.record_positions(fixes)
    return added


def demo_call_signs(engine: Vagtcentral) -> set[str]:
    """The cars the demo itself registered (their ``create`` is audited as ``demo``)."""
    return {
        entry.entity_id
        for entry in engine.ctx.store.audit.entries(entity="patrol")
        if entry.action == "create" and entry.actor == "demo"
    }


class DemoDriver:
    """Moves every car a little every ``interval_s`` seconds (a thread; stop() ends it)."""

    def __init__(self, engine: Vagtcentral, *, interval_s: float = 3.0, seed: int = 11) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.rng = np.random.default_rng(seed)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-driver", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def tick(self) -> int:
        fixes = []
        now = self.engine.ctx.clock.now()
        mine = demo_call_signs(self.engine)
        for patrol in self.engine.ctx.store.patrols.list():
            if patrol.call_sign not in mine:
                continue  # a car a user registered is never moved by the demo
            if patrol.position is None:
                continue
            lon, lat = metric_to_lonlat(
                np.array([patrol.position.x]), np.array([patrol.position.y])
            )[0]
            fixes.append(
                Fix(
                    patrol.call_sign,
                    round(float(lon + self.rng.normal(0, STEP_DEG)), 6),
                    round(float(lat + self.rng.normal(0, STEP_DEG * 0.6)), 6),
                    now,
                )
            )
        try:
            return self.engine.record_positions(fixes).stored
        except Exception:  # a step into the sea or a locked database: skip this tick
            return 0

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.tick()
