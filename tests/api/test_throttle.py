"""Login back-off: free failures, then an exponential wait, per user and per address."""

from __future__ import annotations

import pytest

from api.throttle import Backoff, LoginThrottle


class Seconds:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _fail(throttle: LoginThrottle, name: str, address: str, times: int) -> None:
    for _ in range(times):
        decision = throttle.begin(name, address)
        assert decision.allowed
        throttle.failed(decision)


def test_the_delay_doubles_after_the_free_failures() -> None:
    backoff = Backoff(free_failures=5, base_s=1, max_s=60)
    assert [backoff.delay_s(n) for n in range(1, 13)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60]


def test_five_failures_then_each_attempt_waits_longer() -> None:
    clock = Seconds()
    throttle = LoginThrottle(clock=clock)
    _fail(throttle, "ole", "10.0.0.1", 5)
    _fail(throttle, "ole", "10.0.0.1", 1)  # the 6th is still checked; then 1 s of back-off
    blocked = throttle.begin("ole", "10.0.0.2")  # another address does not help
    assert not blocked.allowed and blocked.retry_after_s == 1
    clock.now += 1.01
    _fail(throttle, "ole", "10.0.0.3", 1)
    assert throttle.begin("OLE", "10.0.0.3").retry_after_s == 2  # names are case-folded
    clock.now += 2.01
    assert throttle.begin("ole", "10.0.0.3").allowed


def test_other_users_are_not_held_back_by_one_users_failures() -> None:
    throttle = LoginThrottle(clock=Seconds())
    _fail(throttle, "ole", "10.0.0.1", 6)
    assert not throttle.begin("ole", "10.0.0.1").allowed
    assert throttle.begin("kirsten", "10.0.0.1").allowed


def test_one_address_guessing_many_names_is_throttled_too() -> None:
    throttle = LoginThrottle(clock=Seconds())
    for n in range(20):
        _fail(throttle, f"user{n}", "10.9.9.9", 1)
    _fail(throttle, "user20", "10.9.9.9", 1)
    assert not throttle.begin("someone-else", "10.9.9.9").allowed
    assert throttle.begin("someone-else", "10.0.0.1").allowed


def test_a_right_password_clears_the_users_count_but_not_the_addresss() -> None:
    throttle = LoginThrottle(clock=Seconds())
    _fail(throttle, "ole", "10.0.0.1", 4)
    decision = throttle.begin("ole", "10.0.0.1")
    throttle.succeeded(decision)
    assert throttle.failures("user:ole") == 0
    assert throttle.failures("addr:10.0.0.1") == 4


def test_failures_are_forgotten_after_a_quiet_while() -> None:
    clock = Seconds()
    throttle = LoginThrottle(user=Backoff(forget_s=60), clock=clock)
    _fail(throttle, "ole", "10.0.0.1", 5)
    clock.now += 61
    _fail(throttle, "ole", "10.0.0.1", 1)
    assert throttle.failures("user:ole") == 1


def test_in_back_off_only_one_attempt_is_in_flight() -> None:
    clock = Seconds()
    throttle = LoginThrottle(clock=clock)
    _fail(throttle, "ole", "10.0.0.1", 6)
    clock.now += 1.01
    first = throttle.begin("ole", "10.0.0.1")
    assert first.allowed
    assert not throttle.begin("ole", "10.0.0.1").allowed  # waits for the first one's verdict
    throttle.abandoned(first)
    assert throttle.begin("ole", "10.0.0.1").allowed


def test_the_throttle_remembers_a_bounded_number_of_keys() -> None:
    throttle = LoginThrottle(address=Backoff(free_failures=1000), clock=Seconds(), max_keys=50)
    for n in range(500):
        _fail(throttle, f"random-{n}", "10.0.0.1", 1)
    assert len(throttle._keys) == 50
    assert throttle.failures("addr:10.0.0.1") == 500  # the busy key is kept


@pytest.mark.parametrize("bad", [{"free_failures": 0}, {"base_s": 0}, {"forget_s": 0}])
def test_a_back_off_that_makes_no_sense_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**bad)  # type: ignore[arg-type]
