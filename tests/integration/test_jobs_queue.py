"""The job queue on SQLite and PostgreSQL: submit, claim, fence, retry, release, reap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aiprod.db.base import utcnow
from aiprod.db.engine import make_session_factory
from aiprod.jobs.errors import LeaseLost
from aiprod.jobs.models import Job
from aiprod.jobs.store import (
    claim_next_job,
    complete,
    create_job,
    fail,
    heartbeat,
    is_cancel_requested,
    job_events,
    reap_expired,
    release,
    report_progress,
    request_cancel,
)

ERROR = {"stage": "render", "code": "provider_unavailable", "message": "tts down"}


def submit(
    engine: Engine, *, kind: str = "spec", key: str | None = None, owner: str = "ana"
) -> str:
    with make_session_factory(engine)() as session:
        job = create_job(
            session,
            owner=owner,
            kind=kind,
            request={"brief": "hi"},
            preset="vertical",
            idempotency_key=key,
        )
        session.commit()
        return job.id


def load(engine: Engine, job_id: str) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def history(engine: Engine, job_id: str) -> list[tuple[str | None, str, str]]:
    with Session(engine) as session:
        events = job_events(session, job_id=job_id)
        return [(e.from_status, e.to_status, e.reason) for e in events]


def test_create_job_is_queued_and_committed(jobs_engine: Engine) -> None:
    job = load(jobs_engine, submit(jobs_engine))
    assert (job.status, job.attempts, job.max_attempts, job.progress) == ("queued", 0, 5, 0.0)
    assert job.created_at.tzinfo is not None and job.run_after <= utcnow()
    assert history(jobs_engine, job.id) == [(None, "queued", "created")]


def test_same_owner_and_key_return_the_existing_job(jobs_engine: Engine) -> None:
    first = submit(jobs_engine, key="k-1")
    assert submit(jobs_engine, key="k-1") == first
    assert submit(jobs_engine, key="k-1", owner="bob") != first
    assert submit(jobs_engine, key="k-2") != first
    with Session(jobs_engine) as session:
        assert len(session.scalars(select(Job)).all()) == 3


def test_concurrent_submissions_with_one_key_make_one_row(
    make_jobs_engine: Callable[[], Engine],
) -> None:
    engines = [make_jobs_engine() for _ in range(4)]
    barrier = threading.Barrier(len(engines))

    def submit_after_barrier(engine: Engine) -> str:
        barrier.wait()
        return submit(engine, key="same")

    with ThreadPoolExecutor(len(engines)) as pool:
        ids = set(pool.map(submit_after_barrier, engines))
    assert len(ids) == 1
    with Session(engines[0]) as session:
        assert len(session.scalars(select(Job)).all()) == 1


def test_claims_oldest_runnable_first_and_respects_run_after(jobs_engine: Engine) -> None:
    first, second, third = (submit(jobs_engine, kind=k) for k in ("brief", "spec", "spec"))
    with Session(jobs_engine) as session, session.begin():
        session.get_one(Job, first).run_after = utcnow() + timedelta(minutes=5)

    claim = claim_next_job(jobs_engine, worker_id="w1", lease_seconds=30)
    assert claim is not None and claim.job_id == second
    assert (claim.status, claim.attempt, claim.request) == ("rendering", 1, {"brief": "hi"})
    assert claim_next_job(jobs_engine, worker_id="w1", lease_seconds=30).job_id == third  # type: ignore[union-attr]
    assert claim_next_job(jobs_engine, worker_id="w1", lease_seconds=30) is None

    later = claim_next_job(jobs_engine, worker_id="w1", now=utcnow() + timedelta(minutes=6))
    assert later is not None and later.job_id == first and later.status == "planning"


def test_concurrent_claimers_never_share_a_job(make_jobs_engine: Callable[[], Engine]) -> None:
    setup = make_jobs_engine()
    submitted = {submit(setup) for _ in range(50)}
    engines = [make_jobs_engine() for _ in range(4)]
    barrier = threading.Barrier(len(engines))

    def drain(engine: Engine) -> list[str]:
        barrier.wait()
        claimed = []
        while claim := claim_next_job(engine, worker_id=str(id(engine)), lease_seconds=60):
            claimed.append(claim.job_id)
        return claimed

    with ThreadPoolExecutor(len(engines)) as pool:
        per_worker = list(pool.map(drain, engines))
    every_claim = [job_id for claimed in per_worker for job_id in claimed]
    assert len(every_claim) == len(set(every_claim)) == 50
    assert set(every_claim) == submitted


def test_fencing_after_reap_only_the_new_holder_can_finish(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine)
    claim_a = claim_next_job(jobs_engine, worker_id="a", lease_seconds=10)
    assert claim_a is not None
    later = utcnow() + timedelta(seconds=11)
    assert reap_expired(jobs_engine, now=later) == 1
    claim_b = claim_next_job(jobs_engine, worker_id="b", lease_seconds=10, now=later)
    assert claim_b is not None and claim_b.job_id == job_id and claim_b.attempt == 2

    assert not heartbeat(jobs_engine, claim_a)
    assert not report_progress(jobs_engine, claim_a, stage="mix", progress=0.5)
    with pytest.raises(LeaseLost):
        complete(jobs_engine, claim_a)
    with pytest.raises(LeaseLost):
        fail(jobs_engine, claim_a, error=ERROR, retryable=True)
    with pytest.raises(LeaseLost):
        release(jobs_engine, claim_a)
    complete(jobs_engine, claim_b)
    with pytest.raises(LeaseLost):
        complete(jobs_engine, claim_b)

    job = load(jobs_engine, job_id)
    assert (job.status, job.attempts, job.lease_token, job.progress) == ("succeeded", 2, None, 1.0)
    successes = [h for h in history(jobs_engine, job_id) if h[1] == "succeeded"]
    assert len(successes) == 1


def test_retryable_failures_back_off_then_dead_after_five_attempts(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine)
    now = utcnow()
    statuses = []
    for attempt in range(1, 6):
        claim = claim_next_job(jobs_engine, worker_id="w", now=now)
        assert claim is not None and claim.attempt == attempt
        error = {**ERROR, "message": f"tts down #{attempt}"}
        statuses.append(fail(jobs_engine, claim, error=error, retryable=True, now=now))
        assert claim_next_job(jobs_engine, worker_id="w", now=now) is None  # backing off
        now = load(jobs_engine, job_id).run_after
    assert statuses == ["queued"] * 4 + ["dead"]
    job = load(jobs_engine, job_id)
    assert (job.status, job.attempts) == ("dead", 5)
    assert job.error == {**ERROR, "message": "tts down #5"}
    assert claim_next_job(jobs_engine, worker_id="w", now=now + timedelta(days=1)) is None


def test_backoff_sets_run_after(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine)
    now = utcnow()
    claim = claim_next_job(jobs_engine, worker_id="w", now=now)
    assert claim is not None
    fail(jobs_engine, claim, error=ERROR, retryable=True, now=now)
    run_after = load(jobs_engine, job_id).run_after  # equal jitter: between 2.5 and 5 s
    assert now + timedelta(seconds=2.5) <= run_after <= now + timedelta(seconds=5)


def test_non_retryable_failure_fails_at_once(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine)
    claim = claim_next_job(jobs_engine, worker_id="w")
    assert claim is not None
    assert fail(jobs_engine, claim, error=ERROR, retryable=False) == "failed"
    job = load(jobs_engine, job_id)
    assert (job.status, job.attempts, job.error) == ("failed", 1, ERROR)


def test_release_does_not_use_up_an_attempt(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine)
    for _ in range(7):  # more releases than max_attempts
        claim = claim_next_job(jobs_engine, worker_id="w")
        assert claim is not None and claim.attempt == 1
        release(jobs_engine, claim)
    job = load(jobs_engine, job_id)
    assert (job.status, job.attempts, job.lease_token) == ("queued", 0, None)


def test_heartbeat_extends_the_lease(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine)
    claim = claim_next_job(jobs_engine, worker_id="w", lease_seconds=10)
    assert claim is not None
    first_expiry = load(jobs_engine, job_id).lease_expires_at
    assert first_expiry is not None
    assert heartbeat(jobs_engine, claim, now=utcnow() + timedelta(seconds=8))
    extended = load(jobs_engine, job_id).lease_expires_at
    assert extended is not None and extended > first_expiry + timedelta(seconds=7)
    assert reap_expired(jobs_engine, now=first_expiry + timedelta(seconds=1)) == 0
    assert reap_expired(jobs_engine, now=extended + timedelta(seconds=1)) == 1


def test_cancel_flag_is_visible_to_the_worker(jobs_engine: Engine) -> None:
    running, queued = submit(jobs_engine), submit(jobs_engine)
    claim = claim_next_job(jobs_engine, worker_id="w")
    assert claim is not None and claim.job_id == running
    assert not is_cancel_requested(jobs_engine, claim)
    with make_session_factory(jobs_engine)() as session:
        assert request_cancel(session, job_id=running)
        assert request_cancel(session, job_id=queued)
        assert not request_cancel(session, job_id="no-such-job")
        session.commit()
    assert is_cancel_requested(jobs_engine, claim)
    assert load(jobs_engine, queued).status == "canceled"
    complete(jobs_engine, claim, status="canceled")
    assert load(jobs_engine, running).status == "canceled"
    with make_session_factory(jobs_engine)() as session:
        assert not request_cancel(session, job_id=running)


def test_reaping_the_fifth_attempt_makes_the_job_dead(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine)
    now = utcnow()
    for _ in range(5):
        assert claim_next_job(jobs_engine, worker_id="w", lease_seconds=1, now=now)
        now += timedelta(seconds=2)
        assert reap_expired(jobs_engine, now=now) == 1
    job = load(jobs_engine, job_id)
    assert (job.status, job.attempts) == ("dead", 5)
    assert job.error is not None and job.error["code"] == "lease_expired"


def test_every_transition_is_recorded(jobs_engine: Engine) -> None:
    job_id = submit(jobs_engine, kind="brief")
    now = utcnow()
    claim = claim_next_job(jobs_engine, worker_id="w", now=now)
    assert claim is not None
    release(jobs_engine, claim)
    claim = claim_next_job(jobs_engine, worker_id="w", now=now)
    assert claim is not None
    fail(jobs_engine, claim, error=ERROR, retryable=True, now=now)
    claim = claim_next_job(
        jobs_engine, worker_id="w", lease_seconds=1, now=now + timedelta(minutes=1)
    )
    assert claim is not None
    reap_expired(jobs_engine, now=now + timedelta(minutes=2))
    claim = claim_next_job(jobs_engine, worker_id="w", now=now + timedelta(minutes=2))
    assert claim is not None
    complete(jobs_engine, claim, status="awaiting_review")

    assert history(jobs_engine, job_id) == [
        (None, "queued", "created"),
        ("queued", "planning", "claimed"),
        ("planning", "queued", "released"),
        ("queued", "planning", "claimed"),
        ("planning", "queued", "failed"),
        ("queued", "planning", "claimed"),
        ("planning", "queued", "lease_expired"),
        ("queued", "planning", "claimed"),
        ("planning", "awaiting_review", "awaiting_review"),
    ]
    with Session(jobs_engine) as session:
        attempts = [e.attempt for e in job_events(session, job_id=job_id)]
    assert attempts == [0, 1, 0, 1, 1, 2, 2, 3, 3]
