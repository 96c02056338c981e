"""Appending to a job's history; always called inside the transaction of the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from aiprod.db.base import core_table, utcnow
from aiprod.jobs.models import JobEvent
from aiprod.jobs.outbox import add_run_message
from aiprod.webhooks.events import EventType, enqueue_job_event, event_for

_INSERT = insert(core_table(JobEvent))  # Core, built once: this runs in every job change


def record_event(
    session: Session,
    *,
    job_id: str,
    from_status: str | None,
    to_status: str,
    reason: str,
    attempt: int,
    detail: dict[str, Any] | None = None,
) -> None:
    """Insert one ``job_events`` row for a status change (in the caller's transaction).

    A move into ``queued`` also adds the job's outbox message (scale-out dispatch), due at
    the ``run_after`` the caller has just written.
    """
    row = {"job_id": job_id, "from_status": from_status, "to_status": to_status}
    session.execute(_INSERT, {**row, "at": utcnow(), "reason": reason, "attempt": attempt,
                              "detail": detail})  # fmt: skip
    if to_status == "queued" and from_status != "queued":
        add_run_message(session, job_id=job_id)
    webhook_event = event_for(from_status, to_status)
    if webhook_event is not None:  # webhook deliveries commit with the change, or not at all
        extra = {"reason": reason}
        enqueue_job_event(session, job_id=job_id, event_type=webhook_event, extra=extra)


def record_stage_completed(session: Session, *, job_id: str, stage: str) -> None:
    """A running job finished ``stage`` and began the next: queue ``job.stage_completed``."""
    enqueue_job_event(
        session,
        job_id=job_id,
        event_type=EventType.STAGE_COMPLETED,
        extra={"reason": "stage_completed", "completed_stage": stage},
    )
