"""Login throttling: exponential back-off per user name and per client address, shared by
every worker and every API node through the database.

Every failed login counts against two keys, the user name (case-folded) and the client's
address. A key may fail ``free_failures`` times; each failure after that blocks the key for
``base_s × 2^(n-1)`` seconds (1, 2, 4 … capped at ``max_s``), and a key that has not failed
for ``forget_s`` starts afresh. A right password clears the user's key (not the address's,
so one valid account does not buy an address more guesses at others).

The throttle is asked *before* any password is hashed, so a blocked attempt costs one read,
and no key has more attempts in flight than it has free failures left (once in back-off: one
at a time). The counts live in the store (:class:`~smartspot.store.port.ThrottleRepository`,
table ``login_throttle``), so N workers or N nodes give a guesser the budget of one; an
attempt in flight counts for at most ``lease_s`` (a worker that dies mid-check holds
nothing longer); expired counts are deleted, at most every ``cleanup_every_s`` per process.
Keys are stored as keyed hashes (HMAC-SHA-256 with the service's secret key), never as typed:
people type their password into the name field. Without ``SMARTSPOT_SECRET_KEY`` (one SQLite
worker, or ``--demo``) the key is made up per start, so a restart forgets the counts, as it
ends every token.

Times are the wall clock (seconds since the epoch), as every node must read the same time.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from smartspot.store.port import ThrottleRepository
from smartspot.store.records import ThrottleState

USER, ADDRESS = "user:", "addr:"


@dataclass(frozen=True, slots=True)
class Backoff:
    """How a key is throttled: free failures, then exponential delay."""

    free_failures: int = 5
    base_s: float = 1.0
    max_s: float = 900.0
    forget_s: float = 900.0

    def __post_init__(self) -> None:
        if self.free_failures < 1:
            raise ValueError("free_failures must be at least 1")
        if not 0 < self.base_s <= self.max_s:
            raise ValueError("base_s must be positive and at most max_s")
        if self.forget_s <= 0:
            raise ValueError("forget_s must be positive")

    def delay_s(self, failures: int) -> float:
        """The block after ``failures`` failures (0 while they are free)."""
        over = failures - self.free_failures
        if over <= 0:
            return 0.0
        return min(self.max_s, self.base_s * 2.0 ** min(over - 1, 60))


@dataclass(frozen=True, slots=True)
class Decision:
    """What the throttle says to one login attempt: go ahead, or wait ``retry_after_s``."""

    allowed: bool
    retry_after_s: int = 0
    keys: tuple[str, ...] = ()


@dataclass
class LoginThrottle:
    """Per-key failure counts with exponential back-off, kept in the store.

    Parameters
    ----------
    states
        Where the counts live (``store.logins``).
    secret
        The key of the keyed hash the stored keys are made with (the service's secret key:
        the same on every worker).
    user
        The back-off for user-name keys.
    address
        The back-off for client-address keys; more free failures, since a vagtcentral's
        operators may share one address.
    clock
        Seconds since the epoch (tests pass their own).
    lease_s
        How long an attempt in flight counts at most.
    cleanup_every_s
        How often (at most) this process deletes expired counts, after a failure.
    """

    states: ThrottleRepository
    secret: bytes
    user: Backoff = field(default_factory=Backoff)
    address: Backoff = field(default_factory=lambda: Backoff(free_failures=20))
    clock: Callable[[], float] = time.time
    lease_s: float = 60.0
    cleanup_every_s: float = 60.0
    _next_cleanup: float = 0.0

    def _policy(self, key: str) -> Backoff:
        return self.user if key.startswith(USER) else self.address

    def stored_key(self, key: str) -> str:
        """The stored form of ``user:<name>`` or ``addr:<ip>``: its kind and a keyed hash."""
        kind, _, value = key.partition(":")
        digest = hmac.new(self.secret, value.encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest}"

    def keys_for(self, name: str, address: str) -> tuple[str, str]:
        return (
            self.stored_key(f"{USER}{name.casefold()}"),
            self.stored_key(f"{ADDRESS}{address}"),
        )

    # -- the rules, on one key's state -----------------------------------------------------

    def _live(self, key: str, state: ThrottleState, now: float) -> ThrottleState:
        """The state as it counts at ``now``: a lapsed lease drops its attempts in flight,
        and failures long enough ago are forgotten."""
        if state.pending and state.pending_until <= now:
            state = replace(state, pending=0, pending_until=0.0)
        if (
            not state.pending
            and state.failures
            and now - state.last_failure > self._policy(key).forget_s
        ):
            state = replace(state, failures=0, last_failure=0.0, blocked_until=0.0)
        return state

    def _stored(self, key: str, state: ThrottleState) -> ThrottleState:
        """``state`` with the moment its row may be deleted."""
        forget = state.last_failure + self._policy(key).forget_s if state.failures else 0.0
        lease = state.pending_until if state.pending else 0.0
        if not state.pending:
            state = replace(state, pending_until=0.0)
        return replace(state, expires_at=max(forget, state.blocked_until, lease))

    def _wait_s(self, states: dict[str, ThrottleState], now: float) -> float:
        wait = 0.0
        for key, stored in states.items():
            state = self._live(key, stored, now)
            if state.blocked_until > now:
                wait = max(wait, state.blocked_until - now)
            elif state.pending and state.failures + state.pending >= (
                self._policy(key).free_failures
            ):
                wait = max(wait, 1.0)  # no more in flight than failures left free
        return wait

    def _ended(
        self, decision: Decision, change: Callable[[str, ThrottleState], ThrottleState]
    ) -> None:
        """Apply ``change`` to every key of a finished attempt (its lease ended)."""
        now = self.clock()

        def edit(states: dict[str, ThrottleState]) -> tuple[dict[str, ThrottleState], None]:
            changed = {}
            for key, stored in states.items():
                state = self._live(key, stored, now)
                state = replace(state, pending=max(0, state.pending - 1))
                changed[key] = self._stored(key, change(key, state))
            return changed, None

        self.states.change(decision.keys, edit)

    # -- an attempt ------------------------------------------------------------------------

    def begin(self, name: str, address: str) -> Decision:
        """Ask before checking a password; an allowed attempt must be ended with
        :meth:`succeeded`, :meth:`failed` or :meth:`abandoned`."""
        keys = self.keys_for(name, address)
        now = self.clock()
        # A plain read first: a blocked key (most of a flood) costs no write.
        wait = self._wait_s(self.states.read(keys), now)
        if wait <= 0:

            def edit(states: dict[str, ThrottleState]) -> tuple[dict[str, ThrottleState], float]:
                wait = self._wait_s(states, now)  # again, under the keys' lock
                if wait > 0:
                    return {}, wait
                changed = {}
                for key, stored in states.items():
                    state = self._live(key, stored, now)
                    state = replace(
                        state, pending=state.pending + 1, pending_until=now + self.lease_s
                    )
                    changed[key] = self._stored(key, state)
                return changed, 0.0

            wait = self.states.change(keys, edit)
        if wait > 0:
            return Decision(False, max(1, math.ceil(wait)), keys)
        return Decision(True, 0, keys)

    def succeeded(self, decision: Decision) -> None:
        """The password was right: the user's key starts afresh."""

        def clear(key: str, state: ThrottleState) -> ThrottleState:
            if key.startswith(USER):
                return replace(state, failures=0, last_failure=0.0, blocked_until=0.0)
            return state

        self._ended(decision, clear)

    def failed(self, decision: Decision) -> None:
        """The password was wrong (or the user unknown): count it on every key."""
        now = self.clock()

        def count(key: str, state: ThrottleState) -> ThrottleState:
            failures = state.failures + 1
            delay = self._policy(key).delay_s(failures)
            blocked = now + delay if delay else state.blocked_until
            return replace(state, failures=failures, last_failure=now, blocked_until=blocked)

        self._ended(decision, count)
        if now >= self._next_cleanup:
            self._next_cleanup = now + self.cleanup_every_s
            self.states.forget_expired(now)

    def abandoned(self, decision: Decision) -> None:
        """The attempt ended in an error before the password was judged: it counts as
        neither."""
        self._ended(decision, lambda key, state: state)

    def failures(self, key: str) -> int:
        """How many failures ``key`` (``user:<name>`` or ``addr:<ip>``) counts now (for tests
        and diagnostics)."""
        stored = self.stored_key(key)
        state = self.states.read([stored]).get(stored, ThrottleState())
        return self._live(stored, state, self.clock()).failures
