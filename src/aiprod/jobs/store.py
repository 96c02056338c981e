"""Keyword-only services on the job table: submit, cancel, review, retry, read.

No web framework here. The review and retry writes take a row the caller locked with
:func:`lock_job`, change it with a conditional UPDATE and append the history event in the
same transaction; the caller checks ownership and commits.

The lease side of the queue (claim, heartbeat, complete, fail, release, reap) lives in
:mod:`aiprod.jobs.leases` and is re-exported here, so callers import one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, null, or_, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from aiprod.auth.audit import record as audit_record
from aiprod.db.base import core_table, utcnow
from aiprod.db.engine import Executor
from aiprod.jobs.errors import InvalidTransition
from aiprod.jobs.events import record_event
from aiprod.jobs.leases import (
    Claim,
    claim_next_job,
    complete,
    fail,
    heartbeat,
    record_resume,
    release,
    report_progress,
    save_plan,
    write_plan_artifact,
)
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.pg_insert import CreationAudit, insert_job_with_history
from aiprod.jobs.policy import (
    ACTIVE,
    MAX_ATTEMPTS,
    TERMINAL,
    JobKind,
    JobStatus,
    check_transition,
    new_job_id,
)
from aiprod.jobs.reaper import reap_expired

__all__ = [
    "Claim",
    "JobError",
    "QueuePlace",
    "approve_plan",
    "claim_next_job",
    "complete",
    "create_job",
    "fail",
    "heartbeat",
    "is_cancel_requested",
    "job_events",
    "lock_job",
    "queue_place",
    "reap_expired",
    "record_resume",
    "release",
    "replace_plan",
    "report_progress",
    "request_cancel",
    "requeue_for_retry",
    "save_plan",
    "write_plan_artifact",
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
    review: bool = False,
    search_text: str | None = None,
    batch_id: str | None = None,
    cost_estimate: dict[str, Any] | None = None,
) -> Job:
    """Insert a queued job (see :func:`insert_job`) and return it, new or existing."""
    job, _ = insert_job(
        session, owner=owner, kind=kind, request=request, preset=preset,
        idempotency_key=idempotency_key, review=review, search_text=search_text,
        batch_id=batch_id, cost_estimate=cost_estimate,
    )  # fmt: skip
    return job


def insert_job(
    session: Session,
    *,
    owner: str,
    kind: str,
    request: dict[str, Any],
    preset: str | None,
    idempotency_key: str | None = None,
    review: bool = False,
    search_text: str | None = None,
    batch_id: str | None = None,
    cost_estimate: dict[str, Any] | None = None,
    audit: CreationAudit | None = None,
) -> tuple[Job, bool]:
    """Insert a queued job and its first history row; return it and whether it is new.

    With ``audit``, the ``job.created`` audit row (actor: the owner) is written too. On
    PostgreSQL all of it is one statement (:mod:`aiprod.jobs.pg_insert`).

    With an ``idempotency_key``, the same owner and key return the existing job: the insert
    is ``ON CONFLICT DO NOTHING`` on the unique (owner, key) constraint, so two concurrent
    submissions still make one row, without a savepoint. The insert is a single Core
    statement (this is the API's hot path); the returned job is attached to ``session``;
    the caller commits.
    """
    JobKind(kind)  # refuse unknown kinds before touching the database
    now = utcnow()
    values: dict[str, Any] = {
        "id": new_job_id(),
        "owner": owner,
        "kind": kind,
        "request": request,
        "preset": preset,
        "status": JobStatus.QUEUED.value,
        "stage": None,
        "progress": 0.0,
        "attempts": 0,
        "max_attempts": MAX_ATTEMPTS,
        "run_after": now,
        "cancel_requested": False,
        "idempotency_key": idempotency_key,
        "review": review,
        "plan_version": 0,
        "search_text": search_text.lower() if search_text else None,
        "batch_id": batch_id,
        "cost_estimate": cost_estimate,
        "created_at": now,
        "updated_at": now,
    }
    if session.get_bind().dialect.name == "postgresql":
        if not insert_job_with_history(session, values, audit=audit, now=now):
            return _existing(session, owner, idempotency_key), False
    else:
        if idempotency_key is None:
            session.execute(_INSERT_JOB, values)
        elif session.execute(_INSERT_UNLESS_KEY_EXISTS, values).first() is None:
            return _existing(session, owner, idempotency_key), False  # the key was used
        record_event(
            session, job_id=values["id"], from_status=None, to_status="queued",
            reason="created", attempt=0,
        )  # fmt: skip
        if audit is not None:
            audit_record(
                session, actor=owner, action="job.created", target=values["id"],
                detail=audit.detail, request_id=audit.request_id,
            )  # fmt: skip
    job = Job(**values)
    make_transient_to_detached(job)  # it is in the database: attach it without a SELECT
    session.add(job)
    return job, True


def _existing(session: Session, owner: str, idempotency_key: str | None) -> Job:
    """The job this owner created with ``idempotency_key`` (an idempotent replay)."""
    query = select(Job).where(Job.owner == owner, Job.idempotency_key == idempotency_key)
    existing = session.execute(query).scalar_one_or_none()
    if existing is None:  # pragma: no cover - the conflicting row cannot vanish
        raise LookupError(f"job with idempotency key {idempotency_key!r} vanished")
    return existing


_JOBS = core_table(Job)
_INSERT_JOB = insert(_JOBS)  # Core statements built once: job creation is the API's hot path
# SQLite: ``INSERT … ON CONFLICT (owner, idempotency_key) DO NOTHING RETURNING id``
_INSERT_UNLESS_KEY_EXISTS = (
    sqlite.insert(_JOBS)
    .on_conflict_do_nothing(index_elements=["owner", "idempotency_key"])
    .returning(_JOBS.c.id)
)


def request_cancel(session: Session, *, job_id: str, owner: str | None = None) -> bool:
    """Ask for a job to stop; the caller commits. False when the job is gone or finished.

    A queued or awaiting-review job is canceled at once; a running one gets its
    ``cancel_requested`` flag, which its worker sees at its next heartbeat.
    """
    query = select(Job).where(Job.id == job_id).with_for_update()
    if owner is not None:
        query = query.where(Job.owner == owner)
    job = session.execute(query).scalar_one_or_none()
    if job is None or job.status in TERMINAL:
        return False
    if job.status in ACTIVE:
        _flag_cancel(session, job_id)
        return True
    now, from_status = utcnow(), job.status  # the "fetch" below updates job.status
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == from_status)
        .values(
            status=JobStatus.CANCELED.value, cancel_requested=True, updated_at=now, finished_at=now
        )
        .execution_options(synchronize_session="fetch")
    )
    record_event(
        session,
        job_id=job_id,
        from_status=from_status,
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


def lock_job(session: Session, *, job_id: str) -> Job | None:
    """The job row, freshly read and locked for this transaction (None when missing)."""
    query = (
        select(Job)
        .where(Job.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(query).scalar_one_or_none()


def _change(session: Session, job: Job, **values: Any) -> None:
    """UPDATE the locked ``job`` if its status is still the one read; then reload it."""
    statement = (
        update(Job)
        .where(Job.id == job.id, Job.status == job.status)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if int(session.execute(statement).rowcount) != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(job.status, str(values.get("status", job.status)))
    session.expire(job)


def replace_plan(
    session: Session, *, job: Job, plan: dict[str, Any], estimate: dict[str, Any] | None
) -> int:
    """Replace the manifest of a job awaiting review; return the new ``plan_version``."""
    if job.status != JobStatus.AWAITING_REVIEW:
        raise InvalidTransition(job.status, JobStatus.AWAITING_REVIEW.value)
    version, status, attempt = job.plan_version + 1, job.status, job.attempts
    values: dict[str, Any] = {"plan": plan, "plan_version": version}
    if estimate is not None:
        values["cost_estimate"] = estimate
    _change(session, job, **values)
    record_event(
        session,
        job_id=job.id,
        from_status=status,
        to_status=status,
        reason="manifest_replaced",
        attempt=attempt,
        detail={"plan_version": version},
    )
    return version


def approve_plan(session: Session, *, job: Job) -> None:
    """``awaiting_review`` → ``queued``: the plan is approved and will be rendered."""
    if job.status != JobStatus.AWAITING_REVIEW:
        raise InvalidTransition(job.status, JobStatus.QUEUED.value)
    status, attempt, version, now = job.status, job.attempts, job.plan_version, utcnow()
    _change(session, job, status=JobStatus.QUEUED.value, approved_at=now, run_after=now)
    record_event(
        session,
        job_id=job.id,
        from_status=status,
        to_status=JobStatus.QUEUED.value,
        reason="approved",
        attempt=attempt,
        detail={"plan_version": version},
    )


def requeue_for_retry(session: Session, *, job: Job) -> None:
    """``failed``/``dead`` → ``queued`` with a full set of attempts; the plan is kept.

    The last error leaves the row but stays in the event's detail.
    """
    if job.status not in (JobStatus.FAILED, JobStatus.DEAD):
        raise InvalidTransition(job.status, JobStatus.QUEUED.value)
    check_transition(job.status, JobStatus.QUEUED.value)
    status, error, attempts = job.status, job.error, job.attempts
    _change(
        session,
        job,
        status=JobStatus.QUEUED.value,
        attempts=0,
        error=null(),
        finished_at=None,
        run_after=utcnow(),
        cancel_requested=False,
        stage=None,
        progress=0.0,
    )
    record_event(
        session,
        job_id=job.id,
        from_status=status,
        to_status=JobStatus.QUEUED.value,
        reason="retried",
        attempt=0,
        detail={"error": error, "attempts": attempts},
    )


@dataclass(frozen=True, slots=True)
class JobRecord:
    """What callers see of a job, and its owner: no request, plan, result or lease. Read by
    :func:`read_job_record` in one Core query, without the ORM or the large JSON columns
    (``GET /v1/jobs/{id}`` is the API's most frequent request)."""

    id: str
    owner: str
    kind: str
    status: str
    stage: str | None
    progress: float
    attempts: int
    error: dict[str, Any] | None
    preset: str | None
    created_at: datetime
    updated_at: datetime
    review: bool
    plan_version: int
    cost_estimate: dict[str, Any] | None
    cost_actual: dict[str, Any] | None
    started_at: datetime | None
    finished_at: datetime | None
    batch_id: str | None


JOB_RECORD = select(*(_JOBS.c[name] for name in JobRecord.__slots__)).where(
    _JOBS.c.id == bindparam("job_id")
)


def read_job_record(db: Executor, job_id: str) -> JobRecord | None:
    """The :class:`JobRecord` of ``job_id``, or None when there is no such job."""
    row = db.execute(JOB_RECORD, {"job_id": job_id}).first()
    return None if row is None else JobRecord(*row)


@dataclass(frozen=True)
class QueuePlace:
    """Where a queued job stands: its 1-based position and the estimated work before it."""

    position: int
    seconds_ahead: float


def queue_place(
    session: Executor, *, job: Job | JobRecord, now: datetime | None = None
) -> QueuePlace | None:
    """The job's place among runnable queued jobs in claim order; None unless queued.

    ``seconds_ahead`` is the estimated work of the jobs ahead plus what the running jobs
    have left, shared among the jobs running now (a rough stand-in for the worker count).
    """
    if job.status != JobStatus.QUEUED:
        return None
    now = now or utcnow()
    eta = func.coalesce(Job.cost_estimate["eta_seconds"].as_float(), 0.0)
    earlier = or_(
        Job.created_at < job.created_at, and_(Job.created_at == job.created_at, Job.id < job.id)
    )
    ahead = select(func.count(), func.sum(eta)).where(
        Job.status == JobStatus.QUEUED.value, Job.run_after <= now, earlier
    )
    count, queued_s = session.execute(ahead).one()
    running = select(func.count(), func.sum(eta * (1.0 - Job.progress))).where(
        Job.status.in_([s.value for s in ACTIVE])
    )
    active, running_s = session.execute(running).one()
    seconds = (float(queued_s or 0.0) + float(running_s or 0.0)) / max(1, int(active or 0))
    return QueuePlace(position=int(count) + 1, seconds_ahead=round(seconds, 1))
