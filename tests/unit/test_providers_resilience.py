"""Retries (backoff, Retry-After), the circuit breaker, the budget."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from aiprod.providers.resilience import (
    Budget,
    BudgetExhausted,
    CircuitBreaker,
    CircuitOpen,
    RetryPolicy,
    retry_after_seconds,
)


def test_retry_after_seconds_and_http_dates() -> None:
    now = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(" 0.5 ") == 0.5
    assert retry_after_seconds("-4") == 0.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now=now) == pytest.approx(90)
    past = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(past, now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_grows_is_capped_and_stops_after_the_retries() -> None:
    policy = RetryPolicy(retries=4, base_s=1.0, max_wait_s=5.0, jitter=0.0)
    rng = random.Random(1)
    assert [policy.wait(a, None, rng) for a in range(5)] == [1.0, 2.0, 4.0, 5.0, None]


def test_jitter_stays_within_its_share() -> None:
    policy = RetryPolicy(retries=1, base_s=2.0, jitter=0.25)
    rng = random.Random(7)
    waits = [policy.wait(0, None, rng) for _ in range(200)]
    assert all(w is not None and 2.0 <= w <= 2.5 for w in waits)
    assert len(set(waits)) > 100


def test_retry_after_wins_over_backoff_unless_too_long() -> None:
    policy = RetryPolicy(retries=3, base_s=1.0, max_wait_s=20.0)
    rng = random.Random(0)
    assert policy.wait(0, 7.0, rng) == 7.0
    assert policy.wait(0, 21.0, rng) is None  # give up now: the next provider is better
    assert policy.wait(3, 1.0, rng) is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_the_threshold_and_half_opens_after_the_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=30, clock=clock)
    for _ in range(2):
        breaker.before()
        breaker.failure()
    assert breaker.state == "closed"
    breaker.before()
    breaker.failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen):
        breaker.before()
    clock.now += 29.9
    with pytest.raises(CircuitOpen):
        breaker.before()
    clock.now += 0.2
    assert breaker.state == "half-open"
    breaker.before()  # one trial call
    with pytest.raises(CircuitOpen):
        breaker.before()  # and only one
    breaker.failure()  # the trial failed: open again for a full cooldown
    assert breaker.state == "open"
    clock.now += 30
    breaker.before()
    breaker.success()
    assert breaker.state == "closed" and breaker.failures == 0
    breaker.before()


def test_success_resets_the_consecutive_count() -> None:
    breaker = CircuitBreaker(threshold=2, clock=Clock())
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state == "closed"


def test_budget_refuses_what_does_not_fit() -> None:
    budget = Budget(limit=1.0)
    budget.check(0.6)
    budget.charge(0.6)
    budget.check(0.4)
    with pytest.raises(BudgetExhausted, match=r"budget 1\.0000"):
        budget.check(0.41)
    Budget(limit=None).check(1e9)
    Budget(limit=0.0).check(0.0)  # free calls always fit
    with pytest.raises(BudgetExhausted):
        Budget(limit=0.0).check(0.0001)
