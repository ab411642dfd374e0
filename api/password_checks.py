"""Password checks off the request path: :func:`authenticate` on a small pool of low-priority
threads with a bounded queue, so a flood of logins never takes the threads or the CPU other
requests are served with."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from api.auth import DUMMY_HASH, verify_password
from smartspot.errors import InvalidInputError, NotFoundError
from smartspot.store.port import UserRepository
from smartspot.store.records import UserAccount


def authenticate(users: UserRepository, name: str, password: str) -> UserAccount | None:
    """The active account when ``password`` is right, else None (blocking: seconds of CPU
    under load; call it through :class:`PasswordChecks`)."""
    try:
        user = users.get(name)
    except (NotFoundError, InvalidInputError):
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


class TooManyLogins(Exception):
    """More logins are waiting for a password check than the service queues."""


def _lower_priority() -> None:
    """Make this thread (and the threads argon2 starts from it) yield the CPU to the request
    threads: nice +10 on Linux, where the nice value is per thread; elsewhere a no-op."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class PasswordChecks:
    """Runs :func:`authenticate` on ``concurrency`` threads of its own, at low CPU priority,
    with at most ``queue`` logins waiting (beyond that :class:`TooManyLogins`), so a flood of
    logins never takes the threads or the CPU other requests are served with (argon2 takes
    ~0.1–0.3 s of CPU a check).
    """

    def __init__(self, *, concurrency: int = 1, queue: int = 32) -> None:
        if concurrency < 1 or queue < 0:
            raise ValueError("concurrency must be at least 1 and queue not negative")
        self.concurrency = concurrency
        self.queue = queue
        self._pool: ThreadPoolExecutor | None = None  # made on first use, again after close()
        self._waiting = 0
        self._running = 0
        self._count_lock = threading.Lock()
        self.peak = 0  # the most checks that ever ran at once
        self.checks = 0  # how many passwords were hashed

    async def authenticate(
        self, users: UserRepository, name: str, password: str
    ) -> UserAccount | None:
        """:func:`authenticate` off the event loop. Raises TooManyLogins when the queue is
        full."""
        if self._waiting >= self.queue + self.concurrency:
            raise TooManyLogins
        self._waiting += 1
        try:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.concurrency,
                    thread_name_prefix="argon2",
                    initializer=_lower_priority,
                )
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self._check, users, name, password)
        finally:
            self._waiting -= 1

    def _check(self, users: UserRepository, name: str, password: str) -> UserAccount | None:
        with self._count_lock:
            self._running += 1
            self.peak = max(self.peak, self._running)
            self.checks += 1
        try:
            return authenticate(users, name, password)
        finally:
            with self._count_lock:
                self._running -= 1

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
