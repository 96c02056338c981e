"""The lease side of the queue: claim a job, keep it, finish it, give it back, reap it.

A claim stamps the row with a fresh random ``lease_token``. Every later write carries that
token in its WHERE clause, so a worker whose lease expired and was handed to another worker
cannot commit anything (fencing): at most one success per job. Every status change appends
a ``job_events`` row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, select, update
from sqlalchemy.orm import Session

from aiprod.jobs.errors import LeaseLost
from aiprod.jobs.events import record_event
from aiprod.jobs.models import Job, utcnow
from aiprod.jobs.policy import (
    ACTIVE,
    BACKOFF_BASE_S,
    JobKind,
    JobStatus,
    backoff_delay,
    check_transition,
    new_lease_token,
    should_retry,
)

DEFAULT_LEASE_S = 60.0
ACTIVE_VALUES = sorted(s.value for s in ACTIVE)


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one job, valid while ``lease_token`` still matches the row."""

    job_id: str
    worker_id: str
    lease_token: str
    attempt: int
    kind: str
    status: str
    request: dict[str, Any]
    preset: str | None
    lease_seconds: float


def _session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def claim_next_job(
    engine: Engine,
    *,
    worker_id: str,
    lease_seconds: float = DEFAULT_LEASE_S,
    now: datetime | None = None,
) -> Claim | None:
    """Claim the oldest runnable queued job, or return None when there is none.

    PostgreSQL picks the row with ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite's engine
    opens every transaction with ``BEGIN IMMEDIATE``, so the same ``UPDATE … RETURNING``
    runs under the database write lock. The claim uses up one attempt.
    """
    now = now or utcnow()
    token = new_lease_token()
    values = {
        "attempts": Job.attempts + 1,
        "lease_token": token,
        "lease_owner": worker_id,
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
        "updated_at": now,
    }
    statement = _claim_statement(now, values)
    with _session(engine) as session, session.begin():
        row = session.execute(statement).one_or_none()
        if row is None:
            return None
        record_event(
            session,
            job_id=row.id,
            from_status="queued",
            to_status=row.status,
            reason="claimed",
            attempt=row.attempts,
            detail={"worker_id": worker_id},
        )
    return Claim(
        job_id=row.id,
        worker_id=worker_id,
        lease_token=token,
        attempt=row.attempts,
        kind=row.kind,
        status=row.status,
        request=row.request,
        preset=row.preset,
        lease_seconds=lease_seconds,
    )


def _claim_statement(now: datetime, values: dict[str, Any]) -> Any:
    """``UPDATE jobs … WHERE id = (oldest runnable, FOR UPDATE SKIP LOCKED) RETURNING …``."""
    pick = (
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED.value, Job.run_after <= now)
        .order_by(Job.created_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # SQLite renders nothing: BEGIN IMMEDIATE locks
        .scalar_subquery()
    )
    first_status = case(
        (Job.kind == JobKind.SPEC.value, JobStatus.RENDERING.value),
        else_=JobStatus.PLANNING.value,
    )
    return (
        update(Job)
        .where(Job.id == pick, Job.status == JobStatus.QUEUED.value)
        .values(status=first_status, **values)
        .returning(Job.id, Job.attempts, Job.kind, Job.status, Job.request, Job.preset)
        .execution_options(synchronize_session=False)
    )


def heartbeat(engine: Engine, claim: Claim, *, now: datetime | None = None) -> bool:
    """Extend the lease by ``claim.lease_seconds``; False means the lease was lost."""
    now = now or utcnow()
    statement = (
        update(Job)
        .where(*_fence(claim))
        .values(lease_expires_at=now + timedelta(seconds=claim.lease_seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    with _session(engine) as session, session.begin():
        return _rowcount(session.execute(statement)) == 1


def report_progress(engine: Engine, claim: Claim, *, stage: str, progress: float) -> bool:
    """Record the current stage and progress (0–1); False means the lease was lost."""
    statement = (
        update(Job)
        .where(*_fence(claim))
        .values(stage=stage, progress=max(0.0, min(1.0, progress)), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    with _session(engine) as session, session.begin():
        return _rowcount(session.execute(statement)) == 1


def complete(
    engine: Engine,
    claim: Claim,
    *,
    status: str = JobStatus.SUCCEEDED.value,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Finish the claimed work: ``succeeded``, ``canceled`` or ``awaiting_review``.

    The lease ends with it. Raises :class:`LeaseLost` if another worker owns the job now.
    """
    if JobStatus(status) not in (
        JobStatus.SUCCEEDED,
        JobStatus.CANCELED,
        JobStatus.AWAITING_REVIEW,
    ):
        raise ValueError(f"complete() cannot set status {status!r}; use fail() or release()")
    values: dict[str, Any] = {"status": status}
    if status == JobStatus.SUCCEEDED:
        values["progress"] = 1.0
    _fenced_transition(engine, claim, values=values, reason=reason or status, detail=detail)


def fail(
    engine: Engine,
    claim: Claim,
    *,
    error: dict[str, Any],
    retryable: bool,
    now: datetime | None = None,
    backoff_base_s: float = BACKOFF_BASE_S,
) -> str:
    """Record a failed attempt and return the job's new status.

    Retryable failures go back to ``queued`` with exponential backoff while attempts
    remain, then ``dead``; other failures are ``failed`` at once. ``error`` (stage, code,
    message) is kept as the job's last error. Raises :class:`LeaseLost` on a lost lease.
    ``backoff_base_s`` scales the retry backoff (small values in tests).
    """
    now = now or utcnow()
    with _session(engine) as session, session.begin():
        job = _locked_job(session, claim)
        if should_retry(job.attempts, job.max_attempts, retryable=retryable):
            values = {
                "status": JobStatus.QUEUED.value,
                "run_after": now + backoff_delay(job.attempts, base_s=backoff_base_s),
            }
        elif retryable:
            values = {"status": JobStatus.DEAD.value}
        else:
            values = {"status": JobStatus.FAILED.value}
        _write_transition(
            session,
            claim,
            job,
            values={**values, "error": error},
            reason="failed",
            detail={"error": error, "retryable": retryable},
        )
        return str(values["status"])


def release(engine: Engine, claim: Claim) -> None:
    """Give the job back unfinished (SIGTERM drain) without using up an attempt."""
    with _session(engine) as session, session.begin():
        job = _locked_job(session, claim)
        # run_after stays: it was already due when the job was claimed.
        values = {"status": JobStatus.QUEUED.value, "attempts": job.attempts - 1}
        _write_transition(session, claim, job, values=values, reason="released", detail=None)


def _fenced_transition(
    engine: Engine,
    claim: Claim,
    *,
    values: dict[str, Any],
    reason: str,
    detail: dict[str, Any] | None,
) -> None:
    with _session(engine) as session, session.begin():
        job = _locked_job(session, claim)
        _write_transition(session, claim, job, values=values, reason=reason, detail=detail)


def _fence(claim: Claim) -> tuple[Any, ...]:
    return (
        Job.id == claim.job_id,
        Job.lease_token == claim.lease_token,
        Job.status.in_(ACTIVE_VALUES),
    )


def _locked_job(session: Session, claim: Claim) -> Job:
    query = select(Job).where(*_fence(claim)).with_for_update()
    job = session.execute(query).scalar_one_or_none()
    if job is None:
        raise LeaseLost(claim.job_id)
    return job


def _write_transition(
    session: Session,
    claim: Claim,
    job: Job,
    *,
    values: dict[str, Any],
    reason: str,
    detail: dict[str, Any] | None,
) -> None:
    """Leave the active state: drop the lease, fenced by the token, and log the event."""
    from_status, to_status = job.status, str(values["status"])
    check_transition(from_status, to_status)
    statement = (
        update(Job)
        .where(*_fence(claim))
        .values(
            lease_token=None, lease_owner=None, lease_expires_at=None, updated_at=utcnow(), **values
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(session.execute(statement)) != 1:
        raise LeaseLost(claim.job_id)
    attempts = int(values.get("attempts", job.attempts))
    record_event(
        session,
        job_id=claim.job_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        attempt=attempts,
        detail=detail,
    )


def _rowcount(result: Any) -> int:
    return int(result.rowcount)
