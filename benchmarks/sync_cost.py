"""What ``synchronous=FULL`` costs: one audited write (a user account: row + chained audit row,
one commit) with FULL against NORMAL, interleaved rounds on the same WAL database file.

Run: ``.venv/bin/python -m benchmarks.sync_cost`` (a few seconds).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from smartspot.store.records import UserAccount
from smartspot.store.sqlite import SqliteStore


def main(rounds: int = 6, writes: int = 40) -> None:
    store = SqliteStore(Path(tempfile.mkdtemp()) / "sync.db", create=True)
    now = datetime.now(UTC)
    times: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    for r in range(rounds):
        for mode in times:
            store.connection.execute(f"PRAGMA synchronous = {mode}")
            start = time.perf_counter()
            for i in range(writes):
                account = UserAccount(f"u-{mode}-{r}-{i}", "planner", "$argon2id$x", now)
                store.users.add(account, actor="benchmark")
            times[mode].append((time.perf_counter() - start) / writes * 1000)
    print("| synchronous | median ms per audited write | worst round |\n|---|---|---|")
    for mode, values in times.items():
        print(f"| {mode} | {statistics.median(values):.2f} | {max(values):.2f} |")
    store.close()


if __name__ == "__main__":
    main()
