"""The pure rules of the job queue: transitions, backoff, ids."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from aiprod.jobs.errors import InvalidTransition
from aiprod.jobs.policy import (
    ACTIVE,
    MAX_ATTEMPTS,
    TERMINAL,
    TRANSITIONS,
    JobStatus,
    backoff_delay,
    can_transition,
    check_transition,
    first_active_status,
    new_job_id,
    new_lease_token,
    should_retry,
)


def test_backoff_ceiling_doubles_from_five_seconds_with_equal_jitter() -> None:
    for attempt, ceiling in zip(range(1, 6), [5, 10, 20, 40, 80], strict=True):
        delays = {backoff_delay(attempt).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, not fixed


def test_backoff_is_repeatable_with_a_seeded_rng() -> None:
    first = [backoff_delay(n, rng=random.Random(7)) for n in range(1, 6)]
    again = [backoff_delay(n, rng=random.Random(7)) for n in range(1, 6)]
    assert first == again
    expected = 5 / 2 + random.Random(7).uniform(0.0, 5 / 2)
    assert first[0] == timedelta(seconds=expected)


def test_backoff_is_capped() -> None:
    rng = random.Random(1)
    assert timedelta(seconds=300) <= backoff_delay(30, rng=rng) <= timedelta(seconds=600)
    assert backoff_delay(3, base_s=1, cap_s=3, rng=rng) <= timedelta(seconds=3)


def test_backoff_refuses_attempt_zero() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        backoff_delay(0)


def test_retry_only_while_attempts_remain_and_error_is_retryable() -> None:
    assert should_retry(1, MAX_ATTEMPTS, retryable=True)
    assert should_retry(4, 5, retryable=True)
    assert not should_retry(5, 5, retryable=True)
    assert not should_retry(1, 5, retryable=False)


def test_every_status_has_a_transition_row() -> None:
    assert set(TRANSITIONS) == set(JobStatus)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        ("queued", "planning"),
        ("queued", "rendering"),
        ("planning", "awaiting_review"),
        ("planning", "rendering"),
        ("rendering", "succeeded"),
        ("rendering", "queued"),
        ("rendering", "dead"),
        ("awaiting_review", "queued"),
        ("dead", "queued"),
    ],
)
def test_allowed_transitions(from_status: str, to_status: str) -> None:
    assert can_transition(from_status, to_status)
    check_transition(from_status, to_status)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        ("queued", "succeeded"),
        ("succeeded", "queued"),
        ("canceled", "queued"),
        ("rendering", "planning"),
        ("awaiting_review", "succeeded"),
    ],
)
def test_forbidden_transitions(from_status: str, to_status: str) -> None:
    assert not can_transition(from_status, to_status)
    with pytest.raises(InvalidTransition, match=f"from {from_status} to {to_status}"):
        check_transition(from_status, to_status)


def test_terminal_statuses_except_failures_are_final() -> None:
    assert not TRANSITIONS[JobStatus.SUCCEEDED]
    assert not TRANSITIONS[JobStatus.CANCELED]
    assert ACTIVE.isdisjoint(TERMINAL)


def test_specs_skip_planning() -> None:
    assert first_active_status("spec") is JobStatus.RENDERING
    assert first_active_status("brief") is JobStatus.PLANNING
    assert first_active_status("brief", planned=True) is JobStatus.RENDERING


def test_job_ids_are_unique_and_sort_by_creation_time() -> None:
    ids = [new_job_id() for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(len(i) == 32 for i in ids)
    assert [i[:12] for i in ids] == sorted(i[:12] for i in ids)
    assert new_lease_token() != new_lease_token()
