"""Bodies of ``/v1/webhooks``: ``*Create`` in, ``*Public`` out; secrets only where made."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from aiprod.webhooks.events import EventType
from aiprod.webhooks.models import WebhookAttempt, WebhookEndpoint
from aiprod.webhooks.service import DeliveryLog

WEBHOOK_ID_EXAMPLE = "0193f2a4c1d87e5b9a0c3d2e1f4b6a79"
GraceSeconds = Annotated[
    int,
    Field(
        strict=True,  # `false` is no number of seconds
        ge=0,
        le=86_400,
        description="seconds the old secret keeps signing too (0: stops at once)",
    ),
]


class WebhookCreate(BaseModel):
    """A webhook endpoint to register: where, for which events, and a note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://example.com/hooks/aiprod",
                    "event_types": ["job.succeeded", "job.failed"],
                    "description": "production notifier",
                }
            ]
        },
    )

    url: str = Field(min_length=1, max_length=2000, description="an http(s) URL")
    event_types: list[EventType] | None = Field(
        default=None, min_length=1, description="the events to send; omitted: every event"
    )
    description: str | None = Field(default=None, max_length=500)


class SecretRotate(BaseModel):
    """How to rotate a signing secret."""

    model_config = ConfigDict(extra="forbid")

    grace_s: GraceSeconds = 0


class WebhookPublic(BaseModel):
    """A registered endpoint (never its secret)."""

    id: str
    url: str
    event_types: list[str] | None
    description: str | None
    created_at: datetime
    rotated_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="until when the secret before the last rotation also signs"
    )

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookPublic:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            event_types=endpoint.event_types,
            description=endpoint.description,
            created_at=endpoint.created_at,
            rotated_at=endpoint.rotated_at,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
        )


class WebhookWithSecret(WebhookPublic):
    """An endpoint just created or rotated, with its secret: shown this once."""

    secret: str = Field(description="`whsec_…`: verify `webhook-signature` with it")

    @classmethod
    def of_new(cls, endpoint: WebhookEndpoint) -> WebhookWithSecret:
        return cls(**WebhookPublic.of(endpoint).model_dump(), secret=endpoint.secret)


class WebhookList(BaseModel):
    """The caller's endpoints, oldest first."""

    items: list[WebhookPublic]


class JobSecretPublic(BaseModel):
    """The secret that signs deliveries to the caller's jobs' own ``webhook_url``."""

    secret: str
    created: bool = Field(description="true when this call made it")


class AttemptPublic(BaseModel):
    """One try of a delivery."""

    attempt: int
    at: datetime
    address: str | None = Field(description="the IP address connected to")
    status_code: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptPublic:
        return cls(
            attempt=attempt.attempt,
            at=attempt.at,
            address=attempt.address,
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
        )


class DeliveryPublic(BaseModel):
    """One event sent (or being sent) to one target, with every attempt."""

    webhook_id: str = Field(description="the `webhook-id` header: the same on every attempt")
    event_type: str
    job_id: str
    endpoint_id: str | None = Field(description="null: the job's own `webhook_url`")
    url: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    attempt_log: list[AttemptPublic]

    @classmethod
    def of(cls, log: DeliveryLog) -> DeliveryPublic:
        row = log.delivery
        return cls(
            webhook_id=row.message_id,
            event_type=row.event_type,
            job_id=row.job_id,
            endpoint_id=row.endpoint_id,
            url=row.url,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
            created_at=row.created_at,
            finished_at=row.finished_at,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            attempt_log=[AttemptPublic.of(a) for a in log.attempts],
        )


class DeliveryList(BaseModel):
    """One page of deliveries, newest first; pass ``next_cursor`` as ``cursor``."""

    items: list[DeliveryPublic]
    next_cursor: int | None
