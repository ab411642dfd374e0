"""CPU seconds of the national benchmark's parts (:mod:`benchmarks.national`): the load
generator (this process), the server (``smartspot serve`` and its workers) and PostgreSQL (the
postmaster and its backends), so that a run says what each part cost on the shared cores."""

from __future__ import annotations

from pathlib import Path

import psutil  # installed with dask's distributed (the sweep); a benchmark-only use


def tree_cpu_s(pid: int | None, *, children: bool = True) -> float:
    """User + system CPU seconds of a process and (``children``) its living children (0 when
    gone)."""
    if pid is None:
        return 0.0
    try:
        root = psutil.Process(pid)
        total = 0.0
        for process in [root, *(root.children(recursive=True) if children else [])]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                continue
        return total
    except psutil.NoSuchProcess:
        return 0.0


def _children(pid: int | None) -> list[int]:
    if pid is None:
        return []
    try:
        return [child.pid for child in psutil.Process(pid).children()]
    except psutil.NoSuchProcess:
        return []


def postmaster_pid(data_dir: Path) -> int | None:
    """The PostgreSQL server's pid from its data folder (first line of postmaster.pid)."""
    try:
        return int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


class CpuMeter:
    """CPU seconds per part between :meth:`start` and :meth:`stop`, per wall second. The
    ``generator`` part is this process alone (the server and the database it started are
    its children: they are parts of their own)."""

    def __init__(self, parts: dict[str, int | None]) -> None:
        self.parts = parts
        self._began: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        found = {
            name: tree_cpu_s(pid, children=name != "generator") for name, pid in self.parts.items()
        }
        # each worker of the server on its own (``server:<pid>``): shows whether the load
        # generator's connections reached every worker (a worker takes a connection for
        # good, and which one takes it is a race)
        for pid in _children(self.parts.get("server")):
            found[f"server:{pid}"] = tree_cpu_s(pid)
        return found

    def start(self) -> None:
        self._began = self._now()

    def stop(self, seconds: float) -> dict[str, float]:
        """Cores used per part over ``seconds`` of wall time (1.0 = one core all along)."""
        now = self._now()
        return {
            name: round((now[name] - self._began.get(name, 0.0)) / seconds, 2)
            for name in now
            if name in self._began  # a worker started meanwhile is not in the split
        }
