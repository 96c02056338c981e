"""Appending to a job's history; always called inside the transaction of the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from aiprod.jobs.models import JobEvent, utcnow


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
    """Insert one ``job_events`` row for a status change (in the caller's transaction)."""
    session.execute(
        insert(JobEvent).values(
            job_id=job_id,
            at=utcnow(),
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            attempt=attempt,
            detail=detail,
        )
    )
