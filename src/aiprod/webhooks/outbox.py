"""The delivery queue in the database: claim due deliveries, record each attempt.

A claim takes up to ``limit`` pending deliveries whose ``next_attempt_at`` has come
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite every transaction is ``BEGIN
IMMEDIATE``), stamps them with a fresh ``lease_token``, counts the attempt and pushes
``next_attempt_at`` past the lease, so no other dispatcher sends the same attempt while
this one runs, and a crashed dispatcher's deliveries come due again when the lease ends.
Recording the outcome is fenced by the token.

Retries follow the Standard Webhooks schedule (delay before each attempt): immediately,
5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about 27 hours — each delay
varied by ±10 % and multiplied by ``scale`` (tiny in the tests); then ``failed``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from aiprod.db.base import utcnow
from aiprod.jobs.policy import new_lease_token
from aiprod.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from aiprod.webhooks.signing import active_secrets
from aiprod.webhooks.signing_keys import job_secret

RETRY_SCHEDULE_S: Final = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
MAX_ATTEMPTS: Final = len(RETRY_SCHEDULE_S)
_JITTER = random.Random()


def retry_delay(failed_attempt: int, *, scale: float = 1.0) -> timedelta | None:
    """The wait after failed attempt number ``failed_attempt`` (1-based); None: give up."""
    if failed_attempt >= MAX_ATTEMPTS:
        return None
    seconds = RETRY_SCHEDULE_S[failed_attempt] * scale * _JITTER.uniform(0.9, 1.1)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class DueDelivery:
    """A claimed delivery: what to send where, signed with which secrets, under which lease."""

    id: int
    message_id: str
    url: str
    payload: dict[str, Any]
    attempt: int
    lease_token: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """How one attempt went: 2xx is delivered; anything else is retried."""

    status_code: int | None
    error: str | None
    duration_ms: int
    address: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim_due(
    engine: Engine, *, limit: int, lease_s: float, now: datetime | None = None
) -> list[DueDelivery]:
    """Claim up to ``limit`` due deliveries, oldest first, with their signing secrets."""
    now = now or utcnow()
    token = new_lease_token()
    pick = (
        select(WebhookDelivery.id)
        .where(_due(now))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(pick.scalar_subquery()), _due(now))
        .values(
            lease_token=token,
            attempts=WebhookDelivery.attempts + 1,
            next_attempt_at=now + timedelta(seconds=lease_s),
        )
        .returning(
            WebhookDelivery.id,
            WebhookDelivery.message_id,
            WebhookDelivery.owner,
            WebhookDelivery.endpoint_id,
            WebhookDelivery.url,
            WebhookDelivery.payload,
            WebhookDelivery.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        rows = sorted(session.execute(statement).all(), key=lambda row: row.id)
        return [
            DueDelivery(
                id=row.id,
                message_id=row.message_id,
                url=row.url,
                payload=row.payload,
                attempt=row.attempts,
                lease_token=token,
                secrets=_secrets(session, owner=row.owner, endpoint_id=row.endpoint_id, now=now),
            )
            for row in rows
        ]


def _due(now: datetime) -> Any:
    return (WebhookDelivery.status == DeliveryStatus.PENDING.value) & (
        WebhookDelivery.next_attempt_at <= now
    )


def _secrets(
    session: Session, *, owner: str, endpoint_id: str | None, now: datetime
) -> tuple[str, ...]:
    holder = (
        session.get(WebhookEndpoint, endpoint_id)
        if endpoint_id is not None
        else job_secret(session, owner=owner)[0]
    )
    if holder is None:  # the endpoint was deleted since the claim's read: nothing to send
        return ()
    secrets = active_secrets(
        holder.secret, holder.previous_secret, holder.previous_secret_expires_at, now
    )
    return tuple(secrets)


def record_attempt(
    engine: Engine,
    due: DueDelivery,
    outcome: Outcome,
    *,
    scale: float = 1.0,
    now: datetime | None = None,
) -> str | None:
    """Log the attempt and move the delivery on; its new status, or None if the lease was lost."""
    now = now or utcnow()
    values: dict[str, Any] = {
        "lease_token": None,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
    }
    delay = None if outcome.delivered else retry_delay(due.attempt, scale=scale)
    if outcome.delivered:
        values.update(status=DeliveryStatus.DELIVERED.value, finished_at=now)
    elif delay is None:
        values.update(status=DeliveryStatus.FAILED.value, finished_at=now)
    else:
        values.update(status=DeliveryStatus.PENDING.value, next_attempt_at=now + delay)
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id == due.id, WebhookDelivery.lease_token == due.lease_token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as session, session.begin():
        if int(session.execute(statement).rowcount) != 1:  # type: ignore[attr-defined]
            return None
        session.execute(
            insert(WebhookAttempt).values(
                delivery_id=due.id,
                attempt=due.attempt,
                at=now,
                address=outcome.address,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
    return str(values["status"])
