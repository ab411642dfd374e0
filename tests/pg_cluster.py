"""A throwaway PostgreSQL + PostGIS cluster for one test session.

``initdb`` in a temporary folder, run as an unprivileged user (``postgres``, Debian's server
account, when the tests run as root: the server refuses to run as root), on a free port with
its Unix socket in that folder (no TCP listener, so nothing else on the machine can reach
it). Durability is switched off (``fsync=off``): the cluster lives for minutes and is removed
afterwards (``durable=True`` keeps them on, for benchmarks). The schema is migrated once into a template
database; every test gets a fresh copy of it (``CREATE DATABASE … TEMPLATE``, a file copy) and
connects as a login in the restricted ``smartspot_app`` role, as the service should in
production. A copy costs about half a second (the template holds PostGIS's 7 MB
``spatial_ref_sys``), so with ``spares=N`` a thread keeps N copies made ahead, while the tests
run: a test takes one that was never handed out before.
"""

from __future__ import annotations

import glob
import itertools
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

SUPERUSER = "postgres"
SERVICE_USER = "smartspot_service"
TEMPLATE = "smartspot_template"


def server_bindir() -> Path | None:
    """The newest Debian PostgreSQL server with PostGIS installed, or None."""
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        version = Path(bindir).parent.name
        if (Path(bindir) / "postgres").exists() and Path(
            f"/usr/share/postgresql/{version}/extension/postgis.control"
        ).exists():
            return Path(bindir)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A running cluster; :meth:`new_database` hands out migrated, empty databases."""

    def __init__(self, bindir: Path, *, durable: bool = False, spares: int = 0) -> None:
        self.bindir = bindir
        self.durable = durable  # fsync and synchronous commit on, as a server (benchmarks)
        self.spares = spares  # copies of the template made ahead by a thread (0: on demand)
        self._ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=max(spares, 1))
        self._stopping = threading.Event()
        self._maker: threading.Thread | None = None
        self.root = Path(tempfile.mkdtemp(prefix="smartspot-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:  # the server refuses root: run it as Debian's postgres user
            shutil.chown(self.root, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._numbers = itertools.count(1)

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        self._start_server()
        with self.admin() as conn:
            conn.execute(f"CREATE ROLE {SERVICE_USER} LOGIN")
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        from smartspot.store.postgres import PostgresStore
        from smartspot.store.schema_postgres import APP_ROLE

        PostgresStore(self.url(TEMPLATE, user=SUPERUSER), create=True).close()
        with self.admin() as conn:
            conn.execute(f"GRANT {APP_ROLE} TO {SERVICE_USER}")
        if self.spares:
            self._maker = threading.Thread(target=self._make_ahead, name="pg-spares", daemon=True)
            self._maker.start()

    def _copy_template(self) -> str:
        name = f"t{next(self._numbers)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
        return name

    def _make_ahead(self) -> None:
        """Keep :attr:`spares` fresh copies ready (the thread of ``spares=N``)."""
        while not self._stopping.is_set():
            try:
                made: str | BaseException = self._copy_template()
            except BaseException as error:  # handed to the test that waits for a copy
                made = error
            while not self._stopping.is_set():
                try:
                    self._ready.put(made, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if isinstance(made, BaseException):
                return

    def _start_server(self) -> None:
        durability_off = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.root}",
                "-c listen_addresses=''",
                *(() if self.durable else durability_off),
                "-c max_connections=400",
                "-c shared_buffers=64MB",
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def kill(self) -> None:
        """SIGKILL the server (a crash: no shutdown checkpoint; the next start recovers)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        # its backends leave with it (they watch the postmaster); wait for the port to be free
        time.sleep(0.5)

    def restart(self) -> None:
        """Start the server again on the same data folder (crash recovery after :meth:`kill`)."""
        self._start_server()

    def url(self, database: str, *, user: str = SERVICE_USER) -> str:
        return f"postgresql://{user}@/{database}?host={self.root}&port={self.port}"

    def admin(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database, user=SUPERUSER), autocommit=True)

    def new_database(self) -> str:
        """A fresh database at the newest schema, never handed out before; returns its name."""
        deadline = time.monotonic() + 120
        while self._maker is not None and time.monotonic() < deadline:
            try:
                made = self._ready.get(timeout=0.5)
            except queue.Empty:
                if self._maker.is_alive():
                    continue
                break  # the thread ended on an error, already raised: make one here
            if isinstance(made, BaseException):
                raise RuntimeError("a spare database could not be made") from made
            return made
        return self._copy_template()

    def empty_database(self) -> str:
        """A fresh database without any schema (its migrations run as :data:`SUPERUSER`, the
        owner); returns its name."""
        name = f"t{next(self._numbers)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self._stopping.set()
        if self._maker is not None:
            self._maker.join(timeout=30)
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
