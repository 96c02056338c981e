"""The webhook fan-out as a job listener: each job change queues its deliveries.

:func:`register` is called where a process starts (the API's app factory, ``aiprod serve``,
``aiprod worker``, the integration tests); :mod:`aiprod.jobs.listeners` says why the job
domain does not import webhooks itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from aiprod.db.base import core_table
from aiprod.jobs import listeners
from aiprod.jobs.listeners import CreationRows
from aiprod.webhooks.events import EventType, add_deliveries, enqueue_job_event, event_for
from aiprod.webhooks.models import WebhookEndpoint

CREATED = "created"  # the reason of a new job's first history row


def _job_created(session: Session, values: dict[str, Any], rows: Sequence[Row[Any]]) -> None:
    """The ``job.queued`` deliveries of a job just created on PostgreSQL in one statement."""
    job = SimpleNamespace(**values, error=None, started_at=None, finished_at=None)
    job.webhook_url = (values["request"] or {}).get("webhook_url")
    extra = {"reason": CREATED}
    add_deliveries(session, job=job, endpoints=rows, event_type=EventType.QUEUED, extra=extra)


_ENDPOINTS = core_table(WebhookEndpoint).alias("endpoint")
_CREATION_ROWS = CreationRows(
    table=_ENDPOINTS,
    columns=(
        _ENDPOINTS.c.id.label("endpoint_id"),
        _ENDPOINTS.c.url.label("endpoint_url"),
        _ENDPOINTS.c.event_types,
    ),
    created=_job_created,
)


class WebhookListener:
    """Queues webhook deliveries in the transaction of each job change."""

    creation_rows: CreationRows | None = _CREATION_ROWS

    def status_changed(
        self,
        session: Session,
        *,
        job_id: str,
        from_status: str | None,
        to_status: str,
        reason: str,
    ) -> None:
        webhook_event = event_for(from_status, to_status)
        if webhook_event is not None:  # webhook deliveries commit with the change, or not at all
            extra = {"reason": reason}
            enqueue_job_event(session, job_id=job_id, event_type=webhook_event, extra=extra)

    def stage_completed(self, session: Session, *, job_id: str, stage: str) -> None:
        enqueue_job_event(
            session,
            job_id=job_id,
            event_type=EventType.STAGE_COMPLETED,
            extra={"reason": "stage_completed", "completed_stage": stage},
        )


def register() -> None:
    """Make every job change in this process queue its webhook deliveries."""
    listeners.register(WebhookListener)
