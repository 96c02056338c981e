"""Pure rules of the job queue: statuses, allowed transitions, retry backoff.

No database here, so the rules are unit-tested on their own and shared by every store.
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import timedelta
from enum import StrEnum

from aiprod.jobs.errors import InvalidTransition

MAX_ATTEMPTS = 5
BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 600.0


class JobStatus(StrEnum):
    """Where a job is in its life. A worker holds a lease only in the ``ACTIVE`` ones."""

    QUEUED = "queued"
    PLANNING = "planning"
    AWAITING_REVIEW = "awaiting_review"
    RENDERING = "rendering"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"
    CANCELED = "canceled"


class JobKind(StrEnum):
    """A brief is planned (then rendered); a spec goes straight to rendering."""

    BRIEF = "brief"
    SPEC = "spec"


S = JobStatus
ACTIVE = frozenset({S.PLANNING, S.RENDERING})
TERMINAL = frozenset({S.SUCCEEDED, S.FAILED, S.DEAD, S.CANCELED})

# queued is reached again by retry, release, reap, review approval and replay of dead/failed.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    S.QUEUED: frozenset({S.PLANNING, S.RENDERING, S.CANCELED}),
    S.PLANNING: frozenset(
        {S.AWAITING_REVIEW, S.RENDERING, S.SUCCEEDED, S.QUEUED, S.FAILED, S.DEAD, S.CANCELED}
    ),
    S.AWAITING_REVIEW: frozenset({S.QUEUED, S.CANCELED}),
    S.RENDERING: frozenset({S.SUCCEEDED, S.QUEUED, S.FAILED, S.DEAD, S.CANCELED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset({S.QUEUED}),
    S.DEAD: frozenset({S.QUEUED}),
    S.CANCELED: frozenset(),
}


def can_transition(from_status: str, to_status: str) -> bool:
    """True when the state machine allows ``from_status`` → ``to_status``."""
    return JobStatus(to_status) in TRANSITIONS[JobStatus(from_status)]


def check_transition(from_status: str, to_status: str) -> None:
    """Raise :class:`InvalidTransition` unless ``from_status`` → ``to_status`` is allowed."""
    if not can_transition(from_status, to_status):
        raise InvalidTransition(from_status, to_status)


def first_active_status(kind: str, *, planned: bool = False) -> JobStatus:
    """The status a freshly claimed job enters: specs and already planned briefs render."""
    if planned or JobKind(kind) is JobKind.SPEC:
        return S.RENDERING
    return S.PLANNING


_JITTER = random.Random()


def backoff_delay(
    attempt: int,
    *,
    base_s: float = BACKOFF_BASE_S,
    cap_s: float = BACKOFF_CAP_S,
    rng: random.Random | None = None,
) -> timedelta:
    """Wait after failed attempt number ``attempt`` (1-based), with "equal jitter".

    The ceiling is ``base·2^(n-1)``, capped at ``cap_s``; half of it is fixed and half is
    drawn at random, so jobs that failed together (a provider outage) do not all come back
    in the same instant. Pass a seeded ``rng`` for repeatable delays.
    """
    if attempt < 1:
        raise ValueError(f"attempt numbers start at 1, got {attempt}")
    ceiling = min(cap_s, base_s * 2 ** (attempt - 1))
    half = ceiling / 2
    return timedelta(seconds=half + (rng or _JITTER).uniform(0.0, half))


def should_retry(attempts: int, max_attempts: int, *, retryable: bool) -> bool:
    """A retryable failure is retried while attempts remain; anything else stops the job."""
    return retryable and attempts < max_attempts


def new_job_id() -> str:
    """A 32-hex-digit id that sorts by creation time (48-bit ms clock, 80 random bits)."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.randbits(80):020x}"


def new_lease_token() -> str:
    """A fresh unguessable lease token."""
    return secrets.token_hex(16)
