"""Webhook event types and the fan-out of a job change into delivery rows.

Called from :mod:`aiprod.jobs.events` inside the transaction of the job change: one query
reads the job's summary joined with its owner's endpoints (indexed by owner), then one
INSERT adds a delivery per target. No HTTP here; the dispatcher sends later.

    job.queued            submitted, approved after review, or replayed by a retry
    job.awaiting_review   planned; waits for approval
    job.stage_completed   a render stage ended and the next began (stages a worker passes
                          between two heartbeats are not reported)
    job.succeeded / job.failed / job.dead / job.canceled   the job ended
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from aiprod.db.base import core_table, utcnow
from aiprod.jobs.models import Job
from aiprod.jobs.policy import ACTIVE, JobStatus
from aiprod.webhooks.models import WebhookDelivery, WebhookEndpoint


class EventType(StrEnum):
    """The events a webhook can subscribe to."""

    QUEUED = "job.queued"
    AWAITING_REVIEW = "job.awaiting_review"
    STAGE_COMPLETED = "job.stage_completed"
    SUCCEEDED = "job.succeeded"
    FAILED = "job.failed"
    DEAD = "job.dead"
    CANCELED = "job.canceled"


EVENT_TYPES = tuple(e.value for e in EventType)
_BY_STATUS = {
    JobStatus.AWAITING_REVIEW: EventType.AWAITING_REVIEW,
    JobStatus.SUCCEEDED: EventType.SUCCEEDED,
    JobStatus.FAILED: EventType.FAILED,
    JobStatus.DEAD: EventType.DEAD,
    JobStatus.CANCELED: EventType.CANCELED,
}
SUMMARY_COLUMNS = (
    Job.id,
    Job.owner,
    Job.kind,
    Job.status,
    Job.stage,
    Job.progress,
    Job.attempts,
    Job.error,
    Job.preset,
    Job.review,
    Job.batch_id,
    Job.created_at,
    Job.updated_at,
    Job.started_at,
    Job.finished_at,
)


_JOBS, _ENDPOINTS = core_table(Job), core_table(WebhookEndpoint)
# The job's summary joined with its owner's endpoints: Core, built once (every job change)
_TARGETS_QUERY = (
    select(*(_JOBS.c[column.key] for column in SUMMARY_COLUMNS))
    .add_columns(_JOBS.c.request["webhook_url"].as_string().label("webhook_url"))
    .add_columns(_ENDPOINTS.c.id.label("endpoint_id"), _ENDPOINTS.c.url.label("endpoint_url"))
    .add_columns(_ENDPOINTS.c.event_types)
    .outerjoin(_ENDPOINTS, _ENDPOINTS.c.owner == _JOBS.c.owner)
    .where(_JOBS.c.id == bindparam("job_id"))
)
_INSERT_DELIVERY = insert(core_table(WebhookDelivery))


def event_for(from_status: str | None, to_status: str) -> EventType | None:
    """The webhook event of a status change, or None when callers need not hear of it.

    Re-queues inside the worker (a retried attempt, a released or reaped lease) and a
    replaced manifest (``awaiting_review`` to itself) send nothing.
    """
    if from_status == to_status:
        return None
    if to_status == JobStatus.QUEUED:
        internal = from_status is not None and JobStatus(from_status) in ACTIVE
        return None if internal else EventType.QUEUED
    return _BY_STATUS.get(JobStatus(to_status))


def enqueue_job_event(
    session: Session,
    *,
    job_id: str,
    event_type: EventType,
    extra: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Add one pending delivery per target of ``event_type``; return how many."""
    rows = session.execute(_TARGETS_QUERY, {"job_id": job_id}).all()
    if not rows:
        return 0
    return add_deliveries(
        session, job=rows[0], endpoints=rows, event_type=event_type, extra=extra, now=now
    )


def add_deliveries(
    session: Session,
    *,
    job: Any,
    endpoints: Sequence[Any],
    event_type: EventType,
    extra: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Add the deliveries of one event of ``job``: to each of ``endpoints`` (rows with
    ``endpoint_id``, ``endpoint_url`` and ``event_types``; ``endpoint_id`` None for none)
    that subscribes to ``event_type``, and to the job's own ``webhook_url``. ``job`` has
    the attributes :func:`job_summary` reads, plus ``owner`` and ``webhook_url``."""
    targets: list[tuple[str | None, str]] = [
        (row.endpoint_id, row.endpoint_url)
        for row in endpoints
        if row.endpoint_id is not None
        and (row.event_types is None or event_type.value in row.event_types)
    ]
    if job.webhook_url:
        targets.append((None, job.webhook_url))
    if not targets:
        return 0
    now = now or utcnow()
    payload = {
        "type": event_type.value,
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": {**job_summary(job), **(extra or {})},
    }
    values = [
        {
            "owner": job.owner,
            "endpoint_id": endpoint_id,
            "job_id": job.id,
            "url": url,
            "event_type": event_type.value,
            "payload": payload,
            "next_attempt_at": now,
            "created_at": now,
        }
        for endpoint_id, url in targets
    ]
    session.execute(_INSERT_DELIVERY, values)
    return len(values)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def job_summary(row: Any) -> dict[str, Any]:
    """The compact view of a job that an event carries (no request, plan or owner)."""
    path = f"/v1/jobs/{row.id}"
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "stage": row.stage,
        "progress": row.progress,
        "attempts": row.attempts,
        "error": row.error,
        "preset": row.preset,
        "review": bool(row.review),
        "batch_id": row.batch_id,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "links": {"self": path, "artifacts": f"{path}/artifacts"},
    }
