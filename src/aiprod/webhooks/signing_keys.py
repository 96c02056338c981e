"""Stored signing secrets: the per-owner job-webhook secret and rotation of any secret."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiprod.db.base import utcnow
from aiprod.webhooks.models import WebhookEndpoint, WebhookJobSecret
from aiprod.webhooks.signing import new_secret

SecretHolder = WebhookEndpoint | WebhookJobSecret


def job_secret(session: Session, *, owner: str) -> tuple[WebhookJobSecret, bool]:
    """The owner's job-webhook secret, created on first use; True when just created.

    Two first uses at once both end with the same row: the loser of the insert reads the
    winner's (the primary key is the owner).
    """
    query = select(WebhookJobSecret).where(WebhookJobSecret.owner == owner)
    found = session.execute(query).scalar_one_or_none()
    if found is not None:
        return found, False
    row = WebhookJobSecret(owner=owner, secret=new_secret())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return session.execute(query).scalar_one(), False
    return row, True


def rotate(holder: SecretHolder, *, grace_s: int, now: datetime | None = None) -> str:
    """Give ``holder`` a new secret; the old one keeps signing for ``grace_s`` seconds."""
    now = now or utcnow()
    holder.previous_secret = holder.secret if grace_s > 0 else None
    holder.previous_secret_expires_at = now + timedelta(seconds=grace_s) if grace_s > 0 else None
    holder.secret = new_secret()
    holder.rotated_at = now
    return holder.secret
