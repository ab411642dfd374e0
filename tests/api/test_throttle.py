"""Login back-off: free failures, then an exponential wait, per user and per address, with
the counts in the database (both backends), so every worker and node shares them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.throttle import Backoff, LoginThrottle
from smartspot.store.open import Store, open_store

SECRET = b"throttle-test-secret-key-0123456789"


class Seconds:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(database: str | Path) -> Iterator[Store]:
    with open_store(database, create=True) as opened:
        yield opened


@pytest.fixture
def clock() -> Seconds:
    return Seconds()


def _throttle(store: Store, clock: Seconds, **kw: Any) -> LoginThrottle:
    return LoginThrottle(store.logins, secret=SECRET, clock=clock, **kw)


def _fail(throttle: LoginThrottle, name: str, address: str, times: int) -> None:
    for _ in range(times):
        decision = throttle.begin(name, address)
        assert decision.allowed
        throttle.failed(decision)


def test_the_delay_doubles_after_the_free_failures() -> None:
    backoff = Backoff(free_failures=5, base_s=1, max_s=60)
    assert [backoff.delay_s(n) for n in range(1, 13)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60]


def test_five_failures_then_each_attempt_waits_longer(store: Store, clock: Seconds) -> None:
    throttle = _throttle(store, clock)
    _fail(throttle, "ole", "10.0.0.1", 5)
    _fail(throttle, "ole", "10.0.0.1", 1)  # the 6th is still checked; then 1 s of back-off
    blocked = throttle.begin("ole", "10.0.0.2")  # another address does not help
    assert not blocked.allowed and blocked.retry_after_s == 1
    clock.now += 1.01
    _fail(throttle, "ole", "10.0.0.3", 1)
    assert throttle.begin("OLE", "10.0.0.3").retry_after_s == 2  # names are case-folded
    clock.now += 2.01
    assert throttle.begin("ole", "10.0.0.3").allowed


def test_two_workers_share_one_count(store: Store, clock: Seconds, database: str | Path) -> None:
    with open_store(database) as other_store:  # another process's store on the same database
        first, second = _throttle(store, clock), _throttle(other_store, clock)
        _fail(first, "ole", "10.0.0.1", 3)
        _fail(second, "ole", "10.0.0.2", 3)
        assert first.failures("user:ole") == second.failures("user:ole") == 6
        assert not second.begin("ole", "10.0.0.3").allowed
        assert not first.begin("ole", "10.0.0.3").allowed


def test_other_users_are_not_held_back_by_one_users_failures(store: Store, clock: Seconds) -> None:
    throttle = _throttle(store, clock)
    _fail(throttle, "ole", "10.0.0.1", 6)
    assert not throttle.begin("ole", "10.0.0.1").allowed
    assert throttle.begin("kirsten", "10.0.0.1").allowed


def test_one_address_guessing_many_names_is_throttled_too(store: Store, clock: Seconds) -> None:
    throttle = _throttle(store, clock)
    for n in range(20):
        _fail(throttle, f"user{n}", "10.9.9.9", 1)
    _fail(throttle, "user20", "10.9.9.9", 1)
    assert not throttle.begin("someone-else", "10.9.9.9").allowed
    assert throttle.begin("someone-else", "10.0.0.1").allowed


def test_a_right_password_clears_the_users_count_but_not_the_addresss(
    store: Store, clock: Seconds
) -> None:
    throttle = _throttle(store, clock)
    _fail(throttle, "ole", "10.0.0.1", 4)
    decision = throttle.begin("ole", "10.0.0.1")
    throttle.succeeded(decision)
    assert throttle.failures("user:ole") == 0
    assert throttle.failures("addr:10.0.0.1") == 4


def test_failures_are_forgotten_after_a_quiet_while(store: Store, clock: Seconds) -> None:
    throttle = _throttle(store, clock, user=Backoff(forget_s=60))
    _fail(throttle, "ole", "10.0.0.1", 5)
    clock.now += 61
    _fail(throttle, "ole", "10.0.0.1", 1)
    assert throttle.failures("user:ole") == 1


def test_in_back_off_only_one_attempt_is_in_flight(store: Store, clock: Seconds) -> None:
    throttle = _throttle(store, clock)
    _fail(throttle, "ole", "10.0.0.1", 6)
    clock.now += 1.01
    first = throttle.begin("ole", "10.0.0.1")
    assert first.allowed
    assert not throttle.begin("ole", "10.0.0.1").allowed  # waits for the first one's verdict
    throttle.abandoned(first)
    assert throttle.begin("ole", "10.0.0.1").allowed


def test_no_more_attempts_in_flight_than_free_failures_left(store: Store, clock: Seconds) -> None:
    throttle = _throttle(store, clock)
    _fail(throttle, "ole", "10.0.0.1", 3)
    in_flight = [throttle.begin("ole", f"10.0.1.{n}") for n in range(4)]
    assert [d.allowed for d in in_flight] == [True, True, False, False]


def test_an_attempt_whose_worker_died_stops_counting_after_its_lease(
    store: Store, clock: Seconds
) -> None:
    throttle = _throttle(store, clock, lease_s=30)
    _fail(throttle, "ole", "10.0.0.1", 6)
    clock.now += 1.01
    assert throttle.begin("ole", "10.0.0.1").allowed  # never ended: its worker died
    assert not throttle.begin("ole", "10.0.0.1").allowed
    clock.now += 30
    assert throttle.begin("ole", "10.0.0.1").allowed


def test_expired_counts_are_deleted_and_names_are_not_stored(store: Store, clock: Seconds) -> None:
    user, address = Backoff(forget_s=60), Backoff(free_failures=1000)
    throttle = _throttle(store, clock, user=user, address=address, cleanup_every_s=10)
    for n in range(30):
        _fail(throttle, f"tast-mit-kodeord-{n}", "10.0.0.1", 1)
    assert store.logins.count() == 31  # 30 names and one address
    stored = " ".join(row[0] for row in store.execute("SELECT key_hash FROM login_throttle"))
    assert "tast-mit-kodeord" not in stored and "10.0.0.1" not in stored
    clock.now += 61
    _fail(throttle, "ole", "10.0.0.2", 1)  # a failure later sweeps the expired ones
    assert store.logins.count() == 3  # ole, 10.0.0.2 and 10.0.0.1 (an address keeps 900 s)
    assert throttle.failures("addr:10.0.0.1") == 30


def test_a_success_without_failures_leaves_no_row(store: Store, clock: Seconds) -> None:
    throttle = _throttle(store, clock)
    throttle.succeeded(throttle.begin("ole", "10.0.0.1"))
    assert store.logins.count() == 0


@pytest.mark.parametrize("bad", [{"free_failures": 0}, {"base_s": 0}, {"forget_s": 0}])
def test_a_back_off_that_makes_no_sense_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**bad)  # type: ignore[arg-type]
