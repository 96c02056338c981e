"""Webhook tables, declared on the shared :class:`~aiprod.db.base.Base`.

``webhook_endpoints`` are the URLs an owner registered; ``webhook_job_secrets`` holds the
one secret per owner that signs deliveries to a job's own ``webhook_url``. A row of
``webhook_deliveries`` is one event for one target, created in the transaction of the job
change; ``webhook_attempts`` logs every try. Secrets are stored as given to the caller,
because HMAC signing needs them; they are never returned by a list nor logged.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aiprod.db.base import JSON_TYPE, Base, JsonDict, UTCDateTime, utcnow
from aiprod.jobs.policy import new_job_id


class DeliveryStatus(StrEnum):
    """``pending`` until a 2xx (``delivered``) or the last retry failed (``failed``)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def new_message_id() -> str:
    """A ``webhook-id``: ``msg_`` and 24 random hex digits, kept across retries."""
    return f"msg_{secrets.token_hex(12)}"


class WebhookEndpoint(Base):
    """A URL an owner registered for job events (``event_types`` None: every event)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_owner", "owner"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    owner: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str] | None] = mapped_column(JSON_TYPE)
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation with a grace period the old secret signs too, until it expires.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookJobSecret(Base):
    """The secret that signs an owner's deliveries to per-job ``webhook_url`` targets."""

    __tablename__ = "webhook_job_secrets"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _status_check() -> str:
    return f"status IN ({', '.join(repr(s.value) for s in DeliveryStatus)})"


class WebhookDelivery(Base):
    """One event for one target; ``next_attempt_at`` doubles as the dispatcher's lease."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(_status_check(), name="ck_webhook_deliveries_status"),
        Index("ix_webhook_deliveries_message_id", "message_id", unique=True),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id", "endpoint_id", "id"),
        Index("ix_webhook_deliveries_job_id", "job_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(40), default=new_message_id)
    owner: Mapped[str] = mapped_column(String(200))
    # None: the job's own ``webhook_url``, signed with the owner's job-webhook secret
    endpoint_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[JsonDict] = mapped_column(JSON_TYPE)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_token: Mapped[str | None] = mapped_column(String(64))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookAttempt(Base):
    """One try of a delivery: when, to which address, the answer or the error, how long."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    address: Mapped[str | None] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
