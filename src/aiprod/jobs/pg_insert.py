"""PostgreSQL: a new job and everything its creation writes, in one statement.

Creating a job writes five things in one transaction: the job row, its first history row
(:func:`aiprod.jobs.events.record_event`), its outbox message
(:func:`aiprod.jobs.outbox.add_run_message`), the audit row, and the ``job.queued``
webhook deliveries, which need the owner's endpoints. As separate statements that is five
round trips and five passes through SQLAlchemy, most of the API's CPU per submission. On
PostgreSQL one statement does it: data-modifying CTEs insert the history, outbox and audit
rows from the job row the first CTE inserted (none if the idempotency key was taken), and
the outer query returns the new job's id joined with its owner's endpoints::

    WITH new_job AS (INSERT INTO jobs … ON CONFLICT DO NOTHING RETURNING id, owner, run_after),
         new_event AS (INSERT INTO job_events … SELECT … FROM new_job),
         new_message AS (INSERT INTO job_outbox … SELECT … FROM new_job),
         new_audit AS (INSERT INTO audit_events … SELECT … FROM new_job)
    SELECT new_job.id, endpoint.id, endpoint.url, endpoint.event_types
    FROM new_job LEFT OUTER JOIN webhook_endpoints AS endpoint ON endpoint.owner = new_job.owner

The endpoints are the job listener's rows (:class:`aiprod.jobs.listeners.CreationRows`,
registered by :mod:`aiprod.webhooks.listener`); with no such listener the outer query
returns the id alone. The deliveries themselves are inserted by the listener, only when
there is a target. The rows written are the same as the step-by-step path's (SQLite's),
which the API tests check on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Row, bindparam, literal, null, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from aiprod.auth.models import AuditEvent
from aiprod.db.base import JSON_TYPE, UTCDateTime, core_table
from aiprod.jobs.listeners import CreationRows, creation_rows
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.outbox import OutboxMessage
from aiprod.jobs.policy import JobStatus

IDEMPOTENCY_CONSTRAINT = "uq_jobs_owner_idempotency_key"
JOB_COLUMNS = (
    "id", "owner", "kind", "request", "preset", "status", "stage", "progress", "attempts",
    "max_attempts", "run_after", "cancel_requested", "idempotency_key", "review",
    "plan_version", "search_text", "batch_id", "cost_estimate", "created_at", "updated_at",
)  # fmt: skip
CREATED = "created"
JOB_CREATED = "job.created"


@dataclass(frozen=True)
class CreationAudit:
    """The ``job.created`` audit row of a new job (its actor is the job's owner)."""

    detail: dict[str, Any] | None = None
    request_id: str | None = None


def _statement(joined: CreationRows | None) -> Any:
    jobs = core_table(Job)
    now = bindparam("now", type_=UTCDateTime())
    new_job = (
        pg_insert(jobs)
        .values({name: bindparam(name, type_=jobs.c[name].type) for name in JOB_COLUMNS})
        .on_conflict_do_nothing(constraint=IDEMPOTENCY_CONSTRAINT)
        .returning(jobs.c.id, jobs.c.owner, jobs.c.run_after)
        .cte("new_job")
    )
    queued = literal(JobStatus.QUEUED.value)
    new_event = (
        pg_insert(core_table(JobEvent))
        .from_select(
            ["job_id", "at", "from_status", "to_status", "reason", "attempt"],
            select(new_job.c.id, now, null(), queued, literal(CREATED), literal(0)),
        )
        .cte("new_event")
    )
    new_message = (
        pg_insert(core_table(OutboxMessage))
        .from_select(
            ["job_id", "created_at", "available_at", "publish_failures"],
            select(new_job.c.id, now, new_job.c.run_after, literal(0)),
        )
        .cte("new_message")
    )
    new_audit = (
        pg_insert(core_table(AuditEvent))
        .from_select(
            ["at", "actor", "action", "target", "detail", "request_id"],
            select(
                now,
                new_job.c.owner,
                literal(JOB_CREATED),
                new_job.c.id,
                bindparam("audit_detail", type_=JSON_TYPE),
                bindparam("request_id"),
            ).where(bindparam("audited", type_=Boolean())),
        )
        .cte("new_audit")
    )
    query = select(new_job.c.id)
    if joined is None:
        query = query.select_from(new_job)
    else:
        on_owner = joined.table.c.owner == new_job.c.owner
        query = query.add_columns(*joined.columns).select_from(
            new_job.outerjoin(joined.table, on_owner)
        )
    return query.add_cte(new_event, new_message, new_audit)


_STATEMENTS: dict[CreationRows | None, Any] = {}  # built once per listener set, not per call


def _insert_statement(joined: CreationRows | None) -> Any:
    statement = _STATEMENTS.get(joined)
    if statement is None:
        statement = _STATEMENTS[joined] = _statement(joined)
    return statement


def insert_job_with_history(
    session: Session, values: dict[str, Any], *, audit: CreationAudit | None, now: datetime
) -> bool:
    """Insert the job ``values`` (every column of :data:`JOB_COLUMNS`) with its history and
    outbox rows, its audit row when ``audit`` is given, and what the job listener adds
    (``job.queued`` webhook rows); False (nothing written) when the owner already used its
    idempotency key."""
    noted = audit or CreationAudit()
    params = {**values, "now": now, "audited": audit is not None}
    params |= {"audit_detail": noted.detail, "request_id": noted.request_id}
    joined = creation_rows()
    rows: Sequence[Row[Any]] = session.execute(_insert_statement(joined), params).all()
    if not rows:
        return False
    if joined is not None:
        joined.created(session, values, rows)
    return True
