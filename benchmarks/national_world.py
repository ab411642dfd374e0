"""The national benchmark's world (:mod:`benchmarks.national`): ``--hotspots`` synthetic open
hotspots over the country's kommuner, an operator, ``--cars`` patrols over every police station,
and a policy file per politikreds."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.api_load import PASSWORD, SECRET

CATEGORIES = ("youth_nuisance", "burglary_area", "speeding", "nightlife", "vandalism")


def national_features(count: int, seed: int) -> list[Any]:
    """``count`` hotspot features on land, a kommune's share by its land area."""
    import shapely

    from smartspot.drafts import FeatureIn
    from smartspot.geo.crs import metric_to_lonlat
    from smartspot.geo.regions import cached_regions
    from smartspot.resources import DATA_DIR

    regions = cached_regions(DATA_DIR)
    rng = np.random.default_rng(seed)
    areas = np.array([p.area for p in regions.polygons])
    per_kommune = rng.multinomial(count, areas / areas.sum())
    features: list[FeatureIn] = []
    for kommune, polygon, n in zip(regions.kommuner, regions.polygons, per_kommune, strict=True):
        minx, miny, maxx, maxy = polygon.bounds
        points: list[tuple[float, float]] = []
        while len(points) < n:
            xy = rng.uniform((minx, miny), (maxx, maxy), size=(4 * int(n) + 16, 2))
            inside = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
            points.extend(map(tuple, xy[inside][: int(n) - len(points)]))
        if not points:
            continue
        lonlat = metric_to_lonlat(
            np.array([p[0] for p in points]), np.array([p[1] for p in points])
        )
        for lon, lat in lonlat:
            k = len(features)
            features.append(
                FeatureIn(
                    index=k,
                    properties={
                        "title": f"Benchmark {kommune.navn} {k + 1}",
                        "category": CATEGORIES[k % len(CATEGORIES)],
                        "description": "syntetisk tryghedsopgave til belastningsmåling",
                        "instruction": "kør forbi, stop op og tal med folk",
                        "minutes_on_site": 15,
                        "priority": int(rng.integers(1, 6)),
                        "windows": [],
                        "visits_per_week": float(rng.choice([1, 2, 3, 4])),
                        "source": "analysis",
                        "valid_from": date(2025, 1, 1).isoformat(),
                    },
                    geometry=shapely.Point(float(lon), float(lat)),
                )
            )
    return features


def prepare_kept(
    db: str, keep: Path | None, hotspots: int, cars: int, seed: int
) -> list[dict[str, Any]]:
    """:func:`prepare` into the SQLite file ``db``, or a copy of the one kept at ``keep``
    (its fleet beside it as ``.json``) when there is one; a fresh one is kept there."""
    if keep is not None and keep.exists():
        shutil.copy(keep, db)
        fleet: list[dict[str, Any]] = json.loads(keep.with_suffix(".json").read_text())
        return fleet
    fleet = prepare(db, hotspots, cars, seed)
    if keep is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)  # a fresh clone has no benchmarks/out/
        shutil.copy(db, keep)
        keep.with_suffix(".json").write_text(json.dumps(fleet))
    return fleet


def prepare(db: str, hotspots: int, cars: int, seed: int) -> list[dict[str, Any]]:
    """The national hotspots, an operator and ``cars`` patrols over every station; each
    car's start (lon, lat) a km or two from its station."""
    from api import create_app
    from api.app import services_of
    from api.auth import new_account
    from api.settings import Settings
    from smartspot.geo.crs import metric_to_lonlat

    app = create_app(Settings(db=db, secret_key=SECRET, create_db=True))
    services = services_of(app)
    began = time.perf_counter()
    services.hotspots.import_features(national_features(hotspots, seed), user="benchmark")
    print(f"{hotspots} hotspots imported in {time.perf_counter() - began:.0f} s", flush=True)
    services.store.users.add(
        new_account("bench", "operator", PASSWORD, now=datetime.now(UTC), districts=("*",)),
        actor="benchmark",
    )
    engine = services.engine
    stations = sorted(engine.ctx.bases.items())
    rng = np.random.default_rng(seed)
    fleet = []
    for k in range(cars):
        station, xy = stations[k % len(stations)]
        call_sign = f"N-{k + 1:03d}"
        engine.add_patrol(call_sign, station, actor="benchmark")
        lon, lat = metric_to_lonlat(np.array([xy.x]), np.array([xy.y]))[0]
        fleet.append(
            {
                "call_sign": call_sign,
                "home": (float(lon), float(lat)),
                "lon": float(lon + rng.uniform(-0.01, 0.01)),
                "lat": float(lat + rng.uniform(-0.006, 0.006)),
                "politikreds": engine.ctx.district_of_base(station),
            }
        )
    services.close()
    return fleet


def national_policies(folder: Path) -> Path:
    """A policy file per politikreds: the default rules, except that the shift-end rule is
    off, so that what is measured does not depend on the hour the benchmark runs (within
    the last stretch of a shift every proposal is empty)."""
    from smartspot.geo.regions import cached_regions
    from smartspot.resources import DATA_DIR

    for k, name in enumerate(sorted({m.politikreds for m in cached_regions(DATA_DIR).kommuner})):
        (folder / f"kreds{k:02d}").mkdir(parents=True, exist_ok=True)
        text = f'politikreds = "{name}"\nrespect_shift_ends = false\n'
        (folder / f"kreds{k:02d}" / "policy.toml").write_text(text, encoding="utf-8")
    return folder


class Homecoming:
    """Cleared cars get home (issue 10 §7 of session 4). Until then a cleared car stays on its
    way home and every later clear of its politikreds plans jointly for it too; the session-3
    benchmark never let one arrive, so at 13 × the national callout rate a district's 8th clear
    planned for 8 cars. A real district has about 1.5 cars on their way home at the busiest
    hour (4.5 callouts an hour per district, some 20 minutes home), so here at most
    ``returning`` earlier cars of a district are on their way home when another is cleared;
    the oldest beyond that arrives: its crew declines a proposal still pending (the operator
    never answered it) and reports the car available at its station."""

    def __init__(self, returning: int) -> None:
        self.returning = returning
        self._going: dict[str, list[str]] = {}
        self._pending: dict[str, str] = {}  # call sign -> its pending proposal's id

    def before_clear(self, district: str) -> list[tuple[str, str, dict[str, Any]]]:
        """The requests (method, path, body) that bring the district's oldest cars home."""
        going = self._going.setdefault(district, [])
        requests = []
        while self.returning >= 0 and len(going) > self.returning:
            car = going.pop(0)
            pending = self._pending.pop(car, None)
            if pending is not None:
                requests.append(("POST", f"/proposals/{pending}/reject", {"reason": "hjemme"}))
            requests.append(("POST", f"/patrols/{car}/status", {"status": "available"}))
        return requests

    def cleared(self, district: str, car: str, answer: dict[str, Any]) -> None:
        """A clear of ``car`` answered: it is on its way home, and the round's proposals are
        the pending ones of the district's cars."""
        self._going.setdefault(district, []).append(car)
        for proposal in answer.get("proposals", []):
            if proposal["status"] == "pending":
                self._pending[proposal["patrol"]] = proposal["id"]
            else:
                self._pending.pop(proposal["patrol"], None)
