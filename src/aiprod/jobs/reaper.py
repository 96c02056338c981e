"""The reaper: re-queues jobs whose worker stopped heartbeating (crash, hang, lost host)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from aiprod.db.base import utcnow
from aiprod.jobs.events import record_event
from aiprod.jobs.models import Job
from aiprod.jobs.policy import ACTIVE, JobStatus

ACTIVE_VALUES = sorted(s.value for s in ACTIVE)


def reap_expired(engine: Engine, now: datetime | None = None) -> int:
    """Take back every job whose lease expired before ``now``; return how many.

    The expired attempt counts: a job that has used ``max_attempts`` becomes ``dead`` with a
    ``lease_expired`` error, any other goes back to ``queued``, runnable at once. The update
    is fenced by the old token, so a heartbeat that lands first keeps the job with its worker.
    """
    now = now or utcnow()
    query = (
        select(Job)
        .where(Job.status.in_(ACTIVE_VALUES), Job.lease_expires_at < now)
        .order_by(Job.lease_expires_at)
        .with_for_update(skip_locked=True)
    )
    reaped = 0
    with Session(engine, expire_on_commit=False) as session, session.begin():
        for job in session.execute(query).scalars().all():
            reaped += _reap_one(session, job, now)
    return reaped


def _reap_one(session: Session, job: Job, now: datetime) -> int:
    error = {
        "stage": job.stage or job.status,
        "code": "lease_expired",
        "message": f"worker {job.lease_owner} stopped heartbeating during attempt {job.attempts}",
    }
    values: dict[str, Any]
    if job.attempts >= job.max_attempts:
        values = {"status": JobStatus.DEAD.value, "error": error, "finished_at": now}
    else:
        values = {"status": JobStatus.QUEUED.value, "run_after": now}
    statement = (
        update(Job)
        .where(Job.id == job.id, Job.lease_token == job.lease_token, Job.lease_expires_at < now)
        .values(lease_token=None, lease_owner=None, lease_expires_at=None, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if int(session.execute(statement).rowcount) != 1:  # type: ignore[attr-defined]
        return 0
    record_event(
        session,
        job_id=job.id,
        from_status=job.status,
        to_status=values["status"],
        reason="lease_expired",
        attempt=job.attempts,
        detail={"error": error},
    )
    return 1
