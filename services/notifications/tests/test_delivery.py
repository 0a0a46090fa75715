"""The retry schedule and the circuit breaker, on a clock the test moves."""

from __future__ import annotations

from clearway_notifications.delivery import CircuitBreaker, RetrySchedule


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_retry_waits_twice_as_long_up_to_the_cap():
    schedule = RetrySchedule(first_delay_s=30, max_delay_s=300, give_up_s=3600)
    assert [schedule.delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_the_breaker_opens_after_failures_in_a_row_and_a_success_between_resets_the_count():
    clock = Clock()
    breaker = CircuitBreaker(failures_to_open=3, cooldown_s=10, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failed()
    breaker.succeeded()
    for _ in range(2):
        breaker.failed()
    assert breaker.allow() and not breaker.is_open
    breaker.failed()
    assert breaker.is_open and not breaker.allow()
    assert breaker.seconds_until_trial() == 10


def test_after_the_cooldown_one_trial_goes_through_and_its_outcome_decides():
    clock = Clock()
    breaker = CircuitBreaker(failures_to_open=1, cooldown_s=10, clock=clock)
    breaker.failed()
    clock.now += 9.5
    assert not breaker.allow()
    clock.now += 0.5
    assert breaker.allow(), "no trial after the cooldown"
    assert not breaker.allow(), "a second try while the trial is under way"
    assert 0 < breaker.seconds_until_trial() <= 1
    breaker.failed()  # the trial failed: open for another cooldown
    assert not breaker.allow() and breaker.seconds_until_trial() == 10
    clock.now += 10
    assert breaker.allow()
    breaker.succeeded()
    assert not breaker.is_open and breaker.allow() and breaker.allow()
    assert breaker.seconds_until_trial() == 0
