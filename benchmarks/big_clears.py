"""A big district's warm clears, in process, for their own CPU (issue 10 §7, session 9).

The national world of :mod:`benchmarks.national` (10,000 hotspots, 400 cars, 12 politikredse, a
SQLite file), warmed as each worker of ``smartspot serve`` warms (``api.app.warm``); then
``--clears`` clears in one district (default Midt- og Vestjylland), each of the next car of the
district, its callout at the car's place + a small random offset, an AVL batch of 100 fixes
before each, and the district's last ``--returning`` cleared cars on their way home (they plan
with the clear, as in the national run). The callouts are made over the API; the clear is the
engine's ``Vagtcentral.clear`` called in this thread, so its thread CPU and a profile of it
(``--profile``, pyinstrument) are the clear's alone.

``--far KM``: each car's fix just before its clear is at the district's car whose home is
nearest KM km from its own, or with -1 a random car's of the district (a car far from home, as real ones are; the benchmark's stay within
2 km of home).
``--dump FILE``: every clear's problems (``problem_to_dict``) as JSON lines, to compare two
trees' answers (``--compare A B``: the same problems, to the last bit).

Run on two trees for an A/B (``git archive`` the older into a folder, copy this script in, run
each with this venv's Python, alternating): ``nice -n 19 .venv/bin/python -m
benchmarks.big_clears [--district Midt-] [--clears 30] [--far] [--dump out.jsonl]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.cold_clears import GROWN, SPENT, install
from benchmarks.national_profile import PASSWORD, SECRET
from benchmarks.national_roles import fixes
from benchmarks.national_world import national_policies, prepare_kept

#: the clock stands at a night of the session, moved 2 s a clear: two trees' runs then plan the
#: same problems (the wall clock would make each run's different)
START = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)


def _client(db: str, policies: Path, clock: Any) -> Any:
    from fastapi.testclient import TestClient

    from api import create_app
    from api.app import warm
    from api.settings import Settings

    app = create_app(Settings(db=db, secret_key=SECRET, policy_dir=policies), clock=clock)
    warm(app)  # as each worker of ``smartspot serve`` does before it takes requests
    client = TestClient(app).__enter__()
    answer = client.post("/auth/token", data={"username": "bench", "password": PASSWORD})
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


def _stamped(batch: list[dict[str, Any]], clock: Any) -> list[dict[str, Any]]:
    return [{**fix, "at": clock.now().isoformat()} for fix in batch]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Roughly, in Denmark (56° N)."""
    return float(np.hypot((a[0] - b[0]) * 62.2, (a[1] - b[1]) * 111.2))


def _callout(client: Any, car: dict[str, Any], place: dict[str, float]) -> str:
    answer = client.post("/callouts", json={"urgent": False, **place})
    answer.raise_for_status()
    callout_id = str(answer.json()["id"])
    for path, body in (
        ("/callouts/{id}/dispatch", {"patrol": car["call_sign"]}),
        ("/callouts/{id}/arrive", None),
    ):
        client.post(path.format(id=callout_id), json=body).raise_for_status()
    return callout_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--district", default="Midt- og Vestj", help="a district name prefix")
    parser.add_argument("--clears", type=int, default=30)
    parser.add_argument("--returning", type=int, default=3)
    parser.add_argument("--far", type=float, default=0.0, metavar="KM",
                        help="fix each car, before its clear, at the district's car whose home "
                        "is nearest KM km from its own home (-1: a random car's)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="pyinstrument text of the clears here")
    parser.add_argument("--dump", type=Path, help="every clear's problems as JSON lines")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    parser.add_argument("--keep", type=Path, default=Path("benchmarks/out/national.db"),
                        help="a prepared SQLite file to copy (made if absent)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.compare:
        return _compare(*args.compare)
    install()
    folder = Path(tempfile.mkdtemp(prefix="smartspot-big-clears-"))
    policies = national_policies(folder / "policies")
    db = str(folder / "national.db")
    fleet = prepare_kept(db, args.keep, 10_000, 400, 1)
    from smartspot.clock import FixedClock

    clock = FixedClock(START)
    client = _client(db, policies, clock)
    engine = client.app.state.services.engine
    rng = np.random.default_rng(args.seed)
    everyone = fixes(fleet, np.arange(len(fleet)), rng)
    for start in range(0, len(everyone), 200):
        client.post(
            "/patrols/positions", json={"positions": _stamped(everyone[start : start + 200], clock)}
        )
    [district] = sorted(
        {c["politikreds"] for c in fleet if c["politikreds"].startswith(args.district)}
    )
    cars = [c for c in fleet if c["politikreds"] == district]
    profiler = None
    if args.profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    going: list[str] = []
    cpu_ms: list[float] = []
    plan_ms: list[float] = []
    planned: list[int] = []
    for k in range(args.clears):
        car = cars[k % len(cars)]
        clock.advance(2)
        batch = _stamped(fixes(fleet, rng.choice(len(fleet), size=100, replace=False), rng), clock)
        client.post("/patrols/positions", json={"positions": batch}).raise_for_status()
        while len(going) > args.returning:
            client.post(f"/patrols/{going.pop(0)}/status", json={"status": "available"})
        if car["call_sign"] in going:
            going.remove(car["call_sign"])
            client.post(f"/patrols/{car['call_sign']}/status", json={"status": "available"})
        place = {"lon": car["lon"] + float(rng.normal(0, 0.003)),
                 "lat": car["lat"] + float(rng.normal(0, 0.002))}  # fmt: skip
        if args.far:
            far = (
                cars[int(rng.integers(len(cars)))]  # -1: anywhere in the district
                if args.far < 0
                else min(cars, key=lambda c: abs(_km(c["home"], car["home"]) - args.far))
            )
            place = {"lon": far["lon"], "lat": far["lat"]}
        callout_id = _callout(client, car, place)
        if args.far:
            at = {"call_sign": car["call_sign"], **place, "at": batch[0]["at"]}
            client.post("/patrols/positions", json={"positions": [at]}).raise_for_status()
        if profiler is not None:
            profiler.start()
        grown, began = GROWN[0], time.thread_time()
        _, made = engine.clear(callout_id, actor="bench")
        spent = time.thread_time() - began
        if profiler is not None:
            profiler.stop()
        going.append(car["call_sign"])
        cpu_ms.append(1000 * spent)
        plan_ms.append(1000 * SPENT["plan"])
        planned.append(len(made))
        if dump is not None:
            problems = sorted({json.dumps(p.problem, sort_keys=True) for p in made if p.problem})
            dump.write(json.dumps({"clear": k, "problems": problems}) + "\n")
        print(f"{k} {car['call_sign']} cars {len(made)} engine CPU {cpu_ms[-1]:.1f} ms, "
              f"planning {plan_ms[-1]:.1f} ms, trees grown {GROWN[0] - grown}", flush=True)  # fmt: skip
    if dump is not None:
        dump.close()
    print(f"{district}: {len(cpu_ms)} clears, {statistics.median(planned):.0f} cars each: engine "
          f"CPU median {statistics.median(cpu_ms):.1f} ms, max {max(cpu_ms):.1f} ms; planning "
          f"median {statistics.median(plan_ms):.1f} ms, max {max(plan_ms):.1f} ms")  # fmt: skip
    if profiler is not None:
        args.profile.write_text(profiler.output_text(unicode=True, show_all=False))
    return 0


def _compare(a: Path, b: Path) -> int:
    left = a.read_text(encoding="utf-8").splitlines()
    right = b.read_text(encoding="utf-8").splitlines()
    same = sum(x == y for x, y in zip(left, right, strict=False))
    print(f"{same} of {max(len(left), len(right))} clears' problems alike")
    return 0 if same == len(left) == len(right) else 1


if __name__ == "__main__":
    sys.exit(main())
