"""The lease side of the queue: claim a job, keep it, finish it, give it back, reap it.

A claim stamps the row with a fresh random ``lease_token``. Every later write carries that
token in its WHERE clause, so a worker whose lease expired and was handed to another worker
cannot commit anything (fencing): at most one success per job. Every status change appends
a ``job_events`` row in the same transaction.

A brief is planned first: :func:`save_plan` stores the planned VideoSpec (the editable
manifest) and either moves on to rendering or, when review was asked for, stops the job at
``awaiting_review``. A job that already has a plan is claimed straight into rendering, so a
retry after a render failure resumes there instead of planning a new script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from aiprod.db.base import utcnow
from aiprod.jobs.errors import LeaseLost
from aiprod.jobs.events import record_event, record_stage_completed
from aiprod.jobs.models import Job
from aiprod.jobs.policy import (
    ACTIVE,
    BACKOFF_BASE_S,
    TERMINAL,
    JobKind,
    JobStatus,
    backoff_delay,
    check_transition,
    new_lease_token,
    should_retry,
)

DEFAULT_LEASE_S = 60.0
ACTIVE_VALUES = sorted(s.value for s in ACTIVE)
PLAN_FILE = "plan.json"


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
    plan: dict[str, Any] | None = None
    review: bool = False
    estimate: dict[str, Any] | None = None  # the job's stored cost estimate


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
    runs under the database write lock. The claim uses up one attempt; a job with a plan
    (or a spec) enters ``rendering``, an unplanned brief ``planning``.
    """
    now = now or utcnow()
    pick = (
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED.value, Job.run_after <= now)
        .order_by(Job.created_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # SQLite renders nothing: BEGIN IMMEDIATE locks
        .scalar_subquery()
    )
    return _claim(engine, Job.id == pick, worker_id=worker_id, lease_seconds=lease_seconds, now=now)


def claim_job(
    engine: Engine,
    job_id: str,
    *,
    worker_id: str,
    lease_seconds: float = DEFAULT_LEASE_S,
    now: datetime | None = None,
) -> Claim | None:
    """Claim the one job ``job_id`` if it is queued and due, else return None.

    How a scale-out worker takes the job a broker message names: a duplicate delivery, or
    one for a job that is running, finished or not yet due, claims nothing. Same fencing,
    attempt counting and history as :func:`claim_next_job`.
    """
    now = now or utcnow()
    which = and_(Job.id == job_id, Job.run_after <= now)
    return _claim(engine, which, worker_id=worker_id, lease_seconds=lease_seconds, now=now)


def _claim(
    engine: Engine, which: Any, *, worker_id: str, lease_seconds: float, now: datetime
) -> Claim | None:
    token = new_lease_token()
    values = {
        "attempts": Job.attempts + 1,
        "lease_token": token,
        "lease_owner": worker_id,
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
        "updated_at": now,
        "started_at": func.coalesce(Job.started_at, now),  # the first claim only
        "stage": None,
        "progress": 0.0,
    }
    statement = _claim_statement(which, values)
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
        plan=row.plan,
        review=bool(row.review),
        estimate=row.cost_estimate,
    )


CLAIM_COLUMNS = (
    Job.id,
    Job.attempts,
    Job.kind,
    Job.status,
    Job.request,
    Job.preset,
    Job.plan,
    Job.review,
    Job.cost_estimate,
)


def _claim_statement(which: Any, values: dict[str, Any]) -> Any:
    """``UPDATE jobs … WHERE <which> AND status = 'queued' RETURNING …``."""
    first_status = case(
        (or_(Job.kind == JobKind.SPEC.value, Job.plan.is_not(None)), JobStatus.RENDERING.value),
        else_=JobStatus.PLANNING.value,
    )
    return (
        update(Job)
        .where(which, Job.status == JobStatus.QUEUED.value)
        .values(status=first_status, **values)
        .returning(*CLAIM_COLUMNS)
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
    """Record the current stage and progress (0–1); False means the lease was lost.

    Entering a new stage queues ``job.stage_completed`` webhooks for the one that ended.
    """
    values = {"stage": stage, "progress": max(0.0, min(1.0, progress)), "updated_at": utcnow()}
    with _session(engine) as session, session.begin():
        same_stage = update(Job).where(*_fence(claim), Job.stage == stage).values(**values)
        if _rowcount(session.execute(same_stage.execution_options(synchronize_session=False))):
            return True  # the usual case, progress within a stage: one statement
        query = select(Job.stage).where(*_fence(claim)).with_for_update()
        previous = session.execute(query).one_or_none()
        if previous is None:
            return False
        statement = update(Job).where(*_fence(claim)).values(**values)
        session.execute(statement.execution_options(synchronize_session=False))
        if previous.stage is not None:
            record_stage_completed(session, job_id=claim.job_id, stage=previous.stage)
        return True


def record_resume(engine: Engine, claim: Claim, *, stage: str, reused: list[str]) -> None:
    """Note in the job's history that this attempt resumed at ``stage``, the stages in
    ``reused`` answered from the stage cache (fenced: LeaseLost if the lease is gone)."""
    with _session(engine) as session, session.begin():
        job = _locked_job(session, claim)
        record_event(
            session,
            job_id=claim.job_id,
            from_status=job.status,
            to_status=job.status,
            reason=f"resumed at {stage}",
            attempt=claim.attempt,
            detail={"stage": stage, "cached": reused},
        )


def save_plan(
    engine: Engine,
    claim: Claim,
    *,
    plan: dict[str, Any],
    estimate: dict[str, Any] | None,
    artifact_dir: Path | None = None,
) -> str:
    """Store the planned VideoSpec of a claimed brief and return the job's new status.

    Sets ``plan`` (``plan_version`` 1) and the plan's cost estimate, writes ``plan.json``
    into ``artifact_dir``, then either moves ``planning`` → ``rendering`` (the lease stays)
    or, when ``claim.review``, ends the attempt at ``awaiting_review`` (the lease is
    dropped). One transaction, fenced: raises :class:`LeaseLost` if the lease was lost.
    """
    to_status = JobStatus.AWAITING_REVIEW if claim.review else JobStatus.RENDERING
    values: dict[str, Any] = {"plan": plan, "plan_version": 1, "status": to_status.value}
    if estimate is not None:
        values["cost_estimate"] = estimate
    detail = {"plan_version": 1, "eta_seconds": (estimate or {}).get("eta_seconds")}
    with _session(engine) as session, session.begin():
        job = _locked_job(session, claim)
        if claim.review:
            _write_transition(session, claim, job, values=values, reason="planned", detail=detail)
        else:
            check_transition(job.status, to_status)
            statement = (
                update(Job)
                .where(*_fence(claim))
                .values(updated_at=utcnow(), stage=None, progress=0.0, **values)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(session.execute(statement)) != 1:
                raise LeaseLost(claim.job_id)
            record_event(
                session,
                job_id=claim.job_id,
                from_status=job.status,
                to_status=to_status.value,
                reason="planned",
                attempt=job.attempts,
                detail=detail,
            )
        if artifact_dir is not None:  # inside the transaction: a failed write stores nothing
            write_plan_artifact(artifact_dir, plan)
    return to_status.value


def write_plan_artifact(job_dir: Path, plan: dict[str, Any]) -> Path:
    """Write ``plan.json`` (the current manifest) into a job's folder, atomically."""
    job_dir.mkdir(parents=True, exist_ok=True)
    target = job_dir / PLAN_FILE
    partial = job_dir / f".{PLAN_FILE}.partial"
    partial.write_text(json.dumps(plan, indent=2, sort_keys=True), encoding="utf-8")
    partial.replace(target)
    return target


def complete(
    engine: Engine,
    claim: Claim,
    *,
    status: str = JobStatus.SUCCEEDED.value,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
    cost_actual: dict[str, Any] | None = None,
) -> None:
    """Finish the claimed work: ``succeeded``, ``canceled`` or ``awaiting_review``.

    A success keeps ``result`` (outputs, QA verdict, duration, preset) and ``cost_actual``.
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
        values.update(progress=1.0, result=result, cost_actual=cost_actual)
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
            values: dict[str, Any] = {
                "status": JobStatus.QUEUED.value,
                "run_after": now + backoff_delay(job.attempts, base_s=backoff_base_s),
            }
        elif retryable:
            values = {"status": JobStatus.DEAD.value, "finished_at": now}
        else:
            values = {"status": JobStatus.FAILED.value, "finished_at": now}
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
    if JobStatus(to_status) in TERMINAL:
        values = {"finished_at": utcnow(), **values}
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
