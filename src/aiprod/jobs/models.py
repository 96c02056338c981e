"""The job table and its history, as SQLAlchemy 2 typed declarative models.

``jobs`` is the record of every submitted job; ``job_events`` appends one row per status
change, written in the same transaction as the change. Times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from aiprod.db.base import JSON_TYPE, Base, JsonDict, UTCDateTime, utcnow
from aiprod.jobs.policy import MAX_ATTEMPTS, JobKind, JobStatus, new_job_id


def _one_of(column: str, values: type[JobStatus] | type[JobKind]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Job(Base):
    """One submitted job: a brief or a spec, its status, lease and last error."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("owner", "idempotency_key", name="uq_jobs_owner_idempotency_key"),
        CheckConstraint(_one_of("status", JobStatus), name="ck_jobs_status"),
        CheckConstraint(_one_of("kind", JobKind), name="ck_jobs_kind"),
        Index("ix_jobs_claim", "status", "run_after", "created_at"),
        Index("ix_jobs_lease_expires_at", "lease_expires_at"),
        Index("ix_jobs_owner_created_at", "owner", "created_at"),
        Index("ix_jobs_batch_id", "batch_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    owner: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    request: Mapped[JsonDict] = mapped_column(JSON_TYPE)
    preset: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    stage: Mapped[str | None] = mapped_column(String(50))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=MAX_ATTEMPTS)
    lease_token: Mapped[str | None] = mapped_column(String(64))
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[JsonDict | None] = mapped_column(JSON_TYPE)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Review gate: stop after planning when asked; ``plan`` is the planned VideoSpec (the
    # editable manifest), ``plan_version`` counts its replacements (an ETag for If-Match).
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    plan: Mapped[JsonDict | None] = mapped_column(JSON_TYPE)
    plan_version: Mapped[int] = mapped_column(Integer, default=0)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the render produced (outputs, QA verdict, duration) and what it cost.
    result: Mapped[JsonDict | None] = mapped_column(JSON_TYPE)
    cost_estimate: Mapped[JsonDict | None] = mapped_column(JSON_TYPE)
    cost_actual: Mapped[JsonDict | None] = mapped_column(JSON_TYPE)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Lower-cased brief (or a spec's narration) for text search over a caller's jobs.
    search_text: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("batches.id", name="fk_jobs_batch_id", ondelete="SET NULL")
    )


class Batch(Base):
    """Up to 100 jobs submitted together; its status is derived from its jobs."""

    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("owner", "idempotency_key", name="uq_batches_owner_idempotency_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    owner: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobEvent(Base):
    """One status change of a job: when, from what, to what, why, during which attempt."""

    __tablename__ = "job_events"
    __table_args__ = (Index("ix_job_events_job_id_at", "job_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)
    detail: Mapped[JsonDict | None] = mapped_column(JSON_TYPE)
