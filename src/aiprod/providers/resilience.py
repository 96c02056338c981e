"""Retries with backoff (honouring ``Retry-After``), a circuit breaker, and a budget.

Shared by every provider that calls a network service. Time and sleep are injectable, so
the tests drive them without waiting.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` more attempts after the first, ``base_s * 2**n`` (with jitter) apart,
    never longer than ``max_wait_s``; a ``Retry-After`` longer than that gives up at once."""

    retries: int = 2
    base_s: float = 0.5
    max_wait_s: float = 20.0
    jitter: float = 0.25

    def wait(self, attempt: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` (0-based), None to give up."""
        if attempt >= self.retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait_s else None
        backoff = self.base_s * float(2**attempt)
        backoff *= 1 + self.jitter * rng.random()
        return min(backoff, self.max_wait_s)


class CircuitOpen(Exception):
    """The breaker refuses calls for now."""


@dataclass
class CircuitBreaker:
    """Closed -> open after ``threshold`` consecutive failures; after ``cooldown_s`` one
    trial call is let through (half-open): success closes it, failure opens it again."""

    threshold: int = 3
    cooldown_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _trial: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown_s:
            return "half-open"
        return "open"

    def before(self) -> None:
        """Raise CircuitOpen unless a call may go ahead now."""
        with self._lock:
            state = self.state
            if state == "open" or (state == "half-open" and self._trial):
                raise CircuitOpen(f"open after {self.failures} consecutive failures")
            if state == "half-open":
                self._trial = True

    def success(self) -> None:
        with self._lock:
            self.failures, self.opened_at, self._trial = 0, None, False

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            self._trial = False
            if self.failures >= self.threshold or self.opened_at is not None:
                self.opened_at = self.clock()


_BREAKERS: dict[str, CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(key: str, *, threshold: int, cooldown_s: float) -> CircuitBreaker:
    """The process-wide breaker of one endpoint (shared by every job of this process)."""
    with _BREAKERS_LOCK:
        if key not in _BREAKERS:
            _BREAKERS[key] = CircuitBreaker(threshold=threshold, cooldown_s=cooldown_s)
        return _BREAKERS[key]


def reset_breakers() -> None:
    with _BREAKERS_LOCK:
        _BREAKERS.clear()


class BudgetExhausted(Exception):
    """A paid call would take the job over its provider budget."""


@dataclass
class Budget:
    """What one job may spend on paid provider calls (None: no limit)."""

    limit: float | None
    spent: float = 0.0

    def check(self, estimate: float) -> None:
        """Before a paid call: raise BudgetExhausted if ``estimate`` does not fit."""
        if self.limit is not None and estimate > 0 and self.spent + estimate > self.limit + 1e-12:
            raise BudgetExhausted(
                f"estimate {estimate:.4f} + spent {self.spent:.4f} > budget {self.limit:.4f}"
            )

    def charge(self, amount: float) -> None:
        self.spent += max(0.0, amount)
