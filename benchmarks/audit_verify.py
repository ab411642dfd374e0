"""How long does ``smartspot audit verify`` take on a big audit log, and how much memory?

Builds (once, ``--db``) an SQLite database whose audit log has ``--rows`` chained rows, each
with before/after JSON the size of a hotspot's audit record (~0.9 KB), written as the store
writes them (``sqlite_audit`` hashing), then runs ``audit verify`` on it in a fresh process
``--repeats`` times and reports the wall time of the chain check (``verify_audit``) and of
SQLite's ``PRAGMA integrity_check`` (the command runs both), and the process's peak memory.

The rows' entity is ``note`` (no object tables behind it), so what is measured is the chain:
the part that grows with the log. The object checks grow with the number of objects
(hotspots, users …), which a year of audit rows does not change much.

Run: ``.venv/bin/python -m benchmarks.audit_verify --rows 1000000 --db benchmarks/out/audit-1m.db``
(or ``--db postgresql://…`` of an empty database; "file" is then the audit table's size).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

BATCH = 10_000

_PROBE = """
import json, resource, sys, time
from smartspot.store.open import open_store
store = open_store(sys.argv[1])
start = time.perf_counter()
verdict = store.verify_audit()
chain = time.perf_counter() - start
start = time.perf_counter()
integrity = store.integrity_check()
pragma = time.perf_counter() - start
print(json.dumps({"ok": verdict.ok and integrity == "ok", "rows": verdict.rows,
                  "chain_s": chain, "integrity_s": pragma,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build(target: str, rows: int) -> None:
    """An audit log of ``rows`` chained rows (appended in batches, as many writes would)."""
    from smartspot.store.audit import GENESIS, ChainRow, row_hash
    from smartspot.store.open import open_store
    from smartspot.store.sqlite_audit import COUNTER

    record = {
        "title": "Trekanten ved Vestergade",
        "category": "nightlife",
        "description": "Uro omkring pladsen fredag og lørdag nat " * 4,
        "instruction": "Synligt nærvær, tal med de unge",
        "windows": ["fri,sat 22:00-04:00"],
        "priority": 3,
        "visits_per_week": 4.0,
        "politikreds": "Midt- og Vestjyllands Politi",
        "kommune": "Holstebro",
        "status": "open",
    }
    with open_store(target, create=True) as store:
        prev = GENESIS
        for start in range(1, rows + 1, BATCH):
            batch = []
            for seq in range(start, min(rows, start + BATCH - 1) + 1):
                before = json.dumps({**record, "version": seq}, ensure_ascii=False)
                after = json.dumps({**record, "version": seq + 1}, ensure_ascii=False)
                values = (seq, "2026-12-01T18:00:00+00:00", "analytiker", "update", "note",
                          f"N-{seq % 5000:06d}", before, after, None)  # fmt: skip
                sealed = row_hash(prev, ChainRow(*values, prev, None))
                batch.append((*values, prev, sealed))
                prev = sealed
            with store.transaction():
                store.executemany(
                    "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, "
                    "after, state_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
                if store.dialect == "postgresql":  # the highest seq handed out, as append keeps
                    store.execute(
                        "INSERT INTO id_counters (kind, last) VALUES (?, ?) ON CONFLICT (kind) "
                        "DO UPDATE SET last = excluded.last",
                        (COUNTER, batch[-1][0]),
                    )


def _empty(target: str) -> bool:
    from smartspot.store.open import is_postgres, open_store

    if not is_postgres(target):
        return not Path(target).exists()
    with open_store(target, create=True) as store:
        return store.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def _size_mb(target: str) -> float:
    from smartspot.store.open import is_postgres, open_store

    if not is_postgres(target):
        return Path(target).stat().st_size / 2**20
    with open_store(target) as store:
        row = store.execute("SELECT pg_total_relation_size('audit_log')").fetchone()
        return float(row[0]) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--db",
        required=True,
        help="an SQLite file (built when missing) or a PostgreSQL URL "
        "(built when its audit log is empty)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if _empty(args.db):
        build(args.db, args.rows)
    runs = []
    for _ in range(args.repeats):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, str(args.db)], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out))
        print(json.dumps(runs[-1]))
    size_mb = _size_mb(args.db)
    for key in ("chain_s", "integrity_s", "max_rss_mb"):
        values = [r[key] for r in runs]
        print(f"{key}: median {statistics.median(values):.1f}, worst {max(values):.1f}")
    print(f"rows {runs[0]['rows']}, file {size_mb:.0f} MB, ok {all(r['ok'] for r in runs)}")


if __name__ == "__main__":
    main()
