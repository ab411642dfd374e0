"""Login throttling: exponential back-off per user name and per client address.

Every failed login counts against two keys, the user name (case-folded) and the client's
address. A key may fail ``free_failures`` times; each failure after that blocks the key for
``base_s × 2^(n-1)`` seconds (1, 2, 4 … capped at ``max_s``), and a key that has not failed
for ``forget_s`` starts afresh. A right password clears the user's key (not the address's,
so one valid account does not buy an address more guesses at others).

The throttle is asked *before* any password is hashed, so a blocked attempt costs a dictionary
look-up, and a key already in back-off has at most one attempt in flight. State lives in the
process (at most ``max_keys`` keys, least recently used dropped first): with several workers
each worker counts for itself, so a guesser gets at most N × the budget.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


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


@dataclass(slots=True)
class _KeyState:
    failures: int = 0
    last_failure: float = 0.0
    blocked_until: float = 0.0
    pending: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """What the throttle says to one login attempt: go ahead, or wait ``retry_after_s``."""

    allowed: bool
    retry_after_s: int = 0
    keys: tuple[str, ...] = ()


@dataclass
class LoginThrottle:
    """Per-key failure counts with exponential back-off (thread-safe).

    Parameters
    ----------
    user
        The back-off for user-name keys (``user:<name>``).
    address
        The back-off for client-address keys (``addr:<ip>``); more free failures, since a
        vagtcentral's operators may share one address.
    clock
        Monotonic seconds (tests pass their own).
    max_keys
        How many keys are remembered at most.
    """

    user: Backoff = field(default_factory=Backoff)
    address: Backoff = field(default_factory=lambda: Backoff(free_failures=20))
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 10_000
    _keys: OrderedDict[str, _KeyState] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _policy(self, key: str) -> Backoff:
        return self.user if key.startswith("user:") else self.address

    def _state(self, key: str, now: float) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            state = _KeyState()
            self._keys[key] = state
            while len(self._keys) > self.max_keys:
                self._keys.popitem(last=False)
        else:
            self._keys.move_to_end(key)
            if (
                state.pending == 0
                and state.failures
                and now - state.last_failure > self._policy(key).forget_s
            ):
                state.failures, state.blocked_until = 0, 0.0
        return state

    @staticmethod
    def keys_for(name: str, address: str) -> tuple[str, str]:
        return (f"user:{name.casefold()}", f"addr:{address}")

    def begin(self, name: str, address: str) -> Decision:
        """Ask before checking a password; an allowed attempt must be ended with
        :meth:`succeeded` or :meth:`failed`."""
        keys = self.keys_for(name, address)
        now = self.clock()
        with self._lock:
            states = [self._state(key, now) for key in keys]
            wait = 0.0
            for key, state in zip(keys, states, strict=True):
                if state.blocked_until > now:
                    wait = max(wait, state.blocked_until - now)
                elif (
                    state.pending
                    and state.failures + state.pending >= self._policy(key).free_failures
                ):
                    wait = max(wait, 1.0)  # in back-off: one attempt at a time
            if wait > 0:
                return Decision(False, max(1, math.ceil(wait)), keys)
            for state in states:
                state.pending += 1
        return Decision(True, 0, keys)

    def succeeded(self, decision: Decision) -> None:
        """The password was right: the user's key starts afresh."""
        with self._lock:
            for key in decision.keys:
                state = self._keys.get(key)
                if state is None:
                    continue
                state.pending = max(0, state.pending - 1)
                if key.startswith("user:"):
                    state.failures, state.blocked_until = 0, 0.0

    def failed(self, decision: Decision) -> None:
        """The password was wrong (or the user unknown): count it on every key."""
        now = self.clock()
        with self._lock:
            for key in decision.keys:
                state = self._state(key, now)
                state.pending = max(0, state.pending - 1)
                state.failures += 1
                state.last_failure = now
                delay = self._policy(key).delay_s(state.failures)
                if delay:
                    state.blocked_until = now + delay

    def abandoned(self, decision: Decision) -> None:
        """The attempt ended in an error before the password was judged: it counts as
        neither."""
        with self._lock:
            for key in decision.keys:
                state = self._keys.get(key)
                if state is not None:
                    state.pending = max(0, state.pending - 1)

    def failures(self, key: str) -> int:
        """How many failures ``key`` has on record (for tests and diagnostics)."""
        with self._lock:
            state = self._keys.get(key)
            return 0 if state is None else state.failures
