"""The circuit breaker's states, on a clock the test moves."""

from __future__ import annotations

from gateway.breaker import PASS, REFUSED, TRIAL, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def opened(clock: Clock, threshold: int = 3) -> CircuitBreaker:
    breaker = CircuitBreaker(threshold, 5.0, clock)
    for _ in range(threshold):
        assert breaker.allow() == PASS
        breaker.failed()
    return breaker


def test_consecutive_failures_open_the_circuit_and_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(3, 5.0, Clock())
    for _ in range(2):
        breaker.failed()
    breaker.succeeded()
    breaker.failed()
    breaker.failed()
    assert breaker.state == "closed" and breaker.allow() == PASS
    breaker.failed()
    assert breaker.state == "open" and breaker.allow() == REFUSED


def test_an_open_circuit_says_when_to_come_back() -> None:
    clock = Clock()
    breaker = opened(clock)
    assert breaker.retry_after() == 5
    clock.now += 3.5
    assert breaker.retry_after() == 2
    assert breaker.allow() == REFUSED


def test_half_open_lets_exactly_one_trial_through() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 5.0
    assert breaker.state == "half-open"
    assert breaker.allow() == TRIAL
    assert breaker.allow() == REFUSED  # while the trial is under way


def test_a_successful_trial_closes_the_circuit() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 5.0
    assert breaker.allow() == TRIAL
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.allow() == PASS


def test_a_failed_trial_opens_the_circuit_again_for_the_whole_pause() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 5.0
    assert breaker.allow() == TRIAL
    breaker.failed()
    assert breaker.state == "open" and breaker.retry_after() == 5
    clock.now += 4.9
    assert breaker.allow() == REFUSED


def test_an_abandoned_trial_gives_its_slot_to_the_next_request() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 5.0
    assert breaker.allow() == TRIAL
    breaker.abandoned(PASS)  # a request from before the circuit opened: no effect
    assert breaker.allow() == REFUSED
    breaker.abandoned(TRIAL)
    assert breaker.allow() == TRIAL
