"""Appending to a job's history; always called inside the transaction of the change.

Registered listeners (:mod:`aiprod.jobs.listeners`: webhooks) act in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from aiprod.db.base import core_table, utcnow
from aiprod.jobs.listeners import listeners
from aiprod.jobs.models import JobEvent
from aiprod.jobs.outbox import add_run_message

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
    for listener in listeners():  # webhook deliveries commit with the change, or not at all
        listener.status_changed(
            session, job_id=job_id, from_status=from_status, to_status=to_status, reason=reason
        )


def record_stage_completed(session: Session, *, job_id: str, stage: str) -> None:
    """A running job finished ``stage`` and began the next: listeners queue
    ``job.stage_completed`` (see :mod:`aiprod.jobs.listeners`)."""
    for listener in listeners():
        listener.stage_completed(session, job_id=job_id, stage=stage)
