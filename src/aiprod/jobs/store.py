"""Keyword-only services on the job table: submit, cancel, read. No web framework here.

The lease side of the queue (claim, heartbeat, complete, fail, release, reap) lives in
:mod:`aiprod.jobs.leases` and is re-exported here, so callers import one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiprod.jobs.events import record_event
from aiprod.jobs.leases import (
    Claim,
    claim_next_job,
    complete,
    fail,
    heartbeat,
    release,
    report_progress,
)
from aiprod.jobs.models import Job, JobEvent, utcnow
from aiprod.jobs.policy import ACTIVE, JobKind, JobStatus
from aiprod.jobs.reaper import reap_expired

__all__ = [
    "Claim",
    "JobError",
    "claim_next_job",
    "complete",
    "create_job",
    "fail",
    "heartbeat",
    "is_cancel_requested",
    "job_events",
    "reap_expired",
    "release",
    "report_progress",
    "request_cancel",
]


@dataclass(frozen=True)
class JobError:
    """The error stored on a failed job: at which stage, a stable code, a human message."""

    stage: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in ``jobs.error``."""
        return {"stage": self.stage, "code": self.code, "message": self.message}


def create_job(
    session: Session,
    *,
    owner: str,
    kind: str,
    request: dict[str, Any],
    preset: str | None,
    idempotency_key: str | None = None,
) -> Job:
    """Add a queued job and flush it; the caller commits.

    With an ``idempotency_key``, the same owner and key return the existing job; two
    concurrent submissions still make one row, thanks to the unique constraint.
    """
    JobKind(kind)  # refuse unknown kinds before touching the database
    if idempotency_key is not None:
        existing = _find_by_key(session, owner=owner, idempotency_key=idempotency_key)
        if existing is not None:
            return existing
    job = Job(
        owner=owner, kind=kind, request=request, preset=preset, idempotency_key=idempotency_key
    )
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
            record_event(
                session,
                job_id=job.id,
                from_status=None,
                to_status="queued",
                reason="created",
                attempt=0,
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        existing = _find_by_key(session, owner=owner, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return existing
    return job


def _find_by_key(session: Session, *, owner: str, idempotency_key: str) -> Job | None:
    query = select(Job).where(Job.owner == owner, Job.idempotency_key == idempotency_key)
    return session.execute(query).scalar_one_or_none()


def request_cancel(session: Session, *, job_id: str, owner: str | None = None) -> bool:
    """Ask for a job to stop; the caller commits. False when the job is gone or finished.

    A queued or awaiting-review job is canceled at once; a running one gets its
    ``cancel_requested`` flag, which its worker sees at its next heartbeat.
    """
    query = select(Job).where(Job.id == job_id).with_for_update()
    if owner is not None:
        query = query.where(Job.owner == owner)
    job = session.execute(query).scalar_one_or_none()
    if job is None or job.status in {"succeeded", "failed", "dead", "canceled"}:
        return False
    if job.status in ACTIVE:
        _flag_cancel(session, job_id)
        return True
    now = utcnow()
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == job.status)
        .values(status=JobStatus.CANCELED.value, cancel_requested=True, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    record_event(
        session,
        job_id=job_id,
        from_status=job.status,
        to_status="canceled",
        reason="canceled",
        attempt=job.attempts,
    )
    return True


def _flag_cancel(session: Session, job_id: str) -> None:
    statement = update(Job).where(Job.id == job_id).values(cancel_requested=True)
    session.execute(statement.execution_options(synchronize_session="fetch"))


def is_cancel_requested(engine: Engine, claim: Claim) -> bool:
    """True when someone asked the claimed job to stop (checked by workers per heartbeat)."""
    with Session(engine) as session, session.begin():
        query = select(Job.cancel_requested).where(Job.id == claim.job_id)
        return bool(session.execute(query).scalar_one_or_none())


def job_events(session: Session, *, job_id: str) -> list[JobEvent]:
    """The history of a job, oldest first."""
    query = select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id)
    return list(session.execute(query).scalars())
