"""Which jobs a caller sees, narrowed by filters: shared by the job list and the CSV export.

Pure query building (no web framework): the visible set is the caller's own jobs, or every
job for an admin; filters only narrow it. Pagination is keyset on ``(created_at, id)``
descending and independent of the filters, so a caller repeats the same filters with each
``cursor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select

from aiprod.auth import Principal
from aiprod.jobs.models import Job


@dataclass(frozen=True)
class JobFilter:
    """What to keep. Empty fields keep everything.

    Attributes:
        statuses: any of these statuses.
        preset: jobs asking for this preset.
        created_after: created at or after this instant (inclusive).
        created_before: created strictly before this instant (so windows can abut).
        text: a case-insensitive substring of the brief (or a spec's narration); matched
            literally, ``%``, ``_`` and ``\\`` are never wildcards.
        batch_id: jobs of this batch.
    """

    statuses: tuple[str, ...] = ()
    preset: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    text: str | None = None
    batch_id: str | None = None


def visible_jobs(principal: Principal, job_filter: JobFilter) -> Select[Job]:
    """The jobs ``principal`` may see that pass ``job_filter``, unordered."""
    query = select(Job)
    if not principal.is_admin:
        query = query.where(Job.owner == principal.owner)
    return narrowed(query, job_filter)


def narrowed(query: Select[Job], job_filter: JobFilter) -> Select[Job]:
    """``query`` with every condition of ``job_filter`` added."""
    f = job_filter
    if f.statuses:
        query = query.where(Job.status.in_(f.statuses))
    if f.preset is not None:
        query = query.where(Job.preset == f.preset)
    if f.created_after is not None:
        query = query.where(Job.created_at >= f.created_after)
    if f.created_before is not None:
        query = query.where(Job.created_at < f.created_before)
    if f.text:
        # search_text is stored lower-cased; autoescape makes %, _ and the escape literal
        query = query.where(Job.search_text.contains(f.text.lower(), autoescape=True))
    if f.batch_id is not None:
        query = query.where(Job.batch_id == f.batch_id)
    return query


def newest_first(query: Select[Job], after: tuple[datetime, str] | None) -> Select[Job]:
    """``query`` ordered newest first, resuming after the ``(created_at, id)`` of a cursor."""
    if after is not None:
        at, job_id = after
        query = query.where(or_(Job.created_at < at, and_(Job.created_at == at, Job.id < job_id)))
    return query.order_by(Job.created_at.desc(), Job.id.desc())
